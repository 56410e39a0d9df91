"""A real application through the gateway → messages in the inbox (served by the
gateway) and e-mails through a real SMTP server, following each person's preferences."""
from tests.integration.notifications.conftest import (
    ADMIN, COUNSELOR, SECRETARY, deliveries, seed_emails, submitted_application, wait_for,
)

COUNSELOR_MAIL = "sun.fdy@cx.example.edu.cn"
SECRETARY_MAIL = "liming@stu.cx.example.edu.cn"


def test_submission_reaches_the_counselors_inbox_and_mail_follows_preferences(http, rpc, mongo, smtp_sink):
    seed_emails(rpc, {COUNSELOR: COUNSELOR_MAIL, SECRETARY: SECRETARY_MAIL})
    # A submission reaches the counselor's inbox only, by default; she opts in to e-mail for it.
    prefs = http.as_(COUNSELOR, "GET", "/api/notifications/preferences")
    assert prefs.status_code == 200, prefs.json
    assert prefs.json["effective"]["application.submitted"] == ["inbox"]
    assert prefs.json["available_channels"] == ["inbox", "email"]
    changed = http.as_(COUNSELOR, "PATCH", "/api/notifications/preferences",
                       json={"events": {"application.submitted": {"email": True}}})
    assert changed.status_code == 200, changed.json
    assert changed.json["effective"]["application.submitted"] == ["inbox", "email"]
    # The inbox of an event that asks you to act cannot be muted; bad input stores nothing.
    refused = http.as_(SECRETARY, "PATCH", "/api/notifications/preferences",
                       json={"events": {"application.returned": {"inbox": False}, "nope.nothing": {"email": True}}})
    assert refused.status_code == 422
    assert {d["field"] for d in refused.json["details"]} == {"events.application.returned.inbox", "events.nope.nothing"}
    assert refused.json["message_zh"]
    assert http.as_(SECRETARY, "GET", "/api/notifications/preferences").json["events"] == {}

    app_id = submitted_application(http)

    def counselor_inbox():
        items = http.as_(COUNSELOR, "GET", "/api/notifications/inbox").json["items"]
        return [i for i in items if i["event_type"] == "application.submitted"]

    [item] = wait_for(counselor_inbox)
    assert "机电学院学生第一党支部" in item["subject"] and item["subject"].startswith("【创先】申报已提交")
    assert app_id in item["body"] and "孙辅导员您好" in item["body"] and "对标争先" in item["body"]
    assert item["link"] == f"http://cx.example.edu.cn/go/application/{app_id}"
    assert item["read"] is False
    # the secretary gets a receipt of her own submission; another college's counselor nothing
    assert wait_for(lambda: http.as_(SECRETARY, "GET", "/api/notifications/inbox").json["unread"] == 1)
    assert http.as_("counselor_em", "GET", "/api/notifications/inbox").json == {"items": [], "unread": 0}

    # e-mail to the counselor (opted in), none to the secretary (submission mails are off by default)
    [mail] = wait_for(lambda: [m for m in smtp_sink.messages()
                               if header(m, "X-Chuangxian-Delivery") in _ids(mongo, app_id, "email")])
    assert mail["Subject"] == item["subject"]
    assert COUNSELOR_MAIL in str(mail["To"]) and "noreply@cx.example.edu.cn" in str(mail["From"])
    assert mail["X-Chuangxian-Event"] == "application.submitted"
    assert header(mail, "Message-ID") == f"<{header(mail, 'X-Chuangxian-Delivery')}@cx.example.edu.cn>"
    assert app_id in mail.get_content() and mail.get_content_charset() == "utf-8"
    assert not [m for m in smtp_sink.messages() if SECRETARY_MAIL in str(m["To"]) and app_id in m.get_content()]

    # unread count, mark read (only your own items)
    assert http.as_(COUNSELOR, "GET", "/api/notifications/inbox/unread-count").json == {"unread": 1}
    other = http.as_(SECRETARY, "POST", "/api/notifications/inbox/read", json={"ids": [item["id"]]})
    assert other.json == {"changed": 0, "unread": 1}
    mine = http.as_(COUNSELOR, "POST", "/api/notifications/inbox/read", json={"ids": [item["id"]]})
    assert mine.json == {"changed": 1, "unread": 0}
    again = http.as_(COUNSELOR, "GET", "/api/notifications/inbox?unread=true").json
    assert again == {"items": [], "unread": 0}
    read = http.as_(COUNSELOR, "GET", "/api/notifications/inbox").json["items"][0]
    assert read["read"] is True and read["read_at"]

    # a return reaches the secretary by e-mail (default for returns) with the reason
    returned = http.as_(COUNSELOR, "POST", f"/api/applications/{app_id}/actions",
                        json={"action": "return", "reason": "请补充预算明细"})
    assert returned.status_code == 200, returned.json
    returned_mail = wait_for(lambda: [m for m in smtp_sink.messages() if SECRETARY_MAIL in str(m["To"])
                                      and "application.returned" == m["X-Chuangxian-Event"]
                                      and app_id in m.get_content()])
    assert len(returned_mail) == 1 and "请补充预算明细" in returned_mail[0].get_content()
    assert "孙辅导员" in returned_mail[0].get_content()       # the actor's name

    # the secretary withdraws it: the counselor is told, in the inbox only (the default)
    withdrawn = http.as_(SECRETARY, "POST", f"/api/applications/{app_id}/actions", json={"action": "withdraw"})
    assert withdrawn.status_code == 200, withdrawn.json
    [gone] = wait_for(lambda: [i for i in http.as_(COUNSELOR, "GET", "/api/notifications/inbox").json["items"]
                               if i["event_type"] == "application.withdrawn"])
    assert gone["subject"] == "【创先】申报已撤回：机电学院学生第一党支部" and "李明" in gone["body"]

    # every delivery of the flow was delivered exactly once
    states = {(d["event_type"], d["recipient"], d["channel"]): d["state"] for d in deliveries(mongo)}
    assert states[("application.submitted", "user:p_counselor_me", "email")] == "delivered"
    assert states[("application.submitted", "user:p_counselor_me", "inbox")] == "delivered"
    assert ("application.submitted", "user:p_2023010101", "email") not in states
    assert ("application.returned", "user:p_counselor_me", "inbox") not in states   # the actor is not told
    assert ("application.withdrawn", "user:p_counselor_me", "email") not in states

    # admins see deliveries; others may not
    assert http.as_(SECRETARY, "GET", "/api/notifications/deliveries").status_code == 403
    listed = http.as_(ADMIN, "GET", "/api/notifications/deliveries?channel=email").json
    assert {d["state"] for d in listed} == {"delivered"} and all("message" not in d for d in listed)


def header(mail, name):
    """A header's value unfolded (long ones are folded onto a continuation line)."""
    return str(mail[name]).strip()


def _ids(mongo, app_id, channel):
    return {d["_id"] for d in deliveries(mongo, channel=channel) if app_id in d["event_id"]}
