"""Signed webhooks to other campus systems.

Each delivery is ``POST <subscription url>`` with the event envelope as a UTF-8 JSON
body and these headers (``domain.signing``)::

    Content-Type: application/json; charset=utf-8
    X-Chuangxian-Signature: t=<unix s>,v1=<hex hmac_sha256(secret, "<t>.<body>")>
    X-Chuangxian-Event: award.granted
    X-Chuangxian-Event-Id: <envelope id>
    X-Chuangxian-Delivery: <delivery id; the same on every retry>

The signature is made at each try (fresh timestamp), so a retry after an hour still
passes the subscriber's 300 s staleness check. Result: see ``channels.http``.

Configuration (all optional)::

    webhook: {type: webhook, timeout: {connect: 3, read: 10}, verify_tls: true,
              ca_file: null, rate_limit: null, retry: {base_seconds: 60, factor: 3, max_attempts: 8}}
"""
import json
import time

from ..domain.signing import webhook_headers
from .base import Channel, DeliveryResult
from .http import Poster, classify_status, retry_after_seconds


def encode_body(payload):
    """The exact bytes that are signed and sent."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode("utf-8")


class WebhookChannel(Channel):
    type_name = "webhook"
    audience = "system"

    def __init__(self, config=None, name=None, clock=time.time):
        super().__init__(config, name)
        self.poster = Poster(self.config)
        self.clock = clock

    def send(self, message):
        secret = message.get("secret")
        if not secret:
            return DeliveryResult.permanent("webhook subscription has no secret")
        body = encode_body(message["payload"])
        headers = webhook_headers(secret, body, message["event_type"], message["event_id"],
                                  message["delivery_id"], int(self.clock()))
        response, error, retryable = self.poster.post(message["to"], body, headers)
        if response is None:
            return DeliveryResult(False, retryable, error)
        ok, retryable = classify_status(response.status_code)
        detail = f"HTTP {response.status_code}"
        if not ok:
            detail += f": {response.text[:200]}"
        return DeliveryResult(ok, retryable, detail, response.status_code,
                              retry_after_seconds(response) if retryable else None)

    def close(self):
        self.poster.close()
