"""Figure 1: outbox relay throughput, events published with publisher confirms per second.

A fresh SQLite database gets N outbox rows, written the way services write
them (``unit_of_work().record_event``) in batches. A durable queue bound to
``<service>.events`` with ``#`` makes every event routable, as the declared
topology does for real subscribers. Then ``OutboxRelay.publish_pending()``
runs back to back, as the relay's own loop does after a full batch, until the
backlog is 0. Each batch is one SELECT, the batch's publishes (persistent,
mandatory) with their confirms awaited together, and one UPDATE.
"""
import os
import shutil
import tempfile
import time

import eventlet
import pika
from sqlalchemy import func, select

from bench.broker import queue_depth
from services.chassis.clock import SystemClock
from services.chassis.database import DatabaseEngine, service_metadata
from services.chassis.outbox import BrokerPublisher, OutboxRelay, event_exchange_name

SERVICE = "benchrelay"
EVENT_TYPE = "unit_registered"
SPY_QUEUE = "benchrelay.spy"
CEILING_QUEUE = "benchrelay.ceiling"
CEILING_MESSAGES = 2000
WRITE_BATCH = 500
MAX_IDLE_ROUNDS = 20


def write_outbox(db, events):
    for start in range(0, events, WRITE_BATCH):
        with db.unit_of_work() as uow:
            for i in range(start, min(events, start + WRITE_BATCH)):
                uow.record_event(EVENT_TYPE, {
                    "unit_id": f"u-{i:05d}", "name": "北京市劳动模范", "level": "city", "index": i})


def bind_spy_queue(amqp_uri):
    connection = pika.BlockingConnection(pika.URLParameters(amqp_uri))
    try:
        channel = connection.channel()
        exchange = event_exchange_name(SERVICE)
        channel.exchange_declare(exchange, exchange_type="topic", durable=True)
        channel.queue_declare(SPY_QUEUE, durable=True)
        channel.queue_bind(SPY_QUEUE, exchange, routing_key="#")
    finally:
        connection.close()


def confirm_ceiling(amqp_uri, messages=CEILING_MESSAGES):
    """Bare pika, no database: one persistent message at a time, each waiting for its confirm.

    What a relay that waits for every confirm before the next publish would
    reach on this broker; ``BrokerPublisher`` pipelines a batch instead.
    """
    connection = pika.BlockingConnection(pika.URLParameters(amqp_uri))
    try:
        channel = connection.channel()
        channel.confirm_delivery()
        channel.queue_declare(CEILING_QUEUE, durable=True)
        body = b'{"unit_id": "u-00000", "name": "bench", "level": "city"}'
        properties = pika.BasicProperties(content_type="application/json", delivery_mode=2)
        started = time.perf_counter()
        for _ in range(messages):
            channel.basic_publish("", CEILING_QUEUE, body, properties, mandatory=True)
        return messages / (time.perf_counter() - started)
    finally:
        connection.close()


def count_rows(db, *conditions):
    with db.reading() as connection:
        return connection.execute(
            select(func.count()).select_from(db.outbox).where(*conditions)).scalar_one()


def run(amqp_uri, events=5000, batch_size=None):
    workdir = tempfile.mkdtemp(prefix="laomo-bench-relay-")
    db = DatabaseEngine(f"sqlite:///{os.path.join(workdir, 'outbox.sqlite3')}",
                        service_metadata(), SERVICE, SystemClock())
    relay = None
    try:
        db.metadata.create_all(db.engine)
        started = time.perf_counter()
        write_outbox(db, events)
        write_seconds = time.perf_counter() - started

        bind_spy_queue(amqp_uri)
        config = {"AMQP_URI": amqp_uri}
        if batch_size:
            config["OUTBOX_BATCH_SIZE"] = batch_size
        relay = OutboxRelay(db, config)
        relay.publisher = BrokerPublisher(amqp_uri)

        settled_total, rounds, idle_rounds = 0, 0, 0
        started = time.perf_counter()
        while True:
            settled, _complete = relay.publish_pending()
            settled_total += settled
            rounds += 1
            backlog, _age = relay.backlog()
            if backlog == 0:
                break
            if settled == 0:  # a failed publish: the relay itself would retry after a pause
                idle_rounds += 1
                if idle_rounds > MAX_IDLE_ROUNDS:
                    raise RuntimeError(f"the relay made no progress; {backlog} events still pending")
                eventlet.sleep(0.1)
        elapsed = time.perf_counter() - started

        unroutable = count_rows(db, db.outbox.c.unroutable.is_(True))
        queued = queue_depth(amqp_uri, SPY_QUEUE)
        ceiling = confirm_ceiling(amqp_uri)
        return {
            "events": events,
            "settled": settled_total,
            "seconds": elapsed,
            "events_per_s": settled_total / elapsed,
            "batches": rounds,
            "batch_size": relay.batch_size,
            "write_seconds": write_seconds,
            "write_events_per_s": events / write_seconds,
            "unroutable": unroutable,
            "queued": queued,
            "ceiling_per_s": ceiling,
        }
    finally:
        if relay is not None:
            relay.stop()  # no thread here: only drops its metrics gauge
            if relay.publisher is not None:
                relay.publisher.close()
        db.dispose()
        shutil.rmtree(workdir, ignore_errors=True)
