"""DingTalk (钉钉) and WeCom (企业微信) group robots.

A robot is a subscription (``domain.subscriptions``): ``to`` is the robot's webhook URL
(``https://oapi.dingtalk.com/robot/send?access_token=…`` or
``https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…``), ``secret`` the DingTalk
加签 secret (``SEC…``) when that security option is on, ``options`` the message
options. Both answer HTTP 200 with ``{"errcode": 0}`` on success; a non-zero errcode
is a failure (retryable for their rate-limit / busy codes, see ``domain.robots``).

Configuration::

    dingtalk: {type: dingtalk, msgtype: markdown, keyword: null, timeout: 5,
               rate_limit: {per_minute: 20}}
    wecom:    {type: wecom, msgtype: markdown, timeout: 5, rate_limit: {per_minute: 20}}

Per-subscription ``options`` override ``msgtype`` and add mentions: DingTalk
``at_mobiles``, ``at_user_ids``, ``at_all``, ``keyword``; WeCom ``mentioned_list``,
``mentioned_mobile_list``.
"""
import json
import time

from ..domain.robots import dingtalk_message, robot_result, wecom_message
from ..domain.signing import dingtalk_signed_url
from .base import Channel, DeliveryResult
from .http import Poster, classify_status


class _RobotChannel(Channel):
    audience = "system"
    kind = ""

    def __init__(self, config=None, name=None, clock=time.time):
        super().__init__(config, name)
        self.poster = Poster(self.config)
        self.clock = clock

    def options(self, message):
        merged = {"msgtype": self.config.get("msgtype", "markdown")}
        for key in ("keyword",):
            if key in self.config:
                merged[key] = self.config[key]
        merged.update(message.get("options") or {})
        return merged

    def url(self, message):
        return message["to"]

    def build(self, message):
        raise NotImplementedError

    def send(self, message):
        try:
            payload = self.build(message)
        except (KeyError, ValueError) as error:
            return DeliveryResult.permanent(f"{self.kind}: bad message: {error}")
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        response, error, retryable = self.poster.post(
            self.url(message), body, {"Content-Type": "application/json; charset=utf-8"})
        if response is None:
            return DeliveryResult(False, retryable, f"{self.kind}: {error}")
        ok, retryable = classify_status(response.status_code)
        if not ok:
            return DeliveryResult(False, retryable, f"{self.kind}: HTTP {response.status_code}",
                                  response.status_code)
        try:
            answer = response.json()
        except ValueError:
            answer = None
        ok, retryable, detail = robot_result(self.kind, answer)
        return DeliveryResult(ok, retryable, detail, response.status_code)

    def close(self):
        self.poster.close()


class DingTalkChannel(_RobotChannel):
    type_name = kind = "dingtalk"

    def url(self, message):
        secret = message.get("secret") or self.config.get("secret")
        if secret:
            return dingtalk_signed_url(message["to"], secret, int(self.clock() * 1000))
        return message["to"]

    def build(self, message):
        o = self.options(message)
        return dingtalk_message(message["subject"], message["body"], o.get("msgtype", "markdown"),
                                at_mobiles=o.get("at_mobiles", ()), at_user_ids=o.get("at_user_ids", ()),
                                at_all=o.get("at_all", False), keyword=o.get("keyword"))


class WeComChannel(_RobotChannel):
    type_name = kind = "wecom"

    def build(self, message):
        o = self.options(message)
        return wecom_message(message["subject"], message["body"], o.get("msgtype", "markdown"),
                             mentioned_list=o.get("mentioned_list", ()),
                             mentioned_mobile_list=o.get("mentioned_mobile_list", ()))


__all__ = ["DingTalkChannel", "WeComChannel", "DeliveryResult"]
