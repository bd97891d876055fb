"""What operations rely on: queue types for a cluster, the probes, and business gauges at scrape time."""

import pytest
import requests
from nameko.testing.services import entrypoint_hook, entrypoint_waiter
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import func, select

from services.chassis import events, topology
from services.chassis.database import databases_of
from services.chassis.events import handler_queue_name
from services.chassis.metrics import BusinessGauges
from services.chassis.testing import free_port, wait_for

from .parcels import Parcel, ParcelService, ReceiptService

RECEIPT_QUEUE = handler_queue_name("parcels", "parcel_sent", "receipts", "on_parcel_sent")


def queue_types(rabbit_manager, vhost):
    return {q["name"]: q.get("type", "classic") for q in rabbit_manager.get_queues(vhost)}


# --- queue types ---------------------------------------------------------------------------------

def test_quorum_setting_makes_every_durable_queue_quorum_and_events_still_flow(
        container_factory, rabbit_config, rabbit_manager, databases):
    # declared ahead of the services, as the migration job does; the services' own declarations must agree
    topology.declare(rabbit_config["AMQP_URI"], [ReceiptService], topology.QUORUM)
    sender = container_factory(ParcelService, dict(rabbit_config, DB_URI=databases["parcels"],
                                                   QUEUE_TYPE="quorum", OUTBOX_POLL_INTERVAL=0.05))
    receiver = container_factory(ReceiptService, dict(rabbit_config, DB_URI=databases["receipts"],
                                                      QUEUE_TYPE="quorum"))
    sender.start()
    receiver.start()

    types = queue_types(rabbit_manager, rabbit_config["vhost"])
    assert types["rpc-parcels"] == "quorum"
    assert types["rpc-receipts"] == "quorum"
    assert types[RECEIPT_QUEUE] == "quorum"
    assert types[RECEIPT_QUEUE + topology.DEAD_LETTER_SUFFIX] == "quorum"
    # a process's reply queue is its own and goes with it: classic
    assert {t for name, t in types.items() if name.startswith("rpc.reply-")} == {"classic"}

    with entrypoint_waiter(receiver, "on_parcel_sent"):
        with entrypoint_hook(sender, "send") as send:
            send("p-q", "劳模疗休养")
    with entrypoint_hook(receiver, "ask_parcel") as ask:  # RPC over a quorum queue, with a reply
        assert ask("p-q") == {"id": "p-q", "content": "劳模疗休养"}


def test_classic_is_the_default_and_declares_no_type(container_factory, rabbit_config, rabbit_manager, databases):
    receiver = container_factory(ReceiptService, dict(rabbit_config, DB_URI=databases["receipts"]))
    receiver.start()
    queues = {q["name"]: q for q in rabbit_manager.get_queues(rabbit_config["vhost"])}
    assert queues[RECEIPT_QUEUE].get("type", "classic") == "classic"
    # no x-queue-type argument: queues declared before the setting existed stay equivalent
    assert "x-queue-type" not in queues[RECEIPT_QUEUE]["arguments"]
    assert "x-queue-type" not in queues["rpc-receipts"]["arguments"]


@pytest.mark.parametrize("value", ["mirrored", "stream", "QUORUMS"])
def test_an_unknown_queue_type_is_refused_with_the_choices(value):
    with pytest.raises(ValueError, match="QUEUE_TYPE must be one of classic, quorum"):
        topology.queue_type_of({"QUEUE_TYPE": value})


def test_queue_type_is_read_without_regard_to_case_or_space():
    assert topology.queue_type_of({"QUEUE_TYPE": " Quorum "}) == topology.QUORUM
    assert topology.queue_type_of({}) == topology.CLASSIC


def test_the_declare_command_takes_the_queue_type(rabbit_config, rabbit_manager):
    code = topology.main(["--amqp-uri", rabbit_config["AMQP_URI"], "--queue-type", "quorum", "declare",
                          "services.chassis.tests.parcels:ReceiptService"])
    assert code == 0
    types = queue_types(rabbit_manager, rabbit_config["vhost"])
    assert types[RECEIPT_QUEUE] == types[RECEIPT_QUEUE + topology.DEAD_LETTER_SUFFIX] == "quorum"


# --- probes and business gauges ------------------------------------------------------------------

def parcels_in_store(session, today):
    CALLS.append(today)
    count = session.scalar(select(func.count()).select_from(Parcel))
    return [("laomo_test_parcels_stored", "Parcels in the store.", {"kind": "all"}, count)]


CALLS = []


class CountedParcelService(ParcelService):
    business_gauges = BusinessGauges(parcels_in_store)


def scrape(port):
    text = requests.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text
    return {sample.name: sample for family in text_string_to_metric_families(text) for sample in family.samples}


@pytest.fixture
def counted(container_factory, rabbit_config, databases):
    def start(**config):
        port = free_port()
        container = container_factory(CountedParcelService, dict(
            rabbit_config, DB_URI=databases["parcels"], OUTBOX_RELAY=False, METRICS_PORT=port, **config))
        container.start()
        return container, port
    CALLS.clear()
    return start


def test_business_gauges_are_read_from_the_database_at_scrape_time(counted):
    container, port = counted(BUSINESS_GAUGE_INTERVAL=0)
    assert scrape(port)["laomo_test_parcels_stored"].value == 0
    with entrypoint_hook(container, "send") as send:
        send("p-1", "生日慰问")
        send("p-2", "节日慰问")
    sample = scrape(port)["laomo_test_parcels_stored"]
    assert (sample.value, sample.labels) == (2, {"kind": "all"})


def test_business_gauges_are_read_once_per_interval_however_many_scrape(counted):
    container, port = counted(BUSINESS_GAUGE_INTERVAL=3600)
    for _ in range(3):
        assert scrape(port)["laomo_test_parcels_stored"].value == 0
    with entrypoint_hook(container, "send") as send:
        send("p-1", "生日慰问")
    assert scrape(port)["laomo_test_parcels_stored"].value == 0  # the figure read within the hour
    assert len(CALLS) == 1


def test_probes_tell_alive_from_ready(counted, monkeypatch):
    container, port = counted()
    base = f"http://127.0.0.1:{port}"
    assert requests.get(f"{base}/healthz", timeout=5).status_code == 200
    ready = requests.get(f"{base}/readyz", timeout=5)
    assert (ready.status_code, ready.text) == (200, "ready\n")

    database = databases_of(container)[0]

    def unreachable():
        raise ConnectionRefusedError("the database is down")

    monkeypatch.setattr(database, "reading", unreachable)
    not_ready = requests.get(f"{base}/readyz", timeout=5)
    assert (not_ready.status_code, not_ready.text) == (503, "database: ConnectionRefusedError\n")
    assert requests.get(f"{base}/healthz", timeout=5).status_code == 200  # alive: do not restart it for that
    assert requests.get(f"{base}/metrics", timeout=5).status_code == 200


def test_dead_letters_are_a_gauge_per_handler_read_from_the_broker(container_factory, rabbit_config, databases,
                                                                    monkeypatch):
    monkeypatch.setattr(events, "DEAD_LETTER_CHECK_INTERVAL", 0)  # every scrape asks the broker
    topology.declare(rabbit_config["AMQP_URI"], [ReceiptService])
    port = free_port()
    receiver = container_factory(ReceiptService, dict(
        rabbit_config, DB_URI=databases["receipts"], FAIL_RECEIPTS=True, EVENT_MAX_RETRIES=1,
        EVENT_RETRY_DELAY=0.01, METRICS_PORT=port))
    sender = container_factory(ParcelService, dict(rabbit_config, DB_URI=databases["parcels"],
                                                   OUTBOX_POLL_INTERVAL=0.05))
    receiver.start()
    sender.start()

    def waiting():
        sample = scrape(port).get("laomo_dead_letter_messages")
        return sample is not None and sample.labels == {"service": "receipts", "handler": "receipts.on_parcel_sent"} \
            and sample.value

    assert waiting() == 0
    with entrypoint_hook(sender, "send") as send:
        send("p-dl-1", "困难帮扶")
        send("p-dl-2", "困难帮扶")
    wait_for(lambda: waiting() == 2, timeout=20, message="two dead letters on the gauge")
