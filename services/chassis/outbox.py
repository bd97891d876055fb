"""The outbox relay: publishes committed events, in order, with broker confirms.

Events are rows of the service's ``outbox`` table, written in the same
transaction as the change they report. The relay takes pending rows in
``seq`` order, publishes each to the service's nameko event exchange
(``<service>.events``, routing key = event type, JSON body, ``nameko.*``
headers) with publisher confirms and ``mandatory``, and marks it published.

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
from datetime import timezone

import eventlet
import pika
from eventlet.event import Event
from pika.exceptions import AMQPError, UnroutableError
from sqlalchemy import func, select

from .metrics import EVENTS_PUBLISHED, EVENTS_UNROUTABLE, GAUGES, OUTBOX_PUBLISH_FAILURES

log = logging.getLogger(__name__)

HEADER_PREFIX = "nameko"
STOP_GRACE_SECONDS = 10


def event_exchange_name(service_name):
    return f"{service_name}.events"


class BrokerPublisher:
    """A pika channel in confirm mode, opened on first use and after any failure."""

    def __init__(self, amqp_uri):
        self.parameters = pika.URLParameters(amqp_uri)
        self.connection = None
        self.channel = None
        self.declared = set()

    def _channel(self):
        if self.channel is None or self.channel.is_closed:
            self.close()
            self.connection = pika.BlockingConnection(self.parameters)
            self.channel = self.connection.channel()
            self.channel.confirm_delivery()
            self.declared = set()
        return self.channel

    def publish(self, exchange, routing_key, body, message_id, headers, timestamp):
        """Publish one message and wait for the broker's confirm.

        Raises ``UnroutableError`` when no queue is bound, ``AMQPError`` on
        any broker or connection failure.
        """
        channel = self._channel()
        if exchange not in self.declared:
            # same arguments as nameko's get_event_exchange, so the declarations agree
            channel.exchange_declare(exchange, exchange_type="topic", durable=True)
            self.declared.add(exchange)
        properties = pika.BasicProperties(
            content_type="application/json",
            content_encoding="utf-8",
            delivery_mode=2,
            message_id=message_id,
            timestamp=timestamp,
            headers=headers,
        )
        channel.basic_publish(exchange, routing_key, body, properties, mandatory=True)

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
        self._running = False
        self._wakeup = Event()
        GAUGES.add(("outbox", db.service_name, id(self)), self.gauges)

    # lifecycle ---------------------------------------------------------------

    def start(self, spawn):
        self._running = True
        self.publisher = BrokerPublisher(self.amqp_uri)
        self.thread = spawn(self.run, identifier=f"outbox-relay-{self.db.service_name}")

    def stop(self):
        self._running = False
        self.wake()
        GAUGES.remove(("outbox", self.db.service_name, id(self)))
        # the relay's own thread closes its connection (pika's is not to be shared);
        # let it finish the batch in hand rather than be killed with the container
        if self.thread is not None and eventlet.getcurrent() is not self.thread:
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
        settled = 0
        with self.db.unit_of_work() as uow:
            rows = uow.session.execute(
                select(outbox.c.seq, outbox.c.event_id, outbox.c.event_type, outbox.c.payload,
                       outbox.c.headers, outbox.c.created_at)
                .where(outbox.c.published_at.is_(None))
                .order_by(outbox.c.seq)
                .limit(self.batch_size)
                .with_for_update(skip_locked=True)
            ).all()
            published, unroutable, failure = [], [], None
            for row in rows:
                try:
                    self._publish(row)
                except UnroutableError:
                    unroutable.append(row)
                    EVENTS_UNROUTABLE.labels(self.db.service_name, row.event_type).inc()
                    log.warning("event had no subscriber queue: %s", row.event_type,
                                extra={"event_type": row.event_type, "event_id": row.event_id})
                except (AMQPError, OSError) as exc:
                    failure = (row, exc)
                    self.publisher.close()
                    OUTBOX_PUBLISH_FAILURES.labels(self.db.service_name).inc()
                    log.warning("outbox publish failed, will retry: %r", exc,
                                extra={"event_type": row.event_type, "event_id": row.event_id})
                    break  # keep order: later events wait for this one
                else:
                    published.append(row)
                    EVENTS_PUBLISHED.labels(self.db.service_name, row.event_type).inc()
            now = self.db.clock.now()
            if published:
                uow.session.execute(
                    outbox.update().where(outbox.c.seq.in_([r.seq for r in published]))
                    .values(published_at=now, attempts=outbox.c.attempts + 1))
            if unroutable:
                uow.session.execute(
                    outbox.update().where(outbox.c.seq.in_([r.seq for r in unroutable]))
                    .values(published_at=now, unroutable=True, attempts=outbox.c.attempts + 1))
            if failure is not None:
                row, exc = failure
                uow.session.execute(
                    outbox.update().where(outbox.c.seq == row.seq)
                    .values(attempts=outbox.c.attempts + 1, last_error=repr(exc)[:1000]))
            settled = len(published) + len(unroutable)
        return settled, failure is None and len(rows) == self.batch_size

    def _publish(self, row):
        headers = {f"{HEADER_PREFIX}.{key}": value for key, value in json.loads(row.headers).items()}
        headers[f"{HEADER_PREFIX}.call_id_stack"] = [f"{self.db.service_name}.outbox.{row.event_id}"]
        self.publisher.publish(
            self.exchange, row.event_type, row.payload.encode("utf-8"),
            message_id=row.event_id, headers=headers,
            timestamp=int(row.created_at.timestamp()),
        )

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
