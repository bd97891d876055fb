"""Honours conferred by nomination: the registry consumes ``nomination_conferred``.

Service tests run the real RegistryService on RabbitMQ (its own vhost) beside a
stand-in ``nomination`` service defined here: it records the event through its
outbox as every laomo service does, and answers the claim check
``candidate_record``. The handler's edge cases run through worker_factory with
a real unit of work, on SQLite and, under ``make test``, PostgreSQL.
"""
import uuid
from datetime import date

import pytest
from nameko.standalone.rpc import ServiceRpcProxy
from nameko.testing.services import entrypoint_hook, entrypoint_waiter, worker_factory
from sqlalchemy import func, select, update

from services.chassis import topology
from services.chassis.database import Database, UnitOfWork, databases_of, make_engine
from services.chassis.errors import Invalid, NotFound, ServiceUnavailable
from services.chassis.events import DUPLICATE
from services.chassis.id_numbers import make_id_number
from services.chassis.rpc import rpc
from services.chassis.service import LaomoService
from services.chassis.testing import wait_for
from services.nomination.models import Base as NominationBase
from services.registry.models import Honour, Honouree
from services.registry.service import RegistryService

CITY = {"account": "zhao.city", "unit_id": "bj", "personal_data": True}
BORN = date(1968, 11, 20)

# what the stand-in nomination service knows, and which candidate records it was asked for
CANDIDATES = {}
ASKED = []


def candidate(sequence=1, **extra):
    """A candidate's record as nomination.candidate_record returns it: NewHonoureeSchema's fields."""
    return dict({"name": "李秀英", "gender": "female", "ethnicity": "回族", "birth_date": BORN.isoformat(),
                 "id_number": make_id_number("110105", BORN, sequence), "category": "worker",
                 "employer": "北京公交集团", "position": "驾驶员", "front_line": True,
                 "managing_unit_id": "bj-haidian"}, **extra)


def conferred(nomination_id, **extra):
    """A nomination_conferred payload (without event_id/occurred_at, which the outbox adds)."""
    return dict({"nomination_id": nomination_id, "campaign_id": "bj-model-worker-2025",
                 "honour_type": "beijing_model_worker", "year": 2025,
                 "managing_unit_id": "bj-haidian"}, **extra)


class NominationStandIn(LaomoService):
    """The nomination service as the registry sees it: one event, one RPC."""

    name = "nomination"
    db = Database(NominationBase.metadata)

    @rpc
    def confer(self, payload):
        """Publish nomination_conferred the way every laomo service does: through the outbox."""
        return self.db.record_event("nomination_conferred", payload)

    @rpc
    def candidate_record(self, nomination_id):
        ASKED.append(nomination_id)
        return CANDIDATES[nomination_id]


# --- on RabbitMQ -----------------------------------------------------------------------------

@pytest.fixture
def nomination_db_uri(new_db_uri):
    uri = new_db_uri("nomination")
    engine = make_engine(uri)
    NominationBase.metadata.create_all(engine)
    engine.dispose()
    return uri


@pytest.fixture
def suite(container_factory, rabbit_config, registry_config, nomination_db_uri):
    """The registry and the nomination stand-in, running; the subscriber queue declared first."""
    CANDIDATES.clear()
    ASKED.clear()
    topology.declare(rabbit_config["AMQP_URI"], [RegistryService])
    registry = container_factory(RegistryService, dict(
        registry_config, OUTBOX_POLL_INTERVAL=0.05, EVENT_MAX_RETRIES=1, EVENT_RETRY_DELAY=0.01))
    nomination = container_factory(NominationStandIn, dict(
        rabbit_config, DB_URI=nomination_db_uri, OUTBOX_POLL_INTERVAL=0.05, OUTBOX_RETRY_INTERVAL=0.05))
    registry.start()
    nomination.start()
    return registry, nomination


@pytest.fixture
def registry_rpc(suite, rabbit_config):
    with ServiceRpcProxy("registry", rabbit_config, timeout=10) as proxy:
        yield proxy


def database_of(container):
    return databases_of(container)[0]


def deliver(suite, payload):
    """Publish the event through the stand-in's outbox; wait for the registry to handle it."""
    registry, nomination = suite
    with entrypoint_waiter(registry, "on_nomination_conferred") as handled:
        with entrypoint_hook(nomination, "confer") as confer:
            event_id = confer(payload)
    return event_id, handled.get()


def redeliver(suite, event_id):
    """The relay "crashed" after publishing: the same outbox row, the same event id, goes out again."""
    registry, nomination = suite
    db = database_of(nomination)

    def published():
        with db.reading() as connection:
            return connection.execute(select(db.outbox.c.published_at)
                                      .where(db.outbox.c.event_id == event_id)).scalar_one()

    wait_for(published, message="the first publication marked")
    with entrypoint_waiter(registry, "on_nomination_conferred") as handled:
        with db.unit_of_work() as uow:
            uow.session.execute(update(db.outbox).where(db.outbox.c.event_id == event_id)
                                .values(published_at=None))
    return handled.get()


def count(container, model, *where):
    db = database_of(container)
    with db.reading() as connection:
        return connection.execute(select(func.count()).select_from(model).where(*where)).scalar_one()


def test_a_new_candidate_is_fetched_by_claim_check_and_entered(suite, registry_rpc):
    registry, _ = suite
    CANDIDATES["nom-1"] = candidate()
    _, entered = deliver(suite, conferred("nom-1", conferring_body="北京市人民政府"))
    assert ASKED == ["nom-1"]
    record = registry_rpc.get_honouree(CITY, entered["honouree_id"])
    assert (record["name"], record["id_number"], record["managing_unit_id"]) == (
        "李秀英", candidate()["id_number"], "bj-haidian")
    assert record["district_id"] == "bj-haidian" and record["front_line"] is True
    assert [(h["id"], h["honour_type"], h["year"], h["nomination_id"], h["status"]) for h in record["honours"]] \
        == [(entered["honour_id"], "beijing_model_worker", 2025, "nom-1", "active")]
    trail = registry_rpc.audit_trail(CITY, "honour", entered["honour_id"])
    assert [(e["action"], e["account"], e["unit_id"]) for e in trail] == [("conferred", "system", "bj")]


def test_the_same_event_delivered_twice_enters_the_honour_once(suite, registry_rpc):
    registry, _ = suite
    CANDIDATES["nom-2"] = candidate(sequence=2)
    event_id, entered = deliver(suite, conferred("nom-2"))
    assert redeliver(suite, event_id) is DUPLICATE
    assert ASKED == ["nom-2"]  # the repeat never reached the claim check
    assert count(registry, Honour, Honour.nomination_id == "nom-2") == 1
    assert count(registry, Honouree) == 1
    db = database_of(registry)
    assert count(registry, db.inbox, db.inbox.c.event_id == event_id) == 1
    assert len(registry_rpc.get_honouree(CITY, entered["honouree_id"])["honours"]) == 1


def test_a_second_event_of_the_same_nomination_enters_nothing_more(suite, registry_rpc):
    registry, _ = suite
    CANDIDATES["nom-3"] = candidate(sequence=3)
    first_id, first = deliver(suite, conferred("nom-3"))
    second_id, second = deliver(suite, conferred("nom-3"))
    assert second_id != first_id
    assert second == first  # the same honouree and honour, found by the nomination id
    assert ASKED == ["nom-3"]
    assert count(registry, Honour, Honour.nomination_id == "nom-3") == 1
    assert count(registry, Honouree) == 1


def test_an_existing_honouree_gets_the_honour_without_an_rpc(suite, registry_rpc):
    registry, _ = suite
    existing = registry_rpc.register_honouree(CITY, dict(
        candidate(sequence=4), honours=[{"honour_type": "capital_labour_medal", "year": 2018}]))
    _, entered = deliver(suite, conferred("nom-4", honouree_id=existing["id"]))
    assert ASKED == []
    assert entered["honouree_id"] == existing["id"]
    honours = registry_rpc.get_honouree(CITY, existing["id"])["honours"]
    assert [(h["honour_type"], h["year"], h["nomination_id"]) for h in honours] == [
        ("capital_labour_medal", 2018, None), ("beijing_model_worker", 2025, "nom-4")]
    assert count(registry, Honouree) == 1


def test_a_candidate_whose_id_number_is_registered_gets_the_honour_on_that_record(suite, registry_rpc):
    registry, _ = suite
    existing = registry_rpc.register_honouree(CITY, dict(
        candidate(sequence=5), honours=[{"honour_type": "capital_labour_medal", "year": 2018}]))
    # the nomination did not know the candidate was an honouree: no honouree_id, a claim check
    CANDIDATES["nom-5"] = candidate(sequence=5, name="李秀英", employer="另一家公司")
    _, entered = deliver(suite, conferred("nom-5"))
    assert ASKED == ["nom-5"]
    assert entered["honouree_id"] == existing["id"]
    assert count(registry, Honouree) == 1
    assert count(registry, Honour, Honour.honouree_id == existing["id"]) == 2
    assert registry_rpc.get_honouree(CITY, existing["id"])["employer"] == "北京公交集团"  # record unchanged


# --- the handler's edge cases (worker_factory, both engines) ---------------------------------

class ClaimCheck:
    """A stand-in for the registry's nomination client."""

    def __init__(self, records=None, error=None):
        self.records = records or {}
        self.error = error
        self.asked = []

    def candidate_record(self, nomination_id):
        self.asked.append(nomination_id)
        if self.error is not None:
            raise self.error
        return self.records[nomination_id]


def handle(registry, payload, nomination=None):
    """Deliver one event to the handler as a running service would: its own unit of work."""
    uow = UnitOfWork(registry.engine)
    worker = worker_factory(RegistryService, db=uow, clock=registry.clock, sealer=registry.sealer,
                            nomination=nomination or ClaimCheck())
    try:
        result = worker.on_nomination_conferred(dict(payload, event_id=uuid.uuid4().hex,
                                                     occurred_at="2024-05-01T08:30:00+00:00"))
    except BaseException:
        uow.rollback()
        raise
    uow.commit()
    return result


def honour_count(registry):
    with registry.engine.reading() as connection:
        return connection.execute(select(func.count()).select_from(Honour)).scalar_one()


def test_the_handler_enters_a_new_honouree_once(registry):
    claim = ClaimCheck({"nom-10": candidate(sequence=10)})
    entered = handle(registry, conferred("nom-10", level="national", conferring_body="北京市人民政府"), claim)
    again = handle(registry, conferred("nom-10"), claim)
    assert again == entered and claim.asked == ["nom-10"]
    honour = registry.get_honouree(CITY, entered["honouree_id"])["honours"][0]
    assert (honour["level"], honour["conferring_body"]) == ("national", "北京市人民政府")


@pytest.mark.parametrize("payload, field", [
    ({"campaign_id": "c", "honour_type": "beijing_model_worker", "year": 2025,
      "managing_unit_id": "bj-haidian"}, "nomination_id"),
    (conferred("nom-11", year="2025"), "year"),
    (conferred("nom-11", level="galactic"), "level"),
    (conferred("nom-11", managing_unit_id=None), "managing_unit_id"),
], ids=["no-nomination-id", "year-as-text", "unknown-level", "no-managing-unit"])
def test_a_malformed_event_is_invalid_and_enters_nothing(registry, payload, field):
    claim = ClaimCheck({"nom-11": candidate(sequence=11)})
    with pytest.raises(Invalid) as raised:
        handle(registry, payload, claim)
    assert field in raised.value.details
    assert claim.asked == [] and honour_count(registry) == 0


def test_fields_a_later_version_adds_are_ignored(registry):
    claim = ClaimCheck({"nom-12": candidate(sequence=12)})
    entered = handle(registry, conferred("nom-12", ceremony="人民大会堂"), claim)
    assert entered["honour_id"]


def test_an_unknown_honouree_id_is_not_found_and_enters_nothing(registry):
    with pytest.raises(NotFound):
        handle(registry, conferred("nom-13", honouree_id="f" * 32))
    assert honour_count(registry) == 0


def test_a_candidate_record_that_breaks_the_rules_is_invalid(registry):
    bad_number = candidate(sequence=14, id_number=make_id_number("110105", date(1990, 1, 1), 14))
    with pytest.raises(Invalid) as raised:
        handle(registry, conferred("nom-14"), ClaimCheck({"nom-14": bad_number}))
    assert "id_number" in raised.value.details
    other_unit = candidate(sequence=14, managing_unit_id="bj-chaoyang")
    with pytest.raises(Invalid) as raised:
        handle(registry, conferred("nom-14"), ClaimCheck({"nom-14": other_unit}))
    assert "managing_unit_id" in raised.value.details
    assert honour_count(registry) == 0


def test_a_record_without_a_managing_unit_takes_the_events(registry):
    record = {k: v for k, v in candidate(sequence=15).items() if k != "managing_unit_id"}
    entered = handle(registry, conferred("nom-15", managing_unit_id="bj-chaoyang"),
                     ClaimCheck({"nom-15": record}))
    assert registry.get_honouree(CITY, entered["honouree_id"])["managing_unit_id"] == "bj-chaoyang"


def test_an_unreachable_nomination_service_fails_the_delivery_and_enters_nothing(registry):
    down = ClaimCheck(error=ServiceUnavailable("the nomination service is not available"))
    with pytest.raises(ServiceUnavailable):
        handle(registry, conferred("nom-16"), down)
    assert honour_count(registry) == 0
    # the retry, once it answers, enters it
    assert handle(registry, conferred("nom-16"), ClaimCheck({"nom-16": candidate(sequence=16)}))["honour_id"]
    assert honour_count(registry) == 1


def test_an_honour_keyed_in_before_the_event_is_linked_not_doubled(registry):
    record = registry.register_honouree(CITY, dict(
        candidate(sequence=17), honours=[{"honour_type": "beijing_model_worker", "year": 2025}]))
    entered = handle(registry, conferred("nom-17", honouree_id=record["id"]))
    assert entered["honour_id"] == record["honours"][0]["id"]
    honours = registry.get_honouree(CITY, record["id"])["honours"]
    assert [(h["id"], h["nomination_id"]) for h in honours] == [(record["honours"][0]["id"], "nom-17")]
    trail = registry.audit_trail(CITY, "honour", entered["honour_id"])
    assert [e["action"] for e in trail] == ["conferred", "linked_to_nomination"]
    assert trail[1]["changes"] == {"nomination_id": [None, "nom-17"]}
