"""REST blueprints; every one is registered by gateway.app.create_app."""
from flask import current_app, request


def rpc():
    """Borrow a pooled RPC proxy for this request (a context manager)."""
    return current_app.extensions["rpc_pool"].cluster()


def idempotency_key():
    """The Idempotency-Key header (optional): a retry with the same key gets the
    same result and never a second application or event."""
    key = request.headers.get("Idempotency-Key")
    return key.strip()[:200] if key else None
