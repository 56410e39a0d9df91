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
import re

from amqp.exceptions import AMQPError
from kombu.exceptions import OperationalError
from nameko.events import EventHandler
from nameko.messaging import QueueConsumer
from nameko.rpc import ReplyListener as NamekoReplyListener
from nameko.rpc import Rpc, RpcConsumer
from nameko.rpc import RpcProxy as NamekoRpcProxy
from nameko.standalone.rpc import ClusterRpcProxy as NamekoClusterRpcProxy
from nameko.standalone.rpc import PollingQueueConsumer, SingleThreadedReplyListener

log = logging.getLogger(__name__)

#: What a lost broker connection (or node) raises while publishing, declaring or
#: acking: socket errors, AMQP connection and channel errors (e.g. 404 when a queue's
#: node is gone), kombu's wrappers. A service's own errors never look like these.
BROKER_ERRORS = (OSError, AMQPError, OperationalError)


#: What a worker raises when the broker connection it needed (to call another
#: service or a program, to publish) was lost mid-request: answered as the typed
#: ServiceUnavailable (503 with Retry-After at the gateway), not as a service failure.
LOST_BROKER = (AMQPError, OperationalError, ConnectionError, TimeoutError)


def unavailable_instead(exc_info):
    """`exc_info` of a worker, with a lost broker connection replaced by ServiceUnavailable."""
    if exc_info is None or not isinstance(exc_info[1], LOST_BROKER):
        return exc_info
    from core.errors import ServiceUnavailable
    replacement = ServiceUnavailable("A service cannot be reached right now; try again in a few seconds.",
                                     "服务暂时无法访问，请稍后重试")
    replacement.__cause__ = exc_info[1]
    return type(replacement), replacement, exc_info[2]


def masked_uri(amqp_uri):
    """`amqp_uri` with the password of every address (`;`-separated) replaced by ***."""
    return ";".join(re.sub(r"(//[^:/@;]*:)[^@;]*@", r"\1***@", part) for part in str(amqp_uri or "").split(";"))


def _transient_reply_queue(provider):
    """Reply queues are not durable. Why: Nameko 2.14 declares them durable (with an
    expiry), and a durable classic queue whose cluster node died cannot be declared
    again anywhere ("home node ... is down", 404) until that node returns, so a
    caller that failed over to another node could never get a reply. A transient one
    dies with its node and is declared afresh on the next; the replies in flight are
    lost, their callers time out (503) and retry with the same idempotency key."""
    if isinstance(provider, NamekoReplyListener) and provider.queue is not None:
        provider.queue.durable = False


#: How long the consuming loop waits for a message before it looks up from the socket
#: (kombu's `safety_interval`, 1 s in nameko): at rest each look is what a service
#: process does, and it cost about 1.5 ms of CPU. An idle Nameko process used 0.16%
#: of a core with 1 s, 0.07% with 2 s (and no less with 5 s; 90 s each). A message is
#: taken the moment it arrives either way; what waits for the look is the AMQP
#: heartbeat check (every 60 s, so 2 s is plenty) and a container's stop, which
#: cancels its consumers at the next look: up to 2 s instead of 1 within the
#: processes' 35 s stop grace (deploy/supervision.py).
CONSUME_LOOK_SECONDS = 2


class ResilientQueueConsumer(QueueConsumer):
    """A QueueConsumer whose ack and requeue never raise for a dead connection: the
    broker takes an unacked message back by itself when the connection is gone. Its
    loop looks up from the socket every CONSUME_LOOK_SECONDS."""

    def consume(self, limit=None, timeout=None, safety_interval=CONSUME_LOOK_SECONDS, **kwargs):
        return super().consume(limit=limit, timeout=timeout, safety_interval=safety_interval, **kwargs)

    def register_provider(self, provider):
        _transient_reply_queue(provider)
        super().register_provider(provider)

    def on_connection_error(self, exc, interval):
        # nameko masks the password of the first broker address only; a cluster's
        # AMQP_URI lists every node (`;`-separated), each with the password
        log.warning("Error connecting to broker at %s (%s). Retrying in %s seconds.",
                    masked_uri(self.amqp_uri), exc, interval)

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


def queue_arguments(config):
    """The declare arguments of a service's shared durable queues (its RPC queue, its
    service-pool event handlers' queues): ``{"x-queue-type": "quorum"}`` when the
    configuration says ``AMQP_QUEUE_TYPE: quorum``, else none (classic queues).

    Why here: Nameko 2.14 declares plain durable queues, and RabbitMQ before 3.11 has
    no per-vhost default queue type, so a cluster's queues are quorum (replicated by
    Raft, surviving the loss of a minority of nodes) only if the declaration asks.
    Reply queues and broadcast handlers' queues are exclusive, which quorum queues
    cannot be: they stay classic (they die with their consumer anyway). A queue keeps
    the type it was declared with: switching an existing vhost means new queues
    (docs/OPERATIONS.md)."""
    kind = str((config or {}).get("AMQP_QUEUE_TYPE") or "classic").strip().lower()
    if kind not in ("classic", "quorum"):
        raise ValueError(f"AMQP_QUEUE_TYPE must be classic or quorum, not {kind!r}")
    return {"x-queue-type": "quorum"} if kind == "quorum" else {}


def _typed(queue, config):
    """`queue` with the configured type, when it may have one (durable and shared)."""
    arguments = queue_arguments(config)
    if arguments and queue.durable and not queue.exclusive and not queue.auto_delete:
        queue.queue_arguments = dict(queue.queue_arguments or {}, **arguments)
    return queue


class ResilientRpcConsumer(RpcConsumer):
    queue_consumer = ResilientQueueConsumer()

    def setup(self):
        super().setup()
        _typed(self.queue, self.container.config)

    def handle_result(self, message, result, exc_info):
        exc_info = unavailable_instead(exc_info)
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

    def setup(self):
        super().setup()
        _typed(self.queue, self.container.config)


class ReplyListener(NamekoReplyListener):
    """The reply queue of a service's RPC proxies (acks that never raise)."""

    queue_consumer = ResilientQueueConsumer()


class RpcProxy(NamekoRpcProxy):
    """``applications = RpcProxy("applications")``, on the resilient reply listener."""

    rpc_reply_listener = ReplyListener()


event_handler = ResilientEventHandler.decorator


class _TransientPollingQueueConsumer(PollingQueueConsumer):
    def register_provider(self, provider):
        _transient_reply_queue(provider)
        super().register_provider(provider)


class _StandaloneReplyListener(SingleThreadedReplyListener):
    def __init__(self, timeout=None):
        super().__init__(timeout=timeout)
        self.queue_consumer = _TransientPollingQueueConsumer(timeout=timeout)


def ClusterRpcProxy(config, timeout=None, **kwargs):   # noqa: N802  (nameko's name, nameko's use)
    """Nameko's standalone ``ClusterRpcProxy`` (the gateway, a program registering
    itself), with a transient reply queue (see `_transient_reply_queue`)."""
    return NamekoClusterRpcProxy(config, timeout=timeout, reply_listener_cls=_StandaloneReplyListener, **kwargs)
