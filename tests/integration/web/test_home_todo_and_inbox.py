"""Home's to-do list, the inbox and the links in messages, on the real gateway and
services (applications, scoring, funding, notifications; no browser).

Real data for each role: a submitted application (the counselor's 待审核), a returned
one (the secretary's 已退回), a college-approved one (the school admin's 待审核) with
a reviewer assigned (待评分), a funded project with a claim at its advisor's step
(待审批报销). Then the inbox (paging, open = read, all read, the badge), every event
type's link as the notifications service renders it, opened by its recipient, and
the to-do list when a service is gone (暂不可用, the rest still there, quickly)."""
import re
import time

import pytest

from services.notifications.links import link_for
from tests.integration.helpers import PDF, another_pdf, b64, campaign_payload, good_form
from tests.integration.lifecycle_helpers import publish_results, wait
from tests.integration.web.test_applicant_pages import _csrf, _web_login

PUBLIC_URL = "http://cx.example.edu.cn"


@pytest.fixture
def extra_services():
    from services.funding.service import FundingService
    from services.notifications.service import NotificationsService
    from services.scoring.service import ScoringService
    return [ScoringService, FundingService, NotificationsService]


@pytest.fixture
def config(config):
    config["NOTIFICATIONS"] = {"PUBLIC_URL": PUBLIC_URL, "REPLAN_AFTER_SECONDS": 1}
    return config


def _registered(rpc):
    try:
        return bool(rpc.scoring.get_criteria("pilot_branches") and rpc.funding.get_rules("pilot_branches")["tiers"])
    except Exception:  # not registered yet
        return False


@pytest.fixture
def world(rpc):
    """The data every test here starts from: {name: id}."""
    assert wait(lambda: _registered(rpc), 20), "pilot_branches never registered with scoring and funding"
    campaign = rpc.applications.open_campaign("p_admin", campaign_payload())
    cid = campaign["id"]

    def submitted(who, form=None):
        app = rpc.applications.create_application(who, cid, {"form": form or good_form()})
        rpc.applications.add_attachment(who, app["id"], "application_form", "申请表.pdf", b64(another_pdf()))
        return rpc.applications.act(who, app["id"], {"action": "submit"})

    waiting = submitted("p_2023010201", good_form(title="支部进社区"))                     # counselor_me: 待审核
    returned = submitted("p_sec_em2")
    rpc.applications.act("p_counselor_em", returned["id"], {"action": "return", "reason": "请补充活动照片"})
    reviewed = submitted("p_2023020101", good_form(title="经管先锋"))
    rpc.applications.act("p_counselor_em", reviewed["id"], {"action": "college_approve"})  # admin: 待审核
    rpc.scoring.configure("p_admin", cid, {})
    rpc.scoring.assign("p_admin", cid, {"application_id": reviewed["id"], "reviewer_id": "p_reviewer"})
    funded = submitted("p_2023010101")
    rpc.applications.act("p_counselor_me", funded["id"], {"action": "college_approve"})
    rpc.applications.act("p_admin", funded["id"], {"action": "approve"})
    rpc.funding.open_campaign("p_admin", {"campaign_id": cid, "budget_yuan": "20000", "deadlines": {
        "implementation_start": "2025-10-01T00:00:00+08:00", "implementation_end": "2030-12-31T23:59:59+08:00",
        "closing_deadline": "2030-12-15T17:00:00+08:00"}}, f"open-{cid}")
    grant = rpc.funding.award_grant("p_admin", cid, {"application_id": funded["id"], "tier": "key",
                                                      "amount_yuan": "5000", "advisor_id": "p_advisor_me"},
                                    f"award-{funded['id']}")
    receipt = rpc.funding.add_attachment("p_2023010101", grant["id"], "receipt", "发票.pdf", b64(PDF))["id"]
    claim = rpc.funding.file_claim("p_2023010101", grant["id"], {
        "items": [{"description": "活动物料", "amount_yuan": "300"}], "receipts": [receipt],
        "purpose": "主题党日活动物料"}, f"claim-{grant['id']}")
    return {"campaign": cid, "waiting": waiting["id"], "returned": returned["id"], "reviewed": reviewed["id"],
            "funded": funded["id"], "grant": grant["id"], "claim": claim["id"]}


def _web(gateway_app, login):
    client = gateway_app.test_client()
    _web_login(client, login)
    return client


def _settled(rpc, person):
    """The person's unread count once no more messages arrive (the events of the
    set-up are delivered asynchronously)."""
    last = None
    for _ in range(40):
        now = rpc.notifications.unread_count(person)["unread"]
        if now == last:
            return now
        last = now
        time.sleep(0.5)
    raise AssertionError(f"{person}'s messages keep arriving")


def _todo(page):
    """{label: (count text, href)} of the home page's to-do items."""
    html = page.get_data(as_text=True)
    found = {}
    for href, label, count in re.findall(
            r'<li class="todo-item[^"]*">\s*<a href="([^"]+)"><span class="todo-label">([^<]+)</span>\s*'
            r'<span class="todo-count">([^<]+)</span>', html):
        found[label] = (count, href)
    return found


def test_each_role_sees_what_waits_for_it_and_every_message_link_opens_a_page(gateway_app, rpc, world, config,
                                                                                  mongo, monkeypatch):
    # One RPC per service, counting what waits for the person.
    assert rpc.applications.todo_counts("p_counselor_me")["review"] == 1
    assert rpc.applications.todo_counts("p_counselor_em")["review"] == 0
    assert rpc.applications.todo_counts("p_admin")["review"] == 1          # college-approved, in the school
    assert rpc.applications.todo_counts("p_sec_em2")["returned"] == 1
    assert rpc.applications.todo_counts("p_2023010201")["returned"] == 0
    assert rpc.scoring.todo_counts("p_reviewer") == {"to_score": 1}
    assert rpc.scoring.todo_counts("p_counselor_me") == {}
    assert rpc.funding.todo_counts("p_advisor_me") == {"claims_to_approve": 1}   # the advisor's step comes first
    assert rpc.funding.todo_counts("p_finance") == {"claims_to_approve": 0}
    assert rpc.funding.todo_counts("p_2023010101") == {}                         # the lead files, never approves

    # The home page shows them with a link to where the person acts.
    expect = {"counselor_me": ("待审核", "1", "/review"), "admin": ("待审核", "1", "/review?state=college_approved"),
              "sec_em2": ("已退回", "1", "/my"), "reviewer": ("待评分", "1", "/reviews"),
              "advisor_me": ("待审批报销", "1", "/finance")}
    for login, (label, count, href) in expect.items():
        client = _web(gateway_app, login)
        page = client.get("/")
        assert page.status_code == 200
        items = _todo(page)
        assert items.get(label) == (count, href), (login, items)
        assert client.get(href).status_code == 200, (login, href)
    # Finance has nothing at its step yet: the item is there, with 0.
    assert _todo(_web(gateway_app, "finance").get("/")).get("待审批报销") == ("0", "/finance")

    # Inbox: the counselor was told of the submission, the secretary of the return.
    assert wait(lambda: rpc.notifications.unread_count("p_counselor_me")["unread"] >= 2, 20)
    unread = _settled(rpc, "p_counselor_me")
    counselor = _web(gateway_app, "counselor_me")
    badge = r'href="/inbox">消息 <span class="unread-badge">%d<' % unread
    for _ in range(3):
        home = counselor.get("/").get_data(as_text=True)
        if re.search(badge, home):
            break
        # The badge waits 1 s for the notifications service and then skips it for 10 s
        # (pages_inbox.unread_badge): on a loaded machine, ask again after that.
        time.sleep(11)
    assert re.search(badge, home), "no unread badge"

    # One message a page: walking "更早的消息" shows every message once, newest first
    # (messages stored at one moment too: the sender stores a batch at one time).
    monkeypatch.setattr("gateway.web.pages_inbox.PAGE_SIZE", 1)
    first = counselor.get("/inbox").get_data(as_text=True)
    assert first.count('class="inbox-item') == 1 and "更早的消息" in first and "最新消息" not in first
    shown, page = [], first
    while True:
        shown += re.findall(r'<a href="/inbox/([^/"]+)/open', page)
        older = re.search(r'href="(/inbox\?after=[^"]+)">更早的消息', page)
        if older is None:
            break
        page = counselor.get(older.group(1).replace("&amp;", "&")).get_data(as_text=True)
        assert page.count('class="inbox-item') == 1 and "最新消息" in page
    assert len(shown) >= 2
    everything = rpc.notifications.inbox("p_counselor_me", {"limit": 200})["items"]
    assert shown == [i["id"] for i in everything]

    opened = re.search(r'<a href="(/inbox/[^"]+/open\?to=[^"]+)">', first).group(1).replace("&amp;", "&")
    went = counselor.get(opened)
    assert went.status_code == 302 and went.headers["Location"].startswith("/go/")
    assert rpc.notifications.unread_count("p_counselor_me")["unread"] == unread - 1
    assert counselor.get(went.headers["Location"], follow_redirects=True).status_code == 200

    token = _csrf(counselor)
    done = counselor.post("/inbox/read-all", data={"csrf_token": token})
    assert done.status_code == 302 and "message=inbox_marked_all" in done.headers["Location"]
    assert "已将 %d 条消息标为已读" % (unread - 1) in counselor.get(done.headers["Location"]).get_data(as_text=True)
    assert rpc.notifications.unread_count("p_counselor_me")["unread"] == 0
    assert 'class="unread-badge"' not in counselor.get("/").get_data(as_text=True)

    # Every event type's link, as the notifications service renders it, opens a real
    # page for its recipient (a notice exists, so the notice pages have something).
    publish_results(config, mongo, world["campaign"], [(world["reviewed"], "excellent", "优秀", 88.5)], [])
    rpc.applications.open_notice("p_admin", world["campaign"], {})
    data = {"application_id": world["returned"], "campaign_id": world["campaign"], "notice_id": "n",
            "award_id": "a", "grant_id": world["grant"], "project_id": world["funded"], "claim_id": world["claim"]}
    recipient = {"application.submitted": "counselor_em", "application.returned": "sec_em2",
                 "application.college_approved": "sec_em2", "application.decided": "sec_em2",
                 "application.withdrawn": "counselor_em", "review.assigned": "reviewer",
                 "notice.published": "2023020101", "notice.closed": "2023020101", "award.granted": "2023020101",
                 "grant.awarded": "2023010101", "claim.submitted": "advisor_me", "claim.approved": "2023010101",
                 "project.closed": "finance", "stage.assessed": "sec_em2"}
    types = [t["type"] for t in rpc.notifications.event_types()]
    assert set(types) == set(recipient), "a new event type needs its recipient here"
    logged_out = gateway_app.test_client()
    clients = {}
    for event_type in types:
        link = link_for(PUBLIC_URL, {"type": event_type, "data": data})
        path = link[len(PUBLIC_URL):]
        assert path.startswith("/go/") and "/api/" not in path, link
        client = clients.setdefault(recipient[event_type], _web(gateway_app, recipient[event_type]))
        page = client.get(path, follow_redirects=True)
        assert page.status_code == 200 and page.mimetype == "text/html", (event_type, path, page.status_code)
        assert "/api/" not in page.request.path
        gate = logged_out.get(path)
        assert gate.status_code == 302 and gate.headers["Location"].startswith("/login?next=/go/"), event_type

    # The links really stored in people's inboxes open too.
    for person, login in (("p_sec_em2", "sec_em2"), ("p_reviewer", "reviewer"), ("p_2023010101", "2023010101")):
        assert wait(lambda: rpc.notifications.inbox(person, {})["items"], 20), f"{login} was told nothing"
        client = clients.get(login) or _web(gateway_app, login)
        for item in rpc.notifications.inbox(person, {})["items"]:
            assert item["link"].startswith(PUBLIC_URL + "/go/"), item["link"]
            page = client.get(item["link"][len(PUBLIC_URL):], follow_redirects=True)
            assert page.status_code == 200 and page.mimetype == "text/html", (item["event_type"], item["link"])


def test_a_service_that_does_not_answer_shows_as_unavailable_and_the_rest_renders(gateway_app, rpc, world,
                                                                                   platform):
    reviewer = _web(gateway_app, "reviewer")
    counselor = _web(gateway_app, "counselor_me")
    assert _todo(reviewer.get("/")).get("待评分") == ("1", "/reviews")
    for container in platform.containers:
        if container.service_name in ("scoring", "notifications"):
            container.stop()
    began = time.monotonic()
    page = reviewer.get("/")
    took = time.monotonic() - began
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and took < 6, took
    assert "评分任务" in html and "暂不可用" in html and "待评分" not in html
    assert 'class="unread-badge"' not in html
    # The counselor's other services answer: their items are there.
    other = counselor.get("/")
    items = _todo(other)
    assert items.get("待审核") == ("1", "/review")
    assert other.status_code == 200
    # The badge is given up on for a while: other pages do not wait for it again.
    began = time.monotonic()
    assert counselor.get("/review").status_code == 200
    assert time.monotonic() - began < 1.5
