"""Message bodies of the DingTalk (钉钉) and WeCom (企业微信) group robots.

DingTalk custom robot (POST JSON to ``https://oapi.dingtalk.com/robot/send?access_token=…``)::

    {"msgtype": "text", "text": {"content": "…"},
     "at": {"atMobiles": [...], "atUserIds": [...], "isAtAll": false}}
    {"msgtype": "markdown", "markdown": {"title": "…", "text": "### …"}, "at": {...}}

WeCom group robot (POST JSON to ``https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…``)::

    {"msgtype": "text", "text": {"content": "…", "mentioned_list": [...],
                                 "mentioned_mobile_list": [...]}}
    {"msgtype": "markdown", "markdown": {"content": "…"}}

Both answer HTTP 200 with ``{"errcode": 0, "errmsg": "ok"}`` on success; any other
errcode is a failure (``robot_result`` tells whether a retry can help). WeCom limits
text to 2048 bytes and markdown to 4096 bytes (UTF-8); both robots take at most 20
messages a minute, so their channels carry a rate limit of that size.

DingTalk's "custom keyword" security option refuses messages without one of the
robot's keywords; set ``keyword`` in the channel options and it is put in front of the
title when the text does not contain it.
"""
MSGTYPES = ("text", "markdown")
WECOM_TEXT_BYTES = 2048
WECOM_MARKDOWN_BYTES = 4096
DINGTALK_TEXT_BYTES = 20000

# errcodes after which a later try can succeed (rate limits, "system busy")
DINGTALK_RETRYABLE = {-1, 130101, 410100, 90030}
WECOM_RETRYABLE = {-1, 45009, 45033}


def truncate_utf8(text, max_bytes, ellipsis="…"):
    """Cut ``text`` so its UTF-8 form fits ``max_bytes``, never inside a character."""
    raw = text.encode("utf-8")
    if len(raw) <= max_bytes:
        return text
    room = max_bytes - len(ellipsis.encode("utf-8"))
    return raw[:room].decode("utf-8", errors="ignore") + ellipsis


def _check(msgtype):
    if msgtype not in MSGTYPES:
        raise ValueError(f"msgtype must be one of {MSGTYPES}: {msgtype!r}")


def dingtalk_message(subject, body, msgtype="markdown", at_mobiles=(), at_user_ids=(), at_all=False,
                     keyword=None):
    _check(msgtype)
    if keyword and keyword not in subject and keyword not in body:
        subject = f"{keyword} {subject}"
    at = {"atMobiles": list(at_mobiles), "atUserIds": list(at_user_ids), "isAtAll": bool(at_all)}
    if msgtype == "text":
        content = truncate_utf8(f"{subject}\n\n{body}", DINGTALK_TEXT_BYTES)
        return {"msgtype": "text", "text": {"content": content}, "at": at}
    # DingTalk markdown needs a blank line for a line break; @mobile must be in the text.
    text = f"### {subject}\n\n" + body.replace("\r\n", "\n").replace("\n", "\n\n")
    if at_mobiles:
        text += "\n\n" + " ".join(f"@{m}" for m in at_mobiles)
    return {"msgtype": "markdown", "markdown": {"title": subject, "text": truncate_utf8(text, DINGTALK_TEXT_BYTES)},
            "at": at}


def wecom_message(subject, body, msgtype="markdown", mentioned_list=(), mentioned_mobile_list=()):
    _check(msgtype)
    if msgtype == "text":
        text = {"content": truncate_utf8(f"{subject}\n\n{body}", WECOM_TEXT_BYTES)}
        if mentioned_list:
            text["mentioned_list"] = list(mentioned_list)
        if mentioned_mobile_list:
            text["mentioned_mobile_list"] = list(mentioned_mobile_list)
        return {"msgtype": "text", "text": text}
    content = truncate_utf8(f"### {subject}\n{body}", WECOM_MARKDOWN_BYTES)
    return {"msgtype": "markdown", "markdown": {"content": content}}


def robot_result(kind, response_json):
    """(ok, retryable, detail) from a robot's JSON answer; ``kind`` is "dingtalk" or "wecom"."""
    if not isinstance(response_json, dict) or "errcode" not in response_json:
        return False, True, f"{kind}: unexpected answer {str(response_json)[:200]!r}"
    code = response_json.get("errcode")
    message = response_json.get("errmsg", "")
    if code == 0:
        return True, False, f"{kind}: ok"
    retryable = code in (DINGTALK_RETRYABLE if kind == "dingtalk" else WECOM_RETRYABLE)
    return False, retryable, f"{kind}: errcode {code}: {message}"


__all__ = ["dingtalk_message", "wecom_message", "robot_result", "truncate_utf8"]
