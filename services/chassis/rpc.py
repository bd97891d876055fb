"""RPC: the entrypoint every service uses, and a client that never waits forever.

nameko sends an RPC reply (and acks the request) *before* dependencies see
the worker's result, so a commit failing after the reply would tell the
caller "done" for a change that never happened. :class:`Rpc` settles the
worker's unit of work first; a failed commit becomes the caller's error.

nameko's in-service ``RpcProxy`` waits for a reply forever. :class:`RpcClient`
waits ``RPC_TIMEOUT`` seconds at most and turns silence into
:class:`ServiceTimeout`, an unknown service into :class:`ServiceUnavailable`.

RPC requests and replies are transient (``delivery_mode`` 1), where nameko
makes them persistent: a call is over within ``RPC_TIMEOUT``, long before a
restarted broker could hand a stored request on, so writing each one to disk
(and holding its publisher confirm until the write is synced) bought nothing
but broker CPU and latency. Requests keep the confirm and ``mandatory`` flag
that tell an unknown service; replies go unconfirmed. Events
(``chassis.outbox``) stay persistent and confirmed.
"""
import time
from typing import ClassVar

import eventlet
from nameko.amqp.publish import Publisher
from nameko.constants import (
    AMQP_SSL_CONFIG_KEY,
    AMQP_URI_CONFIG_KEY,
    DEFAULT_SERIALIZER,
    DEFAULT_TRANSPORT_OPTIONS,
    LOGIN_METHOD_CONFIG_KEY,
    NON_PERSISTENT,
    SERIALIZER_CONFIG_KEY,
)
from nameko.exceptions import UnknownService
from nameko.rpc import MethodProxy, Responder, RpcConsumer, RpcProxy, get_rpc_exchange
from nameko.rpc import Rpc as NamekoRpc

from .errors import CLIENT_ERRORS, ServiceTimeout, ServiceUnavailable
from .topology import queue_type_arguments, queue_type_of

DEFAULT_RPC_TIMEOUT = 10.0


def settle(worker_ctx, result, exc_info):
    """Commit or roll back every transactional dependency of the worker, before replying."""
    for provider in worker_ctx.container.dependencies:
        settle_provider = getattr(provider, "settle", None)
        if settle_provider is not None:
            exc_info = settle_provider(worker_ctx, exc_info)
    return (None if exc_info is not None else result), exc_info


class TransientPublisher(Publisher):
    """nameko's publisher (confirms on), sending messages the broker keeps in memory only."""

    delivery_mode = NON_PERSISTENT


class ReplyPublisher(TransientPublisher):
    """Replies go without publisher confirms: a reply the broker loses is the caller's timeout
    whether or not the replying worker hears of it, and waiting for the confirm cost each call
    a wakeup of the replying service and a frame from the broker."""

    use_confirms = False
    # a dict of its own: nameko writes confirm_publish into the class's dict at every publish
    transport_options: ClassVar[dict] = dict(DEFAULT_TRANSPORT_OPTIONS)


class TransientResponder(Responder):
    publisher_cls = ReplyPublisher


class TransientMethodProxy(MethodProxy):
    publisher_cls = TransientPublisher


class TypedRpcConsumer(RpcConsumer):
    """nameko's consumer of ``rpc-<service>``, declaring the queue with the configured type
    (``QUEUE_TYPE``): on a cluster, a quorum queue keeps the service reachable when a node goes.
    Reply queues stay classic: each belongs to one process and expires with it."""

    def setup(self):
        super().setup()
        arguments = queue_type_arguments(queue_type_of(self.container.config))
        if arguments:
            self.queue.queue_arguments = {**(self.queue.queue_arguments or {}), **arguments}


class Rpc(NamekoRpc):
    rpc_consumer = TypedRpcConsumer()

    def __init__(self, expected_exceptions=CLIENT_ERRORS, sensitive_arguments=(), **kwargs):
        super().__init__(expected_exceptions=expected_exceptions,
                         sensitive_arguments=sensitive_arguments, **kwargs)

    def handle_result(self, message, worker_ctx, result, exc_info):
        result, exc_info = settle(worker_ctx, result, exc_info)
        # nameko's RpcConsumer.handle_result, with a transient reply
        config = self.container.config
        responder = TransientResponder(
            config[AMQP_URI_CONFIG_KEY], get_rpc_exchange(config),
            config.get(SERIALIZER_CONFIG_KEY, DEFAULT_SERIALIZER), message,
            ssl=config.get(AMQP_SSL_CONFIG_KEY), login_method=config.get(LOGIN_METHOD_CONFIG_KEY))
        result, exc_info = responder.send_response(result, exc_info)
        self.rpc_consumer.queue_consumer.ack_message(message)
        return result, exc_info


rpc = Rpc.decorator


class TimedReply:
    """A reply due by a deadline fixed at call time, so parallel calls share one wait."""

    def __init__(self, service_name, method_name, reply, timeout):
        self.service_name = service_name
        self.method_name = method_name
        self.reply = reply
        self.timeout = timeout
        self.deadline = time.monotonic() + timeout

    def result(self):
        try:
            with eventlet.Timeout(max(self.deadline - time.monotonic(), 0.001)):
                return self.reply.result()
        except eventlet.Timeout:
            raise ServiceTimeout(
                f"{self.service_name}.{self.method_name} did not answer within {self.timeout:g} s",
                {"service": self.service_name, "method": self.method_name})


class TimedMethodProxy:
    def __init__(self, method_proxy, timeout):
        self.method_proxy = method_proxy
        self.timeout = timeout

    def call_async(self, *args, **kwargs):
        proxy = self.method_proxy
        try:
            reply = proxy.call_async(*args, **kwargs)
        except UnknownService:
            raise ServiceUnavailable(
                f"the {proxy.service_name} service is not available",
                {"service": proxy.service_name})
        return TimedReply(proxy.service_name, proxy.method_name, reply, self.timeout)

    def __call__(self, *args, **kwargs):
        return self.call_async(*args, **kwargs).result()


class TimedServiceProxy:
    def __init__(self, worker_ctx, service_name, reply_listener, timeout):
        self.worker_ctx = worker_ctx
        self.service_name = service_name
        self.reply_listener = reply_listener
        self.timeout = timeout

    def within(self, seconds):
        """The same client with another timeout, e.g. a readiness probe's shorter one."""
        return TimedServiceProxy(self.worker_ctx, self.service_name, self.reply_listener, seconds)

    def __getattr__(self, name):
        return TimedMethodProxy(
            TransientMethodProxy(self.worker_ctx, self.service_name, name, self.reply_listener),
            self.timeout)


class RpcClient(RpcProxy):
    """``registry = RpcClient("registry")``: calls with a timeout (config ``RPC_TIMEOUT``)."""

    def __init__(self, target_service, timeout=None):
        super().__init__(target_service)
        self.timeout = timeout

    def get_dependency(self, worker_ctx):
        timeout = self.timeout or float(self.container.config.get("RPC_TIMEOUT", DEFAULT_RPC_TIMEOUT))
        return TimedServiceProxy(worker_ctx, self.target_service, self.rpc_reply_listener, timeout)
