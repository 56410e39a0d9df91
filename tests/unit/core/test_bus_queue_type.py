"""AMQP_QUEUE_TYPE: the services' shared durable queues are declared quorum when asked;
exclusive and auto-delete queues (replies, broadcast handlers) stay classic."""
import pytest
from kombu import Exchange, Queue

from core.bus import _typed, queue_arguments

EXCHANGE = Exchange("nameko-rpc", type="topic", durable=True)


def test_classic_unless_the_configuration_asks_for_quorum():
    assert queue_arguments({}) == {} and queue_arguments({"AMQP_QUEUE_TYPE": "classic"}) == {}
    assert queue_arguments({"AMQP_QUEUE_TYPE": "Quorum "}) == {"x-queue-type": "quorum"}
    with pytest.raises(ValueError, match="AMQP_QUEUE_TYPE"):
        queue_arguments({"AMQP_QUEUE_TYPE": "mirrored"})


def test_a_shared_durable_queue_is_declared_quorum():
    rpc_queue = _typed(Queue("rpc-applications", EXCHANGE, "applications.*", durable=True),
                       {"AMQP_QUEUE_TYPE": "quorum"})
    assert rpc_queue.queue_arguments == {"x-queue-type": "quorum"}
    handler = _typed(Queue("evt-applications-application.submitted--notifications.on", EXCHANGE,
                           durable=True, queue_arguments={"x-expires": 60000}), {"AMQP_QUEUE_TYPE": "quorum"})
    assert handler.queue_arguments == {"x-expires": 60000, "x-queue-type": "quorum"}


def test_exclusive_and_auto_delete_queues_stay_classic():
    for queue in (Queue("rpc.reply-x", EXCHANGE, durable=True, exclusive=True, auto_delete=True),
                  Queue("evt-broadcast", EXCHANGE, durable=True, exclusive=True),
                  Queue("evt-unreliable", EXCHANGE, durable=True, auto_delete=True)):
        assert not (_typed(queue, {"AMQP_QUEUE_TYPE": "quorum"}).queue_arguments or {}), queue.name
    assert _typed(Queue("rpc-applications", EXCHANGE, durable=True), {}).queue_arguments in (None, {})


def test_reply_queues_are_transient_so_a_caller_can_declare_them_again_on_another_node():
    from nameko.rpc import ReplyListener

    from core.bus import _StandaloneReplyListener, _transient_reply_queue, _TransientPollingQueueConsumer

    listener = ReplyListener()
    listener.queue = Queue("rpc.reply-gateway-1", EXCHANGE, "1", queue_arguments={"x-expires": 300000})
    assert listener.queue.durable                       # what nameko 2.14 declares
    _transient_reply_queue(listener)
    assert not listener.queue.durable and listener.queue.queue_arguments == {"x-expires": 300000}
    other = Queue("rpc-applications", EXCHANGE, durable=True)
    _transient_reply_queue(type("Entrypoint", (), {"queue": other})())
    assert other.durable                                # only reply listeners' queues
    assert isinstance(_StandaloneReplyListener(timeout=1).queue_consumer, _TransientPollingQueueConsumer)


def test_a_request_that_lost_its_broker_connection_is_answered_unavailable_not_failed():
    import sys

    from kombu.exceptions import OperationalError

    from core.bus import unavailable_instead
    from core.errors import NotFound, ServiceUnavailable

    for lost in (OperationalError("Server unexpectedly closed connection"), ConnectionResetError(104, "reset")):
        try:
            raise lost
        except Exception:
            kind, value, _tb = unavailable_instead(sys.exc_info())
        assert kind is ServiceUnavailable and value.__cause__ is lost and "请稍后重试" in value.message_zh
    for kept in (NotFound("No such thing.", "没有"), FileNotFoundError("a bug, not the broker"), KeyError("x")):
        try:
            raise kept
        except Exception:
            assert unavailable_instead(sys.exc_info())[1] is kept
    assert unavailable_instead(None) is None


def test_every_broker_address_is_logged_without_its_password():
    from core.bus import masked_uri
    uri = "amqp://cx:s3cret@mq1:5672/cx;amqp://cx:p%40ss@mq2:5672/cx;amqp://guest@mq3/"
    assert masked_uri("amqp://cx:pw1@mq1:5672/cx;amqp://cx:pw2@mq2:5672/cx") == \
        "amqp://cx:***@mq1:5672/cx;amqp://cx:***@mq2:5672/cx"
    assert "p%40ss" not in masked_uri(uri) and masked_uri("amqp://guest@mq3/") == "amqp://guest@mq3/"
