"""Signatures: webhooks to campus systems, and DingTalk's signed robot URL.

Webhook deliveries carry::

    X-Chuangxian-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>

A subscriber verifies it like this (``verify`` is exactly that, and can be copied):
take the raw request body bytes (before any JSON parsing), read ``t`` and every ``v1``
from the header, refuse when ``|now - t|`` exceeds the tolerance (300 s by default; a
captured request cannot be replayed later), compute the HMAC over ``f"{t}.".encode() +
body`` with the shared secret and compare in constant time with each ``v1``. During a
secret rotation the header may carry two ``v1`` values. De-duplicate on the
``X-Chuangxian-Delivery`` header (or the envelope's ``id``): delivery is at least once.

DingTalk group robots with 加签 (sign) security: ``timestamp`` in milliseconds,
``sign = urlencode(base64(HMAC-SHA256(key=secret, msg=f"{timestamp}\\n{secret}")))``,
appended to the robot URL as ``&timestamp=…&sign=…`` (DingTalk refuses a timestamp
more than an hour off). This is standard base64 ("+" and "/"), URL-encoded, as in
DingTalk's own examples — not the URL-safe alphabet.
"""
import base64
import hashlib
import hmac
import time
from urllib.parse import parse_qsl, quote_plus, urlencode, urlsplit, urlunsplit

from core.errors import Unauthenticated

SIGNATURE_HEADER = "X-Chuangxian-Signature"
EVENT_HEADER = "X-Chuangxian-Event"
EVENT_ID_HEADER = "X-Chuangxian-Event-Id"
DELIVERY_HEADER = "X-Chuangxian-Delivery"
DEFAULT_TOLERANCE = 300


class SignatureInvalid(Unauthenticated):
    """A webhook signature is missing, malformed, stale or wrong."""


def _bytes(body):
    return body if isinstance(body, (bytes, bytearray)) else str(body).encode("utf-8")


def compute_signature(secret, timestamp, body):
    """hex HMAC-SHA256(secret, f"{timestamp}." + body)."""
    message = f"{int(timestamp)}.".encode() + _bytes(body)
    return hmac.new(_bytes(secret), message, hashlib.sha256).hexdigest()


def sign(secret, body, timestamp=None):
    """The X-Chuangxian-Signature header value. ``secret`` may be a list (rotation: one v1 each)."""
    timestamp = int(time.time() if timestamp is None else timestamp)
    secrets = [secret] if isinstance(secret, (str, bytes)) else list(secret)
    parts = [f"t={timestamp}"] + [f"v1={compute_signature(s, timestamp, body)}" for s in secrets]
    return ",".join(parts)


def parse_header(header):
    """(timestamp, [v1 signatures]); raises SignatureInvalid when malformed."""
    timestamp, signatures = None, []
    for part in (header or "").split(","):
        key, _, value = part.strip().partition("=")
        if key == "t" and value.isdigit():
            timestamp = int(value)
        elif key == "v1" and value:
            signatures.append(value.strip().lower())
    if timestamp is None or not signatures:
        raise SignatureInvalid("malformed or missing signature header",
                               "签名头缺失或格式错误", field=SIGNATURE_HEADER)
    return timestamp, signatures


def verify(secret, body, header, now=None, tolerance=DEFAULT_TOLERANCE):
    """Check a webhook delivery as a subscriber does; return its timestamp.

    ``secret`` may be a list of accepted secrets (rotation). Raises SignatureInvalid
    for a malformed header, a timestamp more than ``tolerance`` seconds from ``now``
    (either way), or no matching signature.
    """
    timestamp, signatures = parse_header(header)
    now = time.time() if now is None else now
    if abs(now - timestamp) > tolerance:
        raise SignatureInvalid(
            f"signature timestamp outside the {tolerance} s tolerance (replayed or clock skew)",
            f"签名时间戳超出 {tolerance} 秒容差（可能是重放或时钟不同步）",
            field=SIGNATURE_HEADER, details={"timestamp": timestamp, "now": int(now)})
    secrets = [secret] if isinstance(secret, (str, bytes)) else list(secret)
    for candidate in secrets:
        expected = compute_signature(candidate, timestamp, body)
        if any(hmac.compare_digest(expected, given) for given in signatures):
            return timestamp
    raise SignatureInvalid("signature does not match the body", "签名与请求内容不符", field=SIGNATURE_HEADER)


def is_valid(secret, body, header, now=None, tolerance=DEFAULT_TOLERANCE):
    try:
        verify(secret, body, header, now, tolerance)
        return True
    except SignatureInvalid:
        return False


def webhook_headers(secret, body, event_type, event_id, delivery_id, timestamp=None):
    """Every header of a webhook POST, signature included."""
    return {
        "Content-Type": "application/json; charset=utf-8",
        SIGNATURE_HEADER: sign(secret, body, timestamp),
        EVENT_HEADER: event_type,
        EVENT_ID_HEADER: event_id,
        DELIVERY_HEADER: delivery_id,
    }


# ------------------------------------------------------------------ DingTalk

def dingtalk_sign(secret, timestamp_ms):
    """DingTalk's ``sign`` parameter, URL-encoded, for a millisecond timestamp."""
    string_to_sign = f"{int(timestamp_ms)}\n{secret}".encode("utf-8")
    digest = hmac.new(secret.encode("utf-8"), string_to_sign, hashlib.sha256).digest()
    return quote_plus(base64.b64encode(digest))


def dingtalk_signed_url(url, secret, timestamp_ms=None):
    """The robot URL with ``timestamp`` and ``sign`` appended (replacing any old ones)."""
    timestamp_ms = int(time.time() * 1000) if timestamp_ms is None else int(timestamp_ms)
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in ("timestamp", "sign")]
    extra = f"timestamp={timestamp_ms}&sign={dingtalk_sign(secret, timestamp_ms)}"
    new_query = f"{urlencode(query)}&{extra}" if query else extra
    return urlunsplit((parts.scheme, parts.netloc, parts.path, new_query, parts.fragment))


def dingtalk_verify(secret, timestamp_ms, sign_param, now_ms=None, tolerance_ms=3600 * 1000):
    """What DingTalk checks (used by tests and by a local robot stand-in).

    ``sign_param`` is the decoded query value (base64 text)."""
    now_ms = int(time.time() * 1000) if now_ms is None else now_ms
    if abs(now_ms - int(timestamp_ms)) > tolerance_ms:
        return False
    string_to_sign = f"{int(timestamp_ms)}\n{secret}".encode("utf-8")
    expected = base64.b64encode(hmac.new(secret.encode(), string_to_sign, hashlib.sha256).digest()).decode()
    return hmac.compare_digest(expected, sign_param)
