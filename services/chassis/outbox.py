"""The outbox relay: publishes committed events, in order, with broker confirms.

Events are rows of the service's ``outbox`` table, written in the same
transaction as the change they report. The relay takes pending rows in
``seq`` order, publishes them to the service's nameko event exchange
(``<service>.events``, routing key = event type, JSON body, ``nameko.*``
headers) with ``mandatory``, waits for the broker's confirms of the whole
batch, and marks each confirmed row published.

A crash between publish and mark publishes the row again on restart:
delivery is at least once, and consumers' inboxes drop the repeat. A row is
never published for a change that was rolled back, because it never existed.
An event no queue is bound to comes back unroutable: it is marked so, kept,
and counted, since topology is declared before services start and such an
event has no subscriber.

With several replicas on PostgreSQL, ``FOR UPDATE SKIP LOCKED`` gives each
row to one relay; on SQLite the write lock does the same.
"""
import json
import logging
import time
from datetime import timezone

import eventlet
import pika
from eventlet.event import Event
from pika.exceptions import AMQPError, ChannelClosed
from sqlalchemy import func, select

from .metrics import (
    EVENTS_PUBLISHED,
    EVENTS_UNROUTABLE,
    GAUGES,
    OUTBOX_PUBLISH_FAILURES,
)

log = logging.getLogger(__name__)

HEADER_PREFIX = "nameko"
STOP_GRACE_SECONDS = 10
CONFIRM_TIMEOUT_SECONDS = 30
PUMP_INTERVAL_SECONDS = 0.002


def event_exchange_name(service_name):
    return f"{service_name}.events"


class BrokerPublisher:
    """A pika channel in confirm mode, opened on first use and after any failure.

    A batch is published pipelined: every message goes out, then the broker's
    confirms are awaited together (RabbitMQ confirms in order, often several
    at once). Waiting for each confirm before the next publish would cap the
    relay at one broker round trip per event. pika's BlockingChannel only
    offers the latter, so the batch runs on its underlying channel object,
    driven by the blocking connection's event loop.
    """

    def __init__(self, amqp_uri, confirm_timeout=CONFIRM_TIMEOUT_SECONDS):
        self.parameters = pika.URLParameters(amqp_uri)
        self.confirm_timeout = confirm_timeout
        self.connection = None
        self.channel = None
        self.declared = set()
        self.next_tag = 1
        self.outstanding = {}   # delivery tag -> message id, until confirmed
        self.confirmed = {}     # message id -> True (ack) / False (nack)
        self.returned = set()   # message ids the broker returned as unroutable

    def _open(self):
        if self.channel is not None and self.channel.is_open:
            return self.channel._impl
        self.close()
        self.connection = pika.BlockingConnection(self.parameters)
        self.channel = self.connection.channel()
        self.declared = set()
        self.next_tag = 1
        channel = self.channel._impl
        selected = []
        channel.confirm_delivery(ack_nack_callback=self._on_confirm, callback=selected.append)
        channel.add_on_return_callback(self._on_return)
        self._pump(lambda: bool(selected), "confirm mode")
        return channel

    def _on_confirm(self, frame):
        method = frame.method
        tags = ([tag for tag in self.outstanding if tag <= method.delivery_tag]
                if method.multiple else [method.delivery_tag])
        acked = isinstance(method, pika.spec.Basic.Ack)
        for tag in tags:
            message_id = self.outstanding.pop(tag, None)
            if message_id is not None:
                self.confirmed[message_id] = acked

    def _on_return(self, channel, method, properties, body):
        self.returned.add(properties.message_id)

    def _pump(self, done, what):
        deadline = time.monotonic() + self.confirm_timeout
        while not done():
            if self.channel.is_closed:
                raise ChannelClosed(0, f"channel closed while waiting for {what}")
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AMQPError(f"no broker answer for {what} within {self.confirm_timeout:g} s")
            # it returns only at the time limit when the events were not its own: keep it short
            self.connection.process_data_events(time_limit=min(remaining, PUMP_INTERVAL_SECONDS))

    def publish_batch(self, exchange, messages):
        """Publish ``messages`` (dicts: routing_key, body, message_id, headers, timestamp).

        Returns ``{message_id: "published" | "unroutable" | "nacked"}``. Raises
        ``AMQPError`` (or ``OSError``) when the broker or connection fails;
        then nothing of the batch is known to be published.
        """
        channel = self._open()
        if exchange not in self.declared:
            # same arguments as nameko's get_event_exchange, so the declarations agree
            self.channel.exchange_declare(exchange, exchange_type="topic", durable=True)
            self.declared.add(exchange)
        self.outstanding, self.confirmed, self.returned = {}, {}, set()
        for message in messages:
            properties = pika.BasicProperties(
                content_type="application/json", content_encoding="utf-8", delivery_mode=2,
                message_id=message["message_id"], timestamp=message["timestamp"],
                headers=message["headers"])
            channel.basic_publish(exchange, message["routing_key"], message["body"], properties,
                                  mandatory=True)
            self.outstanding[self.next_tag] = message["message_id"]
            self.next_tag += 1
        try:
            self._pump(lambda: not self.outstanding, f"{len(messages)} publisher confirms")
        except Exception:
            self.close()  # what the broker has of this batch is unknown: start clean
            raise
        return {
            message_id: ("nacked" if not acked else
                         "unroutable" if message_id in self.returned else "published")
            for message_id, acked in self.confirmed.items()
        }

    def keep_alive(self):
        """Serve heartbeats while idle, so the broker keeps the connection."""
        if self.connection is not None and self.connection.is_open:
            try:
                self.connection.process_data_events(time_limit=0)
            except AMQPError:
                self.close()

    def close(self):
        try:
            if self.connection is not None and self.connection.is_open:
                self.connection.close()
        except Exception:  # closing a broken connection may fail; it is gone either way
            pass
        self.connection = None
        self.channel = None


class OutboxRelay:
    def __init__(self, db, config):
        self.db = db
        self.amqp_uri = config.get("AMQP_URI")
        self.batch_size = int(config.get("OUTBOX_BATCH_SIZE", 200))
        self.poll_interval = float(config.get("OUTBOX_POLL_INTERVAL", 1.0))
        self.retry_interval = float(config.get("OUTBOX_RETRY_INTERVAL", 2.0))
        self.exchange = event_exchange_name(db.service_name)
        self.publisher = None
        self.thread = None
        self.unheard = set()  # event types already reported as having no subscriber queue
        self._running = False
        self._wakeup = Event()
        GAUGES.add(("outbox", db.service_name, id(self)), self.gauges)

    # lifecycle ---------------------------------------------------------------

    def start(self, spawn):
        self._running = True
        self.publisher = BrokerPublisher(self.amqp_uri)
        self.thread = spawn(self.run, identifier=f"outbox-relay-{self.db.service_name}")

    def stop(self, wait=True):
        self._running = False
        self.wake()
        GAUGES.remove(("outbox", self.db.service_name, id(self)))
        # the relay's own thread closes its connection (pika's is not to be shared);
        # let it finish the batch in hand rather than be killed with the container
        if wait and self.thread is not None and eventlet.getcurrent() is not self.thread:
            with eventlet.Timeout(STOP_GRACE_SECONDS, False):
                self.thread.wait()
            self.thread = None

    def wake(self):
        if not self._wakeup.ready():
            self._wakeup.send(True)

    def run(self):
        try:
            while self._running:
                try:
                    published, complete = self.publish_pending()
                except Exception:
                    log.exception("outbox relay failed; retrying")
                    published, complete = 0, False
                if not self._running:
                    break
                if published and complete:
                    continue  # a full batch went out: there may be more
                self._wait(self.poll_interval if complete else self.retry_interval)
        finally:
            self.publisher.close()

    def _wait(self, seconds):
        with eventlet.Timeout(seconds, False):
            self._wakeup.wait()
        self._wakeup = Event()
        self.publisher.keep_alive()

    # work --------------------------------------------------------------------

    def publish_pending(self):
        """Publish one batch; returns (rows settled, whether the batch went out whole)."""
        outbox = self.db.outbox
        with self.db.unit_of_work() as uow:
            rows = uow.session.execute(
                select(outbox.c.seq, outbox.c.event_id, outbox.c.event_type, outbox.c.payload,
                       outbox.c.headers, outbox.c.created_at)
                .where(outbox.c.published_at.is_(None))
                .order_by(outbox.c.seq)
                .limit(self.batch_size)
                .with_for_update(skip_locked=True)
            ).all()
            if not rows:
                return 0, True
            try:
                outcomes = self.publish_rows(rows)
            except (AMQPError, OSError) as exc:
                OUTBOX_PUBLISH_FAILURES.labels(self.db.service_name).inc()
                log.warning("outbox publish failed, will retry: %r", exc)
                uow.session.execute(
                    outbox.update().where(outbox.c.seq.in_([r.seq for r in rows]))
                    .values(attempts=outbox.c.attempts + 1, last_error=repr(exc)[:1000]))
                return 0, False
            by_outcome = {"published": [], "unroutable": [], "nacked": []}
            for row in rows:
                by_outcome[outcomes.get(row.event_id, "nacked")].append(row)
            now = self.db.clock.now()
            for row in by_outcome["published"]:
                EVENTS_PUBLISHED.labels(self.db.service_name, row.event_type).inc()
            for row in by_outcome["unroutable"]:
                EVENTS_UNROUTABLE.labels(self.db.service_name, row.event_type).inc()
                # said once per type (a batch's 20,000 facts nobody listens to yet are one line), then counted
                level = logging.DEBUG if row.event_type in self.unheard else logging.WARNING
                self.unheard.add(row.event_type)
                log.log(level, "event had no subscriber queue: %s", row.event_type,
                        extra={"event_type": row.event_type, "event_id": row.event_id})
            self._mark(uow, by_outcome["published"], published_at=now)
            self._mark(uow, by_outcome["unroutable"], published_at=now, unroutable=True)
            if by_outcome["nacked"]:
                OUTBOX_PUBLISH_FAILURES.labels(self.db.service_name).inc()
                self._mark(uow, by_outcome["nacked"], last_error="nacked by the broker")
        settled = len(by_outcome["published"]) + len(by_outcome["unroutable"])
        return settled, not by_outcome["nacked"] and len(rows) == self.batch_size

    def _mark(self, uow, rows, **values):
        if rows:
            outbox = self.db.outbox
            uow.session.execute(
                outbox.update().where(outbox.c.seq.in_([r.seq for r in rows]))
                .values(attempts=outbox.c.attempts + 1, **values))

    def publish_rows(self, rows):
        """Publish outbox rows to the service's event exchange; outcomes by event id."""
        messages = []
        for row in rows:
            headers = {f"{HEADER_PREFIX}.{key}": value for key, value in json.loads(row.headers).items()}
            headers[f"{HEADER_PREFIX}.call_id_stack"] = [f"{self.db.service_name}.outbox.{row.event_id}"]
            messages.append({
                "routing_key": row.event_type, "body": row.payload.encode("utf-8"),
                "message_id": row.event_id, "headers": headers,
                "timestamp": int(row.created_at.timestamp()),
            })
        return self.publisher.publish_batch(self.exchange, messages)

    # metrics -----------------------------------------------------------------

    def backlog(self):
        """(pending events, age in seconds of the oldest pending one)."""
        outbox = self.db.outbox
        with self.db.reading() as connection:
            count, oldest = connection.execute(
                select(func.count(), func.min(outbox.c.created_at))
                .where(outbox.c.published_at.is_(None))).one()
        if oldest is not None and oldest.tzinfo is None:
            oldest = oldest.replace(tzinfo=timezone.utc)
        age = (self.db.clock.now() - oldest).total_seconds() if oldest is not None else 0.0
        return count, max(age, 0.0)

    def gauges(self):
        count, age = self.backlog()
        labels = {"service": self.db.service_name}
        return [
            ("laomo_outbox_backlog_events", "Events committed but not yet published.", labels, count),
            ("laomo_outbox_oldest_age_seconds", "Age of the oldest unpublished event.", labels, age),
        ]
