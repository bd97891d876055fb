"""Service tests of the outbox, the inbox, subscriber queues and dead letters, on a real RabbitMQ.

Each test gets its own virtual host (nameko's ``rabbit_config``) and fresh
databases (SQLite, and PostgreSQL under ``make test``).
"""
import json

import pika
import pytest
from nameko.testing.services import entrypoint_hook, entrypoint_waiter
from sqlalchemy import func, select

from services.chassis import topology
from services.chassis.database import databases_of
from services.chassis.events import handler_queue_name
from services.chassis.metrics import EVENTS_DEAD_LETTERED, EVENTS_HANDLED
from services.chassis.outbox import BrokerPublisher
from services.chassis.testing import wait_for

from .parcels import ParcelService, ReceiptService

RECEIPT_QUEUE = handler_queue_name("parcels", "parcel_sent", "receipts", "on_parcel_sent")


@pytest.fixture
def config_for(rabbit_config, databases):
    def make(service, **extra):
        config = dict(rabbit_config, DB_URI=databases[service], OUTBOX_POLL_INTERVAL=0.05,
                      OUTBOX_RETRY_INTERVAL=0.05, EVENT_MAX_RETRIES=2, EVENT_RETRY_DELAY=0.01)
        config.update(extra)
        return config
    return make


def outbox_rows(container):
    db = container_database(container)
    with db.reading() as connection:
        return connection.execute(select(db.outbox).order_by(db.outbox.c.seq)).all()


def inbox_count(container):
    db = container_database(container)
    with db.reading() as connection:
        return connection.execute(select(func.count()).select_from(db.inbox)).scalar_one()


def container_database(container):
    return databases_of(container)[0]


def dead_letters(amqp_uri):
    return topology.dead_letter_counts(amqp_uri, [RECEIPT_QUEUE])[RECEIPT_QUEUE]


def receipts_of(container):
    with entrypoint_hook(container, "receipts") as receipts:
        return receipts()


def test_event_committed_while_relay_is_stopped_arrives_once_when_it_starts(
        container_factory, config_for, rabbit_config):
    topology.declare(rabbit_config["AMQP_URI"], [ReceiptService])
    sender = container_factory(ParcelService, config_for("parcels", OUTBOX_RELAY=False))
    sender.start()
    with entrypoint_hook(sender, "send") as send:
        send("p-1", "劳模证书")
    rows = outbox_rows(sender)
    assert [(r.event_type, r.published_at) for r in rows] == [("parcel_sent", None)]

    receiver = container_factory(ReceiptService, config_for("receipts"))
    receiver.start()
    sender.stop()  # the "crash": the change and its event are committed, nothing published

    restarted = container_factory(ParcelService, config_for("parcels"))
    with entrypoint_waiter(receiver, "on_parcel_sent"):
        restarted.start()
    assert receipts_of(receiver) == [["p-1", "劳模证书"]]
    wait_for(lambda: outbox_rows(restarted)[0].published_at is not None, message="the row marked published")
    assert inbox_count(receiver) == 1


def test_rolled_back_change_publishes_nothing(container_factory, config_for, rabbit_config):
    sender = container_factory(ParcelService, config_for("parcels"))
    sender.start()
    with entrypoint_hook(sender, "send") as send:
        with pytest.raises(RuntimeError):
            send("p-2", "never", fail_after_write=True)
    assert outbox_rows(sender) == []
    with entrypoint_hook(sender, "count") as count:
        assert count() == 0


def test_event_delivered_twice_has_one_effect(container_factory, config_for, rabbit_config):
    topology.declare(rabbit_config["AMQP_URI"], [ReceiptService])
    sender = container_factory(ParcelService, config_for("parcels", OUTBOX_RELAY=False))
    sender.start()
    with entrypoint_hook(sender, "send") as send:
        send("p-3", "慰问金")
    relay = next(d for d in sender.dependencies if d.attr_name == "db").relay
    # a relay that publishes, then "crashes" before it marks the row sent...
    relay.publisher = BrokerPublisher(rabbit_config["AMQP_URI"])
    assert relay.publish_rows(outbox_rows(sender)) == {outbox_rows(sender)[0].event_id: "published"}
    # ...then the restarted relay publishes the same row again, and marks it
    published, _ = relay.publish_pending()
    assert published == 1

    duplicates_before = EVENTS_HANDLED.labels("receipts", "receipts.on_parcel_sent", "duplicate")._value.get()
    receiver = container_factory(ReceiptService, config_for("receipts"))
    with entrypoint_waiter(receiver, "on_parcel_sent", callback=lambda wc, r, e: True):
        receiver.start()
    wait_for(lambda: EVENTS_HANDLED.labels("receipts", "receipts.on_parcel_sent", "duplicate")._value.get()
             > duplicates_before, message="the second delivery")
    assert receipts_of(receiver) == [["p-3", "慰问金"]]
    assert inbox_count(receiver) == 1
    relay.publisher.close()


def test_event_published_before_subscriber_first_runs_is_handled(
        container_factory, config_for, rabbit_config):
    # make run / make test declare every subscriber queue before any service starts
    declared = topology.declare(rabbit_config["AMQP_URI"], [ReceiptService])
    assert declared == [RECEIPT_QUEUE]
    sender = container_factory(ParcelService, config_for("parcels"))
    sender.start()
    with entrypoint_hook(sender, "send") as send:
        send("p-4", "体检")
    wait_for(lambda: outbox_rows(sender)[0].published_at is not None, message="publication")
    assert not outbox_rows(sender)[0].unroutable

    receiver = container_factory(ReceiptService, config_for("receipts"))
    with entrypoint_waiter(receiver, "on_parcel_sent"):
        receiver.start()  # first start, after the event
    assert receipts_of(receiver) == [["p-4", "体检"]]


def test_event_without_any_subscriber_queue_is_kept_as_unroutable(container_factory, config_for):
    sender = container_factory(ParcelService, config_for("parcels"))
    sender.start()
    with entrypoint_hook(sender, "send") as send:
        send("p-5", "nobody listens")
    wait_for(lambda: outbox_rows(sender)[0].published_at is not None, message="publication")
    assert outbox_rows(sender)[0].unroutable is True


def test_failing_handler_is_retried_then_dead_lettered_and_can_be_replayed(
        container_factory, config_for, rabbit_config):
    amqp_uri = rabbit_config["AMQP_URI"]
    topology.declare(amqp_uri, [ReceiptService])
    dead_before = EVENTS_DEAD_LETTERED.labels("receipts", "receipts.on_parcel_sent")._value.get()
    failures = []
    receiver = container_factory(ReceiptService, config_for("receipts", FAIL_RECEIPTS=True))
    receiver.start()
    sender = container_factory(ParcelService, config_for("parcels"))
    sender.start()

    def count_failure(worker_ctx, result, exc_info):
        failures.append(exc_info is not None)
        return len(failures) == 3  # the first try and EVENT_MAX_RETRIES=2 retries

    with entrypoint_waiter(receiver, "on_parcel_sent", callback=count_failure, timeout=20):
        with entrypoint_hook(sender, "send") as send:
            send("p-6", "困难帮扶")
    assert failures == [True, True, True]
    wait_for(lambda: dead_letters(amqp_uri) == 1, message="the dead letter")
    assert EVENTS_DEAD_LETTERED.labels("receipts", "receipts.on_parcel_sent")._value.get() == dead_before + 1
    assert receipts_of(receiver) == []  # nothing half-done: each failed attempt rolled back
    assert inbox_count(receiver) == 0
    receiver.stop()

    # ops fix the cause and replay: the event is handled, once
    fixed = container_factory(ReceiptService, config_for("receipts"))
    fixed.start()
    with entrypoint_waiter(fixed, "on_parcel_sent"):
        assert topology.replay(amqp_uri, RECEIPT_QUEUE) == 1
    assert receipts_of(fixed) == [["p-6", "困难帮扶"]]
    assert dead_letters(amqp_uri) == 0


def test_event_is_in_nameko_format_with_id_and_correlation(container_factory, config_for, rabbit_config):
    amqp_uri = rabbit_config["AMQP_URI"]
    connection = pika.BlockingConnection(pika.URLParameters(amqp_uri))
    channel = connection.channel()
    channel.exchange_declare("parcels.events", exchange_type="topic", durable=True)
    channel.queue_declare("spy", durable=False)
    channel.queue_bind("spy", "parcels.events", routing_key="parcel_sent")
    sender = container_factory(ParcelService, config_for("parcels"))
    sender.start()
    with entrypoint_hook(sender, "send", context_data={"correlation_id": "req-0001-abcd"}) as send:
        send("p-7", "北京劳模")
    method, properties, body = wait_for(
        lambda: (lambda got: got if got[0] else None)(channel.basic_get("spy", auto_ack=True)),
        message="the spied event")
    connection.close()
    event = json.loads(body)
    assert method.routing_key == "parcel_sent"
    assert properties.content_type == "application/json"
    assert properties.delivery_mode == 2
    assert properties.message_id == event["event_id"]
    assert properties.headers["nameko.correlation_id"] == "req-0001-abcd"
    assert event["parcel_id"] == "p-7" and event["content"] == "北京劳模"
    assert "occurred_at" in event


def test_rpc_errors_cross_intact_and_calls_time_out(container_factory, config_for, rabbit_config):
    from services.chassis.errors import NotFound, ServiceTimeout, ServiceUnavailable

    sender = container_factory(ParcelService, config_for("parcels"))
    receiver = container_factory(ReceiptService, config_for("receipts", RPC_TIMEOUT=0.3))
    sender.start()
    receiver.start()
    with entrypoint_hook(receiver, "ask_parcel") as ask:
        with pytest.raises(NotFound) as caught:
            ask("missing")
    assert caught.value.details == {"parcel_id": "missing"}
    with entrypoint_hook(receiver, "ask_slow") as ask_slow:
        with pytest.raises(ServiceTimeout):
            ask_slow(2)
    sender.stop()
    # the queue outlives the consumer: silence is a timeout; no queue at all is "unavailable"
    connection = pika.BlockingConnection(pika.URLParameters(rabbit_config["AMQP_URI"]))
    connection.channel().queue_delete("rpc-parcels")
    connection.close()
    with entrypoint_hook(receiver, "ask_parcel") as ask:
        with pytest.raises(ServiceUnavailable):
            ask("p-1")

