"""Event handlers that never lose an event and never apply one twice.

``@event_handler("registry", "honour_revoked")`` from here, in place of
nameko's, gives a handler:

- an inbox: the event's ``event_id`` and the handler's name are recorded in
  the ``inbox`` table in the same transaction as the handler's effect, and a
  redelivered event is recognised and skipped;
- a durable queue, named as nameko names it, with a dead-letter exchange;
- bounded retries: a failed delivery is published again with its attempt
  count, after a growing delay, up to ``EVENT_MAX_RETRIES`` times; then it is
  rejected onto the handler's dead-letter queue, where ops see it (a metric)
  and can replay it (``python -m services.chassis.topology replay``). It is
  never acked away.

The same queue declarations are made by :mod:`chassis.topology` before any
service starts, so an event published before its subscriber first runs
waits in the subscriber's queue.
"""
import functools
import logging
import time
from functools import partial

import eventlet
from kombu import Queue
from nameko.amqp.publish import Publisher
from nameko.events import SERVICE_POOL
from nameko.events import EventHandler as NamekoEventHandler
from nameko.standalone.events import get_event_exchange
from sqlalchemy import select

from .database import UnitOfWork
from .errors import CLIENT_ERRORS
from .logs import CORRELATION_KEY
from .metrics import EVENTS_DEAD_LETTERED, EVENTS_HANDLED, EVENTS_RETRIED, GAUGES
from .rpc import settle
from .topology import (
    CLASSIC,
    DEAD_LETTER_EXCHANGE,
    DEAD_LETTER_SUFFIX,
    dead_letter_counts,
    declare_dead_letter,
    queue_type_arguments,
    queue_type_of,
)

log = logging.getLogger(__name__)


ATTEMPT_HEADER = "x-laomo-attempt"
HEADER_PREFIX = "nameko."
DEFAULT_MAX_RETRIES = 3
DEFAULT_RETRY_DELAY = 1.0
MAX_RETRY_DELAY = 60.0
DEAD_LETTER_CHECK_INTERVAL = 30.0  # seconds between broker look-ups for the gauge (the alert waits a minute)


class Duplicate:
    """What a handler returns for an event its inbox has already seen."""

    def __repr__(self):
        return "DUPLICATE"


DUPLICATE = Duplicate()


def handler_queue_name(source_service, event_type, service_name, method_name):
    # nameko's own name for a SERVICE_POOL handler's queue
    return f"evt-{source_service}-{event_type}--{service_name}.{method_name}"


def dead_letter_queue_name(queue_name):
    return queue_name + DEAD_LETTER_SUFFIX


def handler_queue_arguments(queue_name, queue_type=CLASSIC):
    return {
        "x-dead-letter-exchange": DEAD_LETTER_EXCHANGE,
        "x-dead-letter-routing-key": queue_name,
        **queue_type_arguments(queue_type),
    }


def unit_of_work_of(service):
    for value in vars(service).values():
        if isinstance(value, UnitOfWork):
            return value
    return None


def with_inbox(fn, source_service, event_type):
    """Skip an event the handler has already applied; record it with the effect otherwise."""

    @functools.wraps(fn)
    def handle(self, event, *args, **kwargs):
        uow = unit_of_work_of(self)
        event_id = event.get("event_id") if isinstance(event, dict) else None
        if uow is None or not event_id:
            log.warning("event without inbox: %s", event_type, extra={"event_type": event_type})
            return fn(self, event, *args, **kwargs)
        handler = f"{self.name}.{fn.__name__}"
        inbox = uow.database.inbox
        seen = uow.session.execute(
            select(inbox.c.event_id).where(inbox.c.event_id == event_id, inbox.c.handler == handler)
        ).first()
        if seen is not None:
            log.info("duplicate event skipped", extra={"event_id": event_id, "handler": handler})
            return DUPLICATE
        uow.session.execute(inbox.insert().values(
            event_id=event_id, handler=handler, source=source_service, event_type=event_type,
            handled_at=uow.database.clock.now()))
        return fn(self, event, *args, **kwargs)

    return handle


class DeadLetterWatch:
    """``laomo_dead_letter_messages`` of every handler in the process, asked of the broker on one
    connection per broker at most once per ``DEAD_LETTER_CHECK_INTERVAL``: a connection per handler per
    scrape cost the registry ~25 ms a handler (bench: operations)."""

    def __init__(self):
        self.handlers = {}
        self.counts = {}  # (amqp uri, queue) -> messages waiting on its dead-letter queue
        self.checked_at = None
        GAUGES.add("dead-letters", self.samples)

    def watch(self, handler):
        self.handlers[id(handler)] = handler

    def forget(self, handler):
        self.handlers.pop(id(handler), None)

    def samples(self):
        handlers = list(self.handlers.values())
        wanted = {(h.amqp_uri, h.queue.name) for h in handlers}
        stale = self.checked_at is None or time.monotonic() - self.checked_at > DEAD_LETTER_CHECK_INTERVAL
        if stale or not wanted <= set(self.counts):
            counts = {}
            for amqp_uri in {uri for uri, _ in wanted}:
                queues = [queue for uri, queue in wanted if uri == amqp_uri]
                counts.update({(amqp_uri, queue): n for queue, n in dead_letter_counts(amqp_uri, queues).items()})
            self.counts, self.checked_at = counts, time.monotonic()
        return [("laomo_dead_letter_messages", "Events waiting on a handler's dead-letter queue.",
                 {"service": h.container.service_name, "handler": h.handler_name},
                 self.counts[(h.amqp_uri, h.queue.name)]) for h in handlers]


DEAD_LETTERS = DeadLetterWatch()


class EventHandler(NamekoEventHandler):
    def __init__(self, source_service, event_type, **kwargs):
        kwargs.setdefault("expected_exceptions", CLIENT_ERRORS)
        super().__init__(source_service, event_type, handler_type=SERVICE_POOL,
                         reliable_delivery=True, requeue_on_error=False, **kwargs)

    @classmethod
    def decorator(cls, source_service, event_type, **kwargs):
        register = super().decorator(source_service, event_type, **kwargs)
        return lambda fn: register(with_inbox(fn, source_service, event_type))

    @property
    def handler_name(self):
        return f"{self.container.service_name}.{self.method_name}"

    def setup(self):
        super().setup()
        config = self.container.config
        self.max_retries = int(config.get("EVENT_MAX_RETRIES", DEFAULT_MAX_RETRIES))
        self.retry_delay = float(config.get("EVENT_RETRY_DELAY", DEFAULT_RETRY_DELAY))
        name = self.queue.name
        queue_type = queue_type_of(config)
        self.queue = Queue(
            name, exchange=get_event_exchange(self.source_service, config),
            routing_key=self.event_type, durable=True, auto_delete=False,
            queue_arguments=handler_queue_arguments(name, queue_type))
        # the dead-letter side exists before the first failure can need it
        declare_dead_letter(config["AMQP_URI"], name, queue_type=queue_type)
        self.retry_publisher = Publisher(config["AMQP_URI"], use_confirms=True)
        self.amqp_uri = config["AMQP_URI"]

    def start(self):
        super().start()
        DEAD_LETTERS.watch(self)

    def stop(self):
        DEAD_LETTERS.forget(self)
        super().stop()

    def kill(self):
        DEAD_LETTERS.forget(self)
        super().kill()

    def handle_message(self, body, message):
        # only nameko's own headers travel on as context; broker and retry headers stay here
        context_data = {
            key[len(HEADER_PREFIX):]: value for key, value in (message.headers or {}).items()
            if key.startswith(HEADER_PREFIX)
        }
        handle_result = partial(self.handle_result, message)
        try:
            self.container.spawn_worker(self, (body,), {}, context_data=context_data,
                                        handle_result=handle_result)
        except Exception:  # container being killed: give the message back
            self.queue_consumer.requeue_message(message)
            raise

    def handle_result(self, message, worker_ctx, result, exc_info):
        result, exc_info = settle(worker_ctx, result, exc_info)
        service = self.container.service_name
        if exc_info is None:
            outcome = "duplicate" if result is DUPLICATE else "ok"
            EVENTS_HANDLED.labels(service, self.handler_name, outcome).inc()
            self.queue_consumer.ack_message(message)
            return result, None
        EVENTS_HANDLED.labels(service, self.handler_name, "failed").inc()
        attempt = int((message.headers or {}).get(ATTEMPT_HEADER, 0))
        if attempt < self.max_retries:
            self._retry(message, attempt + 1)
        else:
            self._dead_letter(message, worker_ctx, exc_info)
        return result, exc_info

    def _retry(self, message, attempt):
        delay = min(self.retry_delay * (2 ** (attempt - 1)), MAX_RETRY_DELAY)
        eventlet.sleep(delay)
        headers = dict(message.headers or {})
        headers[ATTEMPT_HEADER] = attempt
        try:
            # the copy goes straight to this handler's queue (default exchange);
            # only once the broker has confirmed it is the original acked
            self.retry_publisher.publish(
                message.payload, exchange="", routing_key=self.queue.name,
                headers=headers, message_id=message.properties.get("message_id"),
                serializer="json", mandatory=True)
        except Exception:
            log.exception("could not publish retry; returning the event to its queue")
            self.queue_consumer.requeue_message(message)
            return
        EVENTS_RETRIED.labels(self.container.service_name, self.handler_name).inc()
        log.warning("event handler failed; retry %s of %s", attempt, self.max_retries,
                    extra={"handler": self.handler_name, "event_type": self.event_type})
        self.queue_consumer.ack_message(message)

    def _dead_letter(self, message, worker_ctx, exc_info):
        EVENTS_DEAD_LETTERED.labels(self.container.service_name, self.handler_name).inc()
        log.error("event handler failed %s times; parked on %s: %r", self.max_retries + 1,
                  dead_letter_queue_name(self.queue.name), exc_info[1],
                  extra={"handler": self.handler_name, "event_type": self.event_type,
                         CORRELATION_KEY: worker_ctx.data.get(CORRELATION_KEY)})
        if message.channel.connection:
            message.reject(requeue=False)


event_handler = EventHandler.decorator
