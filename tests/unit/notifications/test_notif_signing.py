import json
from urllib.parse import parse_qs, urlsplit

import pytest

from services.notifications.domain import robots
from services.notifications.domain import signing as sg

SECRET = "whsec_test"
BODY = b'{"a":1}'


def test_signature_matches_a_value_computed_with_openssl():
    # printf '1700000000.{"a":1}' | openssl dgst -sha256 -hmac whsec_test -hex
    expected = "38877139021993b830af32feea6e18a8da83eb2f6e49ee50bd9e4cf4ca4d3789"
    assert sg.compute_signature(SECRET, 1700000000, BODY) == expected
    assert sg.sign(SECRET, BODY, 1700000000) == f"t=1700000000,v1={expected}"


def test_round_trip():
    header = sg.sign(SECRET, BODY, 1700000000)
    assert sg.verify(SECRET, BODY, header, now=1700000100) == 1700000000
    assert sg.is_valid(SECRET, BODY.decode(), header, now=1700000000)   # str body = its UTF-8 bytes


def test_stale_and_future_timestamps_are_refused():
    header = sg.sign(SECRET, BODY, 1700000000)
    with pytest.raises(sg.SignatureInvalid) as caught:
        sg.verify(SECRET, BODY, header, now=1700000301)
    assert "tolerance" in caught.value.message_en and "容差" in caught.value.message_zh
    assert not sg.is_valid(SECRET, BODY, header, now=1699999000)
    assert sg.is_valid(SECRET, BODY, header, now=1700000600, tolerance=600)


def test_tampered_body_wrong_secret_and_malformed_headers_are_refused():
    header = sg.sign(SECRET, BODY, 1700000000)
    assert not sg.is_valid(SECRET, b'{"a":2}', header, now=1700000000)
    assert not sg.is_valid("other", BODY, header, now=1700000000)
    forged_time = header.replace("t=1700000000", "t=1700000001")
    assert not sg.is_valid(SECRET, BODY, forged_time, now=1700000000)
    for bad in ("", "garbage", "t=abc,v1=00", "v1=abc", "t=1700000000"):
        with pytest.raises(sg.SignatureInvalid):
            sg.verify(SECRET, BODY, bad, now=1700000000)


def test_secret_rotation():
    header = sg.sign(["new-secret", SECRET], BODY, 1700000000)
    assert header.count("v1=") == 2
    assert sg.is_valid(SECRET, BODY, header, now=1700000000)
    assert sg.is_valid("new-secret", BODY, header, now=1700000000)
    old_header = sg.sign(SECRET, BODY, 1700000000)
    assert sg.is_valid(["new-secret", SECRET], BODY, old_header, now=1700000000)


def test_webhook_headers():
    headers = sg.webhook_headers(SECRET, BODY, "award.granted", "evt-1", "dlv-1", 1700000000)
    assert headers["X-Chuangxian-Event"] == "award.granted"
    assert headers["X-Chuangxian-Event-Id"] == "evt-1" and headers["X-Chuangxian-Delivery"] == "dlv-1"
    assert sg.is_valid(SECRET, BODY, headers[sg.SIGNATURE_HEADER], now=1700000000)


# ------------------------------------------------------------------ DingTalk

def test_dingtalk_sign_against_a_hand_computed_value():
    # printf '1577262236757\nSEC1234567890abcdef' | openssl dgst -sha256 -hmac SEC1234567890abcdef -binary | base64
    # = f7qQ1A8KagEZ45y1gasTtKsEq5ERTeDXP9T+WkIqzDk=  (standard base64, then URL-encoded)
    sign = sg.dingtalk_sign("SEC1234567890abcdef", 1577262236757)
    assert sign == "f7qQ1A8KagEZ45y1gasTtKsEq5ERTeDXP9T%2BWkIqzDk%3D"


def test_dingtalk_signed_url_keeps_the_token_and_verifies():
    url = sg.dingtalk_signed_url("https://oapi.dingtalk.com/robot/send?access_token=abc&timestamp=1&sign=old",
                                 "SEC1234567890abcdef", 1577262236757)
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    assert parts.path == "/robot/send" and query["access_token"] == ["abc"]
    assert query["timestamp"] == ["1577262236757"] and len(query["sign"]) == 1
    assert query["sign"] == ["f7qQ1A8KagEZ45y1gasTtKsEq5ERTeDXP9T+WkIqzDk="]
    assert sg.dingtalk_verify("SEC1234567890abcdef", 1577262236757, query["sign"][0], now_ms=1577262236757)
    assert not sg.dingtalk_verify("SEC1234567890abcdef", 1577262236757, query["sign"][0],
                                  now_ms=1577262236757 + 3600 * 1000 + 1)
    assert not sg.dingtalk_verify("SECwrong", 1577262236757, query["sign"][0], now_ms=1577262236757)


# ------------------------------------------------------------------ robot formats

def test_dingtalk_formats():
    text = robots.dingtalk_message("公示开始", "第一行\n第二行", "text", at_mobiles=["13800000000"])
    assert text == {"msgtype": "text", "text": {"content": "公示开始\n\n第一行\n第二行"},
                    "at": {"atMobiles": ["13800000000"], "atUserIds": [], "isAtAll": False}}
    md = robots.dingtalk_message("公示开始", "第一行\n第二行", at_mobiles=["13800000000"], keyword="创先")
    assert md["msgtype"] == "markdown" and md["markdown"]["title"] == "创先 公示开始"
    assert md["markdown"]["text"] == "### 创先 公示开始\n\n第一行\n\n第二行\n\n@13800000000"
    with pytest.raises(ValueError):
        robots.dingtalk_message("a", "b", "card")


def test_wecom_formats_and_byte_limits():
    text = robots.wecom_message("报销待审批", "金额 100.00 元", "text", mentioned_mobile_list=["@all"])
    assert text == {"msgtype": "text", "text": {"content": "报销待审批\n\n金额 100.00 元",
                                                "mentioned_mobile_list": ["@all"]}}
    md = robots.wecom_message("标题", "正文")
    assert md == {"msgtype": "markdown", "markdown": {"content": "### 标题\n正文"}}
    long = robots.wecom_message("标题", "长" * 3000, "text")["text"]["content"]
    assert len(long.encode("utf-8")) <= robots.WECOM_TEXT_BYTES and long.endswith("…")
    long_md = robots.wecom_message("标题", "长" * 3000)["markdown"]["content"]
    assert len(long_md.encode("utf-8")) <= robots.WECOM_MARKDOWN_BYTES
    assert robots.truncate_utf8("ab", 10) == "ab"


def test_robot_answers():
    assert robots.robot_result("dingtalk", {"errcode": 0, "errmsg": "ok"}) == (True, False, "dingtalk: ok")
    assert robots.robot_result("dingtalk", {"errcode": 310000, "errmsg": "sign not match"})[:2] == (False, False)
    assert robots.robot_result("dingtalk", {"errcode": 130101, "errmsg": "send too fast"})[:2] == (False, True)
    assert robots.robot_result("wecom", {"errcode": 45009, "errmsg": "api freq out of limit"})[:2] == (False, True)
    assert robots.robot_result("wecom", {"errcode": 93000, "errmsg": "invalid webhook url"})[:2] == (False, False)
    assert robots.robot_result("wecom", None)[:2] == (False, True)
    assert json.dumps(robots.robot_result("wecom", {"errcode": 1}))
