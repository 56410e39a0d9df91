"""Asking several services at once, with one deadline for the lot.

`ask_all(config, calls, timeout)` publishes one RPC request per call on one AMQP
connection with one reply queue, then collects replies until all have answered or
`timeout` seconds have passed, so a dead or slow service costs `timeout` once, not
once per service, and never the gateway's 30 s RPC timeout. (Nameko's standalone
proxy waits for replies one after another with a per-reply timeout; this speaks the
same wire format directly.) Requests expire in their queues after `timeout`, so a
service that comes back does not work through answers nobody waits for.

`ask_ready(config, names, timeout)` is the readiness probe of /status built on it;
the home page's to-do list and the menu's unread badge use `ask_all` (fail-soft:
what did not answer in time is shown as unavailable, the rest renders).
"""
import json
import socket
import time
import uuid

from kombu import Connection, Exchange, Producer, Queue

RPC_EXCHANGE = "nameko-rpc"   # Nameko's RPC exchange (its default name)


def ask_all(config, calls, timeout=2.0):
    """`calls` is {key: (service, method, args)}. Returns {key: {"ok": True, "result",
    "ms"}} for each answer, {key: {"ok": False, "error": exc_type or "timeout" or
    "broker unreachable: …", "ms"}} otherwise; never raises for a service's sake."""
    began = time.monotonic()
    results = {}
    exchange = Exchange(config.get("rpc_exchange", RPC_EXCHANGE), type="topic", durable=True)
    reply_key = f"ask.reply-{uuid.uuid4()}"
    try:
        with Connection(config["AMQP_URI"], connect_timeout=timeout) as conn:
            conn.ensure_connection(max_retries=1, timeout=timeout)
            channel = conn.channel()
            queue = Queue(reply_key, exchange=exchange, routing_key=reply_key, exclusive=True, auto_delete=True,
                          channel=channel)
            queue.declare()
            pending = {}

            def on_reply(body, message):
                key = pending.pop(message.properties.get("correlation_id"), None)
                if key is not None:
                    payload = json.loads(body) if isinstance(body, (str, bytes)) else body
                    ms = int((time.monotonic() - began) * 1000)
                    if payload.get("error"):
                        results[key] = {"ok": False, "error": payload["error"].get("exc_type", "error"), "ms": ms}
                    else:
                        results[key] = {"ok": True, "result": payload.get("result"), "ms": ms}
                message.ack()

            with conn.Consumer(queue, callbacks=[on_reply], accept=["json"]):
                producer = Producer(channel, exchange=exchange)
                for key, (service, method, args) in calls.items():
                    cid = str(uuid.uuid4())
                    pending[cid] = key
                    producer.publish({"args": list(args), "kwargs": {}}, routing_key=f"{service}.{method}",
                                     serializer="json", reply_to=reply_key, correlation_id=cid, expiration=timeout,
                                     headers={"nameko.call_id_stack": [f"gateway.ask.{cid}"]})
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
        return {key: {"ok": False, "error": reason} for key in calls}
    for key in calls:
        results.setdefault(key, {"ok": False, "error": "timeout", "ms": int(timeout * 1000)})
    return results


def ask_ready(config, names, timeout=2.0):
    """{name: {"ready": bool, "checks": {...}, "ms": int} or {"ready": False, "error": why}}."""
    answers = ask_all(config, {name: (name, "ready", ()) for name in names}, timeout)
    out = {}
    for name, answer in answers.items():
        if answer["ok"]:
            reply = answer["result"] or {}
            out[name] = {"ready": bool(reply.get("ready")), "checks": reply.get("checks", {}), "ms": answer["ms"]}
        else:
            out[name] = {"ready": False, "error": answer["error"], **({"ms": answer["ms"]} if "ms" in answer else {})}
    return out
