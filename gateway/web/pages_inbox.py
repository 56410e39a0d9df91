"""The inbox (消息): the person's notifications, newest first, paged by key; open
one (it is marked read), mark all read; the unread badge on the menu; and `/go`,
where every link in a message (inbox, e-mail, robots: services/notifications/
links.py) lands and is sent on to the real page for whoever opens it.

The badge asks the notifications service with a short deadline
(GATEWAY.BADGE_TIMEOUT_SECONDS, 1 s): when it does not answer, pages render without
a count, and for BADGE_COOLDOWN_SECONDS nobody waits for it again.
"""
import time
from urllib.parse import urlsplit

from flask import current_app, g, redirect, render_template, request, url_for

from core.errors import NotFound
from gateway.api import rpc
from gateway.status import ask_all
from gateway.web import blp, i18n, menu, session
from gateway.web.page_helpers import with_message
from gateway.web.pages_common import load_me

i18n.add({
    "inbox": ("消息", "Inbox"),
    "inbox_unread": ("未读消息", "unread"),
    "inbox_empty": ("暂无消息", "No messages"),
    "inbox_open": ("查看", "Open"),
    "inbox_mark_all": ("全部标为已读", "Mark all read"),
    "inbox_marked_all": ("已将 {n} 条消息标为已读", "{n} message(s) marked read"),
    "inbox_older": ("更早的消息", "Older messages"),
    "inbox_newest": ("最新消息", "Newest messages"),
    "inbox_read": ("已读", "Read"),
    "inbox_new": ("未读", "Unread"),
    "inbox_only_unread": ("只看未读", "Unread only"),
    "inbox_all": ("全部消息", "All messages"),
})
menu.add("web.inbox", "inbox", position=1)
PAGE_SIZE = 20
_badge_down_until = [0.0]


@blp.app_template_global()
def unread_badge():
    """The number of unread messages of the logged-in person, or None (not logged in,
    or the notifications service did not answer in time)."""
    actor_id = g.get("actor_id")
    if not actor_id or time.monotonic() < _badge_down_until[0]:
        return None
    if "unread_badge" not in g:
        gateway = current_app.config["CX"].get("GATEWAY", {})
        answer = ask_all(current_app.config["CX"], {"n": ("notifications", "unread_count", (actor_id,))},
                         float(gateway.get("BADGE_TIMEOUT_SECONDS", 1)))["n"]
        if not answer["ok"]:
            _badge_down_until[0] = time.monotonic() + float(gateway.get("BADGE_COOLDOWN_SECONDS", 10))
        g.unread_badge = (answer["result"] or {}).get("unread") if answer["ok"] else None
    return g.unread_badge


def local_path(link):
    """A message's link as a path on this site ("/go/claim/c-1"): whatever host the
    message was written for, the reader stays here."""
    parts = urlsplit(link or "")
    path = parts.path or "/"
    if not path.startswith("/") or path.startswith("//"):
        return "/"
    return path + (f"?{parts.query}" if parts.query else "")


@blp.route("/inbox")
@session.page_login_required
def inbox():
    load_me()
    query = {"limit": PAGE_SIZE + 1, "unread": request.args.get("unread") == "1"}
    if request.args.get("after"):   # the last message of the page before (paging by key)
        query["before_id"] = request.args["after"][:128]
    with rpc() as cluster:
        found = cluster.notifications.inbox(g.actor_id, query)
    items = found["items"][:PAGE_SIZE]
    g.unread_badge = found["unread"]
    older = items[-1]["id"] if len(found["items"]) > PAGE_SIZE else None
    shown = [dict(i, path=local_path(i.get("link")), body=_without_link(i)) for i in items]
    return render_template("inbox.html", items=shown,
                           unread=found["unread"], older=older, unread_only=query["unread"],
                           paged=bool(request.args.get("after")))


def _without_link(item):
    """The body without its link line: the page links the message itself."""
    body, link = item.get("body") or "", item.get("link") or ""
    return (body.replace(link, "") if link else body).strip()


@blp.route("/inbox/<item_id>/open")
@session.page_login_required
def inbox_open(item_id):
    """Marks the message read and goes where it links (only a path on this site)."""
    with rpc() as cluster:
        cluster.notifications.mark_read(g.actor_id, {"ids": [item_id]})
    return redirect(local_path(request.args.get("to")))


@blp.route("/inbox/read-all", methods=["POST"])
@session.page_login_required
def inbox_read_all():
    with rpc() as cluster:
        changed = cluster.notifications.mark_read(g.actor_id, {})["changed"]
    return redirect(with_message(url_for("web.inbox"), "inbox_marked_all", n=changed))


def _claim_page(cluster, claim_id):
    claim = cluster.funding.get_claim(g.actor_id, claim_id)
    if "web.claim_page" in current_app.view_functions:
        return url_for("web.claim_page", claim_id=claim_id)
    if {"approve", "pay"} & set(claim.get("actions") or []):
        return url_for("web.finance_queue")
    return url_for("web.project_page", grant_id=claim["grant_id"])


#: kind of /go link -> its page (the id is checked by the page itself, as the person)
PAGES = {
    "application": lambda _c, ident: url_for("web.application_page", application_id=ident),
    "reviews": lambda _c, _ident: url_for("web.my_reviews"),
    "notice": lambda _c, ident: url_for("web.notice_page", campaign_id=ident),
    "final-list": lambda _c, ident: url_for("web.final_list_page", campaign_id=ident),
    "award": lambda _c, ident: url_for("web.final_list_page", campaign_id=ident),
    "project": lambda _c, ident: url_for("web.project_page", grant_id=ident),
    "claim": _claim_page,
    "campaign": lambda _c, ident: url_for("web.campaign_page", campaign_id=ident),
}


@blp.route("/go/<kind>/<ident>")
@session.page_login_required
def go(kind, ident):
    """Where a message's link lands: on to the page for this person (log-in first)."""
    if kind not in PAGES:
        raise NotFound("No such page.", "页面不存在", field="link")
    with rpc() as cluster:
        return redirect(PAGES[kind](cluster, ident))
