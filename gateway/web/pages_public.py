"""The public notice board (公示栏): current public notices (公示) and final lists
(正式名单), readable without logging in, printable as a notice on a wall.

Who may open it is configured (``PUBLIC_BOARD`` in deploy/config.yml,
docs/OPERATIONS.md):

  * ``ACCESS: public``: anyone;
  * ``ACCESS: campus``: a client whose address (``request.remote_addr``: behind
    ``GATEWAY.PROXY_HOPS`` trusted proxies, ProxyFix sets it from X-Forwarded-For) is
    in one of ``CAMPUS_NETWORKS`` (CIDR), or anyone logged in; others get a 403 page
    with a log-in link;
  * ``ACCESS: login``: logged-in people only (others go to the log-in page and back).

Each notice shows the project or unit, the person responsible (names only; a
number typed into a name is masked by the service), the grade, the period as
notices state it (12月6日至12月10日, Beijing time) and where to object
(``ISSUER``, ``CONTACT_PHONE``, ``CONTACT_EMAIL``); filing an objection needs a
log-in and comes back to the campaign's notice page.
"""
import ipaddress
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app, g, redirect, render_template, request, url_for

from core.errors import NotFound, PermissionDenied
from gateway.api import rpc
from gateway.web import blp, i18n, session

BEIJING = ZoneInfo("Asia/Shanghai")
MODES = ("public", "campus", "login")

i18n.add({
    "public_board": ("公示栏", "Notice board"),
    "public_board_intro": ("以下为正在公示及已定稿的评选名单。", "Lists on public notice and final lists."),
    "public_board_empty": ("目前没有公示中的名单", "Nothing is on public notice now"),
    "board_period": ("公示时间", "Notice period"),
    "board_closes": ("公示截止", "Closes"),
    "board_name": ("项目 / 单位名称", "Project / unit"),
    "board_responsible": ("负责人", "Person responsible"),
    "board_grade": ("等次", "Grade"),
    "board_no": ("序号", "No."),
    "board_status_open": ("公示中", "On notice"),
    "board_status_closed": ("公示期已结束", "Period over"),
    "board_status_final": ("正式名单", "Final list"),
    "board_objections": ("异议受理", "Objections"),
    "board_objection_text": ("公示期内如有异议，请向{issuer}反映，或登录平台实名提出异议。",
                             "While the notice is open, raise objections with {issuer}, or log in and file one."),
    "board_phone": ("联系电话", "Phone"),
    "board_email": ("电子邮箱", "E-mail"),
    "board_file_objection": ("登录后提出异议", "Log in to object"),
    "board_print": ("打印", "Print"),
    "board_issued": ("发布单位", "Issued by"),
    "board_date": ("日期", "Date"),
    "board_view": ("查看公示", "View notice"),
    "board_campus_only": ("公示栏仅限校园网访问，校外请登录后查看。",
                          "The notice board is open on the campus network only; log in to read it from elsewhere."),
    "board_login_link": ("公示公告（无需登录）", "Public notices (no log-in needed)"),
})


def settings():
    """PUBLIC_BOARD with its defaults; an unknown ACCESS refuses every visitor."""
    conf = dict(current_app.config["CX"].get("PUBLIC_BOARD") or {})
    return {"access": str(conf.get("ACCESS") or "login").strip().lower(),
            "networks": conf.get("CAMPUS_NETWORKS") or [],
            "issuer": conf.get("ISSUER") or "", "issuer_en": conf.get("ISSUER_EN") or conf.get("ISSUER") or "",
            "phone": conf.get("CONTACT_PHONE") or "", "email": conf.get("CONTACT_EMAIL") or ""}


def in_networks(address, networks):
    """Whether `address` lies in one of the CIDR `networks` (bad entries never match)."""
    try:
        ip = ipaddress.ip_address((address or "").strip())
    except ValueError:
        return False
    for net in networks:
        try:
            if ip in ipaddress.ip_network(str(net).strip(), strict=False):
                return True
        except ValueError:
            continue
    return False


def _admit(conf):
    """None when the visitor may read the board, else the response that says why not."""
    claims = session.current_claims()
    if claims is not None:
        g.actor_id = claims["sub"]
    if conf["access"] == "public":
        return None
    if conf["access"] == "campus" and (claims is not None or in_networks(request.remote_addr, conf["networks"])):
        return None
    if conf["access"] in ("login", "campus") and claims is None:
        if conf["access"] == "login":
            return redirect(url_for("web.login", next=request.full_path.rstrip("?")))
        raise PermissionDenied("The notice board is open on the campus network only.",
                               "公示栏仅限校园网访问，校外请登录后查看", field="network")
    if conf["access"] not in MODES:
        raise PermissionDenied("The notice board is not open.", "公示栏未开放", field="access")
    return None


def period_text(opens_at, closes_at):
    """'12月6日至12月10日' in Beijing time (a period ending at midnight ends the day before)."""
    opens = datetime.fromisoformat(opens_at).astimezone(BEIJING)
    closes = datetime.fromisoformat(closes_at).astimezone(BEIJING)
    last = closes - timedelta(seconds=1) if (closes.hour, closes.minute, closes.second) == (0, 0, 0) else closes
    if i18n.current_language() == "en":
        return f"{opens:%d %b} – {last:%d %b %Y}"
    return f"{opens.month}月{opens.day}日至{last.month}月{last.day}日"


def closes_text(closes_at):
    closes = datetime.fromisoformat(closes_at).astimezone(BEIJING)
    return i18n.pick(f"{closes.month}月{closes.day}日 {closes:%H:%M}", f"{closes:%d %b %H:%M}")


def today_text():
    now = datetime.now(BEIJING)
    return i18n.pick(f"{now.year}年{now.month}月{now.day}日", f"{now:%d %B %Y}")


def _board():
    with rpc() as cluster:
        board = cluster.applications.public_board()
    for item in board:
        item["period"] = period_text(item["opens_at"], item["closes_at"])
        item["closes"] = closes_text(item["closes_at"])
    return board


def _me_if_logged_in():
    if g.get("actor_id"):
        from gateway.web.pages_common import load_me
        load_me()


@blp.route("/board")
def public_board():
    conf = settings()
    refused = _admit(conf)
    if refused is not None:
        return refused
    _me_if_logged_in()
    return render_template("public_board.html", board=_board(), conf=conf, today=today_text(), single=False)


@blp.route("/board/<campaign_id>")
def public_notice(campaign_id):
    conf = settings()
    refused = _admit(conf)
    if refused is not None:
        return refused
    _me_if_logged_in()
    board = [item for item in _board() if item["campaign_id"] == campaign_id]
    if not board:
        raise NotFound("Nothing of this campaign is on the notice board.", "该评选活动没有公示内容",
                       field="campaign_id")
    return render_template("public_board.html", board=board, conf=conf, today=today_text(), single=True)
