"""Asking every service and program whether it is ready: all at once, one deadline.

`ask_ready(config, names, timeout)` publishes a ``ready`` RPC request to each name on
one AMQP connection with one reply queue, then collects replies until all have
answered or `timeout` seconds have passed, so a dead service costs `timeout` once,
not once per service, and never the gateway's 30 s RPC timeout. (Nameko's standalone
proxy waits for replies one after another with a per-reply timeout; this speaks the
same wire format directly.)
"""
import json
import socket
import time
import uuid

from kombu import Connection, Exchange, Producer, Queue

RPC_EXCHANGE = "nameko-rpc"   # Nameko's RPC exchange (its default name)


def ask_ready(config, names, timeout=2.0):
    """{name: {"ready": bool, "checks": {...}, "ms": int} or {"ready": False, "error": why}}."""
    began = time.monotonic()
    results = {}
    exchange = Exchange(config.get("rpc_exchange", RPC_EXCHANGE), type="topic", durable=True)
    reply_key = f"status.reply-{uuid.uuid4()}"
    try:
        with Connection(config["AMQP_URI"], connect_timeout=timeout) as conn:
            conn.ensure_connection(max_retries=1, timeout=timeout)
            channel = conn.channel()
            queue = Queue(reply_key, exchange=exchange, routing_key=reply_key, exclusive=True, auto_delete=True,
                          channel=channel)
            queue.declare()
            pending = {}

            def on_reply(body, message):
                cid = message.properties.get("correlation_id")
                name = pending.pop(cid, None)
                if name is not None:
                    payload = json.loads(body) if isinstance(body, (str, bytes)) else body
                    ms = int((time.monotonic() - began) * 1000)
                    if payload.get("error"):
                        results[name] = {"ready": False, "error": payload["error"].get("exc_type", "error"), "ms": ms}
                    else:
                        reply = payload.get("result") or {}
                        results[name] = {"ready": bool(reply.get("ready")), "checks": reply.get("checks", {}),
                                         "ms": ms}
                message.ack()

            with conn.Consumer(queue, callbacks=[on_reply], accept=["json"]):
                producer = Producer(channel, exchange=exchange)
                for name in names:
                    cid = str(uuid.uuid4())
                    pending[cid] = name
                    producer.publish({"args": [], "kwargs": {}}, routing_key=f"{name}.ready", serializer="json",
                                     reply_to=reply_key, correlation_id=cid, expiration=timeout,
                                     headers={"nameko.call_id_stack": [f"gateway.status.{cid}"]})
                while pending:
                    left = timeout - (time.monotonic() - began)
                    if left <= 0:
                        break
                    try:
                        conn.drain_events(timeout=left)
                    except socket.timeout:
                        break
    except Exception as exc:  # the broker itself is unreachable: nothing can be asked
        reason = f"broker unreachable: {exc.__class__.__name__}"
        return {name: {"ready": False, "error": reason} for name in names}
    for name in names:
        results.setdefault(name, {"ready": False, "error": "timeout", "ms": int(timeout * 1000)})
    return results
