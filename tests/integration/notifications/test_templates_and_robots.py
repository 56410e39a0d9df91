"""Admin template overrides (validated, per program and event type) and the DingTalk /
WeCom group robots configured in NOTIFICATIONS.ROBOTS, against a local receiver."""
import json
from urllib.parse import parse_qs

import pytest

from services.notifications.domain.signing import dingtalk_verify
from tests.integration.notifications.conftest import ADMIN, COUNSELOR, SECRETARY, submitted_application, wait_for

DINGTALK_SECRET = "SEC0123456789abcdef0123456789abcdef"
ROBOT_OK = (200, {"errcode": 0, "errmsg": "ok"})


@pytest.fixture
def config(config, receiver):
    config["NOTIFICATIONS"]["ROBOTS"] = [
        {"name": "学工部钉钉群", "channel": "dingtalk", "url": receiver.url + "/dingtalk?access_token=t0k3n",
         "secret": DINGTALK_SECRET, "event_types": ["application.submitted"], "options": {"msgtype": "markdown"}},
        {"name": "学院企业微信群", "channel": "wecom", "url": receiver.url + "/wecom?key=k3y",
         "event_types": ["application.submitted"], "programs": ["pilot_branches"], "options": {"msgtype": "text"}},
    ]
    receiver.behaviour["/dingtalk"] = [ROBOT_OK]
    receiver.behaviour["/wecom"] = [(200, {"errcode": 45009, "errmsg": "api freq out of limit"}), ROBOT_OK]
    return config


def test_template_overrides_and_group_robots(http, mongo, receiver):
    listed = http.as_(ADMIN, "GET", "/api/notifications/templates?event_type=application.submitted").json
    [entry] = listed
    assert entry["overrides"] == [] and "applicant_name" in entry["placeholders"]
    assert entry["defaults"]["zh"]["subject"].startswith("【创先】申报已提交")

    refused = http.as_(ADMIN, "PUT", "/api/notifications/templates", json={
        "event_type": "application.submitted", "lang": "zh", "program": "pilot_branches",
        "subject": "${applicant_name} 提交了 ${nope}", "body": "花费 5$"})
    assert refused.status_code == 422
    assert {d["field"] for d in refused.json["details"]} == {"subject", "body"}
    assert "${nope}" in refused.json["message"] and "applicant_name" in refused.json["message"]
    assert mongo("notifications").templates.count_documents({}) == 0
    assert http.as_(SECRETARY, "PUT", "/api/notifications/templates", json={
        "event_type": "application.submitted", "lang": "zh", "subject": "x", "body": "y"}).status_code == 403

    saved = http.as_(ADMIN, "PUT", "/api/notifications/templates", json={
        "event_type": "application.submitted", "lang": "zh", "program": "pilot_branches",
        "subject": "【对标争先】${applicant_name} 已提交申报",
        "body": "${reader_name}：${applicant_name} 提交了申报 ${application_id}，请于一周内完成初审。费用以 $$ 计。"})
    assert saved.status_code == 200, saved.json
    assert saved.json["key"] == "pilot_branches|application.submitted|zh"

    app_id = submitted_application(http)
    item = wait_for(lambda: http.as_(COUNSELOR, "GET", "/api/notifications/inbox").json["items"])[0]
    assert item["subject"] == "【对标争先】机电学院学生第一党支部 已提交申报"
    assert item["body"] == f"孙辅导员：机电学院学生第一党支部 提交了申报 {app_id}，请于一周内完成初审。费用以 $ 计。"

    # DingTalk: markdown to the signed robot URL (加签: timestamp + sign verified as DingTalk does)
    [ding] = wait_for(lambda: receiver.seen("/dingtalk"))
    query = parse_qs(ding["query"])
    assert query["access_token"] == ["t0k3n"]
    assert dingtalk_verify(DINGTALK_SECRET, query["timestamp"][0], query["sign"][0])
    assert not dingtalk_verify("SECwrong", query["timestamp"][0], query["sign"][0])
    message = json.loads(ding["body"])
    assert message["msgtype"] == "markdown" and message["markdown"]["title"] == item["subject"]
    assert app_id in message["markdown"]["text"]

    # WeCom: text; its rate-limit errcode 45009 is retried, then accepted
    wecom = wait_for(lambda: len(receiver.seen("/wecom")) == 2 and receiver.seen("/wecom"))
    assert parse_qs(wecom[1]["query"])["key"] == ["k3y"]
    text = json.loads(wecom[1]["body"])
    assert text["msgtype"] == "text" and text["text"]["content"].startswith(item["subject"])
    robots = list(mongo("notifications").deliveries.find({"channel": {"$in": ["dingtalk", "wecom"]}}))
    assert {(d["channel"], d["state"], d["attempts"]) for d in robots} == {("dingtalk", "delivered", 1),
                                                                          ("wecom", "delivered", 2)}
    # robot URLs carry their token: admins see them masked
    subscriptions = http.as_(ADMIN, "GET", "/api/notifications/subscriptions").json
    assert {s["url"] for s in subscriptions} == {receiver.url + "/dingtalk?…", receiver.url + "/wecom?…"}
    assert all(s["origin"] == "config" for s in subscriptions)

    # back to the default text
    deleted = http.as_(ADMIN, "DELETE", "/api/notifications/templates/application.submitted/zh?program=pilot_branches")
    assert deleted.json == {"deleted": 1}
    assert http.as_(ADMIN, "GET", "/api/notifications/templates?event_type=application.submitted").json[0][
        "overrides"] == []
