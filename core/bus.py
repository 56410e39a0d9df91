"""Nameko entrypoints that outlive a RabbitMQ outage of any length.

Services and dependency providers import `event_handler`, `RpcProxy` and
`ReplyListener` from here, and `rpc` from core/entrypoints.py (built on `ResilientRpc`),
instead of from nameko (tests/unit/core/test_bus_imports.py holds them to it).

Why: in Nameko 2.14 a worker that cannot publish its RPC reply (the broker is
down: ``send_response -> publish -> OperationalError ECONNREFUSED``) or cannot ack
its message (a socket error from a dead connection) raises out of the worker's
greenthread, and any error there makes the container kill itself — one short
outage ended the whole service process. The same holds for the reply listener of
every RPC proxy a service uses (its ack runs in a managed thread). Consuming
already reconnects by itself (kombu's ConsumerMixin retries forever), so only
these steps need care.

Guarantees:
  * a reply or an ack that cannot reach the broker is logged and dropped, never
    raised: the service keeps running and consumes again as soon as the broker is
    back;
  * the request is then either redelivered by the broker (it was never acked: the
    work runs again, which every write makes safe with idempotency keys,
    deterministic ids and version guards) or, if the caller gave up, answered to
    no one; the caller saw a timeout or a 503 and may retry with the same key;
  * work already done is never undone: the outbox of each change is finished by
    the periodic sweep when dispatching its event failed.
"""
import logging

from amqp.exceptions import ConnectionError as AmqpConnectionError
from kombu.exceptions import OperationalError
from nameko.events import EventHandler
from nameko.messaging import QueueConsumer
from nameko.rpc import ReplyListener as NamekoReplyListener
from nameko.rpc import Rpc, RpcConsumer
from nameko.rpc import RpcProxy as NamekoRpcProxy

log = logging.getLogger(__name__)

#: What a lost broker connection raises while publishing or acking.
BROKER_ERRORS = (OSError, AmqpConnectionError, OperationalError)


class ResilientQueueConsumer(QueueConsumer):
    """A QueueConsumer whose ack and requeue never raise for a dead connection: the
    broker takes an unacked message back by itself when the connection is gone."""

    def ack_message(self, message):
        try:
            super().ack_message(message)
        except BROKER_ERRORS as exc:
            log.warning("could not ack a message (%s); the broker redelivers it", exc)

    def requeue_message(self, message):
        try:
            super().requeue_message(message)
        except BROKER_ERRORS as exc:
            log.warning("could not requeue a message (%s); the broker redelivers it", exc)


class ResilientRpcConsumer(RpcConsumer):
    queue_consumer = ResilientQueueConsumer()

    def handle_result(self, message, result, exc_info):
        try:
            return super().handle_result(message, result, exc_info)
        except BROKER_ERRORS as exc:
            routing_key = message.delivery_info.get("routing_key")
            log.warning("the reply to %s was lost with the broker connection (%s); the caller times out "
                        "and may retry", routing_key, exc)
            self.queue_consumer.ack_message(message)  # harmless when the connection is gone
            return result, exc_info


class ResilientRpc(Rpc):
    rpc_consumer = ResilientRpcConsumer()


class ResilientEventHandler(EventHandler):
    queue_consumer = ResilientQueueConsumer()


class ReplyListener(NamekoReplyListener):
    """The reply queue of a service's RPC proxies (acks that never raise)."""

    queue_consumer = ResilientQueueConsumer()


class RpcProxy(NamekoRpcProxy):
    """``applications = RpcProxy("applications")``, on the resilient reply listener."""

    rpc_reply_listener = ReplyListener()


event_handler = ResilientEventHandler.decorator
