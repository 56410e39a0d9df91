"""The public notice board (/board) on the real gateway and services: what it shows
(project, unit, person responsible, period as notices state it, issuer and contact),
what it never shows (numbers, internal ids, reviewer marks), and who may open it in
each configured mode: public, campus (CIDR, with and without a trusted proxy),
login. Objecting still needs a log-in."""
import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from tests.integration.lifecycle_helpers import college_approved_campaign, end_period, publish_results
from tests.integration.web.test_applicant_pages import _web_login

BOARD = {"ISSUER": "党委学生工作部", "ISSUER_EN": "Student Affairs Office", "CONTACT_PHONE": "0571-86000000",
         "CONTACT_EMAIL": "xgb@example.edu.cn", "CAMPUS_NETWORKS": ["10.0.0.0/8", "2001:db8::/32"]}


@pytest.fixture
def noticed(rpc, config, mongo):
    """A campaign whose results are on public notice: branch_me1 first, branch_em1 second."""
    campaign, apps = college_approved_campaign(rpc, ["branch_me1", "branch_em1", "branch_me2"])
    publish_results(config, mongo, campaign["id"],
                    [(apps["branch_me1"], "excellent", "优秀", 91.25), (apps["branch_em1"], "good", "良好", 84.5)],
                    [(apps["branch_me2"], "below_line", "未入选", 70.0)])
    notice = rpc.applications.open_notice("p_admin", campaign["id"], {"days": 5})
    return campaign, apps, notice


def _app(config, access, hops=0):
    from gateway.app import create_app
    conf = dict(config, PUBLIC_BOARD=dict(BOARD, ACCESS=access))
    conf["GATEWAY"] = dict(config["GATEWAY"], PROXY_HOPS=hops)
    return create_app(conf)


def _visible(html):
    """The text a reader sees (no tags, no attributes)."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", re.sub(r"<(script|style)[^>]*>.*?</\1>", "", html, flags=re.S)))


def test_anyone_reads_the_board_and_it_shows_what_a_notice_on_a_wall_shows(config, noticed):
    campaign, apps, notice = noticed
    client = _app(config, "public").test_client()
    page = client.get("/board")
    assert page.status_code == 200 and page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    text = _visible(html)
    opens = datetime.fromisoformat(notice["opens_at"]).astimezone(ZoneInfo("Asia/Shanghai"))
    closes = datetime.fromisoformat(notice["closes_at"]).astimezone(ZoneInfo("Asia/Shanghai"))
    assert f"{opens.month}月{opens.day}日至{closes.month}月{closes.day}日" in text
    assert campaign["title"] in text and "公示中" in text
    assert "先锋领航进宿舍" in text                               # the project's title
    assert "机电学院学生第一党支部" in text                         # its unit
    assert "李明" in text and "陈静" in text                        # who is responsible: names
    assert "优秀" in text and "良好" in text
    assert "党委学生工作部" in text and "0571-86000000" in text and "xgb@example.edu.cn" in text
    assert "机电学院学生第二党支部" not in text                     # not selected: not on notice
    # Nothing private: no student numbers, internal ids, totals or person ids.
    for secret in ("2023010101", "2023020101", apps["branch_me1"], apps["branch_em1"], campaign["id"], "p_",
                   "91.25", "branch_me1", "college_me", notice["id"]):
        assert secret not in text, secret
    # Objecting needs a log-in, and the log-in comes back to the notice page.
    target = f"/campaigns/{campaign['id']}/notice"
    assert f'href="/login?next=%2Fcampaigns%2F{campaign["id"]}%2Fnotice"' in html or \
           f'href="/login?next={target}"' in html
    # One campaign's notice, printable: issuer and date at the bottom.
    single = client.get(f"/board/{campaign['id']}")
    assert single.status_code == 200
    today = datetime.now(ZoneInfo("Asia/Shanghai"))
    assert re.search(r'class="board-issuer">.*发布单位：党委学生工作部.*日期：%d年%d月%d日' % (
        today.year, today.month, today.day), single.get_data(as_text=True), re.S)
    assert client.get("/board/nothing-here").status_code == 404
    # The log-in page links to the board.
    assert 'href="/board"' in client.get("/login").get_data(as_text=True)
    # Logged in, the board shows the menu and links straight to the notice page.
    _web_login(client, "2023010101")
    logged_in = client.get("/board").get_data(as_text=True)
    assert f'href="{target}"' in logged_in and 'class="menu"' in logged_in


def test_who_may_open_the_board_in_each_mode(config, noticed):
    campaign = noticed[0]
    inside, outside = {"REMOTE_ADDR": "10.20.30.40"}, {"REMOTE_ADDR": "203.0.113.9"}

    campus = _app(config, "campus").test_client()
    assert campus.get("/board", environ_base=inside).status_code == 200
    assert campus.get("/board", environ_base={"REMOTE_ADDR": "2001:db8::7"}).status_code == 200
    refused = campus.get("/board", environ_base=outside)
    assert refused.status_code == 403 and refused.mimetype == "text/html"
    assert "校园网" in refused.get_data(as_text=True) and campaign["title"] not in refused.get_data(as_text=True)
    assert campus.get(f"/board/{campaign['id']}", environ_base=outside).status_code == 403
    # Without a trusted proxy, a forwarded address is the client's own claim: ignored.
    forged = campus.get("/board", environ_base=outside, headers={"X-Forwarded-For": "10.1.1.1"})
    assert forged.status_code == 403
    # Logged in, from anywhere.
    _web_login(campus, "2023020101")
    assert campus.get("/board", environ_base=outside).status_code == 200

    behind_proxy = _app(config, "campus", hops=1).test_client()
    proxy = {"REMOTE_ADDR": "127.0.0.1"}
    assert behind_proxy.get("/board", environ_base=proxy,
                            headers={"X-Forwarded-For": "10.9.8.7"}).status_code == 200
    assert behind_proxy.get("/board", environ_base=proxy,
                            headers={"X-Forwarded-For": "203.0.113.9"}).status_code == 403

    login = _app(config, "login").test_client()
    gate = login.get("/board", environ_base=inside)
    assert gate.status_code == 302 and gate.headers["Location"] == "/login?next=/board"
    _web_login(login, "counselor_me")
    assert campaign["title"] in login.get("/board").get_data(as_text=True)

    closed = _app(config, "nobody").test_client()
    assert closed.get("/board", environ_base=inside).status_code == 403


def test_a_final_list_stays_on_the_board_with_its_status(config, noticed, rpc, mongo):
    campaign, apps, notice = noticed
    end_period(mongo, notice["id"])
    client = _app(config, "public").test_client()
    assert "公示期已结束" in _visible(client.get("/board").get_data(as_text=True))
    rpc.applications.finalise_notice("p_admin", notice["id"])
    text = _visible(client.get("/board").get_data(as_text=True))
    assert "正式名单" in text and "李明" in text and "登录后提出异议" not in text
