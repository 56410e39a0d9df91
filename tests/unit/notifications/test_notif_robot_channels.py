"""DingTalk and WeCom group-robot channels against a local receiver standing in for their APIs."""
import json
import time
from urllib.parse import parse_qs, urlsplit

from services.notifications.channels import DingTalkChannel, WeComChannel
from services.notifications.domain import signing

DING_SECRET = "SECdemo0123456789"


def dingtalk_stand_in(request):
    """What DingTalk checks for a robot with 加签 security: timestamp within an hour, sign."""
    query = parse_qs(urlsplit(request["path"]).query)
    if query.get("access_token") != ["tok"]:
        return 200, {"errcode": 300001, "errmsg": "token is not exist"}
    if "sign" in query:
        ok = signing.dingtalk_verify(DING_SECRET, query["timestamp"][0], query["sign"][0])
        if not ok:
            return 200, {"errcode": 310000, "errmsg": "sign not match"}
    return 200, {"errcode": 0, "errmsg": "ok"}


def robot_message(url, **changes):
    base = {"delivery_id": "d1", "event_id": "e1", "event_type": "notice.published", "to": url,
            "subject": "【创先】公示：文明寝室 名单", "body": "公示期至 2024-10-06 17:00\n1. 学1-203", "lang": "zh",
            "options": {}}
    base.update(changes)
    return base


def test_dingtalk_signed_markdown(http_receiver):
    http_receiver.check = dingtalk_stand_in
    channel = DingTalkChannel({"timeout": 2, "rate_limit": {"per_minute": 20}})
    assert channel.rate_limit.burst == 20
    result = channel.send(robot_message(http_receiver.url + "/robot/send?access_token=tok", secret=DING_SECRET,
                                        options={"at_mobiles": ["13800000000"]}))
    assert result.ok and result.detail == "dingtalk: ok", result
    request = http_receiver.requests[0]
    query = parse_qs(urlsplit(request["path"]).query)
    assert abs(int(query["timestamp"][0]) - time.time() * 1000) < 60_000
    assert request["headers"]["Content-Type"] == "application/json; charset=utf-8"
    body = json.loads(request["body"].decode("utf-8"))
    assert body["msgtype"] == "markdown"
    assert body["markdown"]["title"] == "【创先】公示：文明寝室 名单"
    assert body["markdown"]["text"].startswith("### 【创先】公示：文明寝室 名单\n\n公示期至")
    assert body["at"]["atMobiles"] == ["13800000000"]


def test_dingtalk_text_without_sign_and_keyword_from_config(http_receiver):
    http_receiver.check = dingtalk_stand_in
    channel = DingTalkChannel({"msgtype": "text", "keyword": "创先平台"})
    assert channel.send(robot_message(http_receiver.url + "/robot/send?access_token=tok")).ok
    body = json.loads(http_receiver.requests[0]["body"])
    assert body["msgtype"] == "text" and body["text"]["content"].startswith("创先平台 【创先】公示")
    assert "sign" not in http_receiver.requests[0]["path"]


def test_dingtalk_bad_sign_is_a_failure_not_retried(http_receiver):
    http_receiver.check = dingtalk_stand_in
    result = DingTalkChannel().send(robot_message(http_receiver.url + "/robot/send?access_token=tok",
                                                  secret="SECwrong"))
    assert not result.ok and not result.retryable and "310000" in result.detail


def test_dingtalk_rate_limited_is_retryable(http_receiver):
    http_receiver.script = [(200, {"errcode": 130101, "errmsg": "send too fast, exceed 20 times per minute"})]
    result = DingTalkChannel().send(robot_message(http_receiver.url + "/robot/send?access_token=tok"))
    assert not result.ok and result.retryable


def test_wecom_markdown_and_text(http_receiver):
    http_receiver.script = [(200, {"errcode": 0, "errmsg": "ok"})]
    channel = WeComChannel({"timeout": 2})
    url = http_receiver.url + "/cgi-bin/webhook/send?key=abc"
    assert channel.send(robot_message(url)).ok
    body = json.loads(http_receiver.requests[0]["body"])
    assert body == {"msgtype": "markdown",
                    "markdown": {"content": "### 【创先】公示：文明寝室 名单\n公示期至 2024-10-06 17:00\n1. 学1-203"}}
    assert http_receiver.requests[0]["path"] == "/cgi-bin/webhook/send?key=abc"
    assert channel.send(robot_message(url, options={"msgtype": "text", "mentioned_mobile_list": ["@all"]})).ok
    body = json.loads(http_receiver.requests[1]["body"])
    assert body["msgtype"] == "text" and body["text"]["mentioned_mobile_list"] == ["@all"]


def test_wecom_errcodes_and_http_errors(http_receiver, silent_port):
    url = http_receiver.url + "/cgi-bin/webhook/send?key=abc"
    channel = WeComChannel({"timeout": {"connect": 0.5, "read": 0.3}})
    http_receiver.script = [(200, {"errcode": 93000, "errmsg": "invalid webhook url"})]
    assert (lambda r: (r.ok, r.retryable))(channel.send(robot_message(url))) == (False, False)
    http_receiver.script = [(200, {"errcode": 45009, "errmsg": "api freq out of limit"})]
    assert (lambda r: (r.ok, r.retryable))(channel.send(robot_message(url))) == (False, True)
    http_receiver.script = [(502, "bad gateway")]
    assert (lambda r: (r.ok, r.retryable))(channel.send(robot_message(url))) == (False, True)
    http_receiver.script = [(200, "<html>not json</html>")]
    assert (lambda r: (r.ok, r.retryable))(channel.send(robot_message(url))) == (False, True)
    timeout = channel.send(robot_message(f"http://127.0.0.1:{silent_port}/cgi-bin/webhook/send?key=abc"))
    assert not timeout.ok and timeout.retryable
    bad = channel.send(robot_message(url, options={"msgtype": "card"}))
    assert not bad.ok and not bad.retryable
