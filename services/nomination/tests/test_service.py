"""NominationService running on RabbitMQ beside the real RegistryService: the whole loop.

A candidate goes through the procedure over RPC (the union tree and the honour types asked
of the running registry), is conferred, and the registry enters the honour from
``nomination_conferred`` and the claim check ``candidate_record``; the registry's
``honour_conferred`` tells nomination which honouree the candidate became, and when the
registry revokes the honour, ``honour_revoked`` bars the person from the next campaign.

Both databases are migrated with their Alembic histories (SQLite, and PostgreSQL when
LAOMO_TEST_PG_URI is set); each test has its own virtual host. Time is a clock file, so
the notices' windows can pass.
"""
from datetime import datetime, timedelta, timezone

import pytest
from nameko.standalone.rpc import ServiceRpcProxy
from nameko.testing.services import entrypoint_waiter

from services.chassis import topology
from services.chassis.clock import FileClock
from services.chassis.errors import Conflict, NotFound
from services.chassis.migrations import upgrade
from services.chassis.testing import wait_for
from services.nomination.service import NominationService
from services.registry.service import RegistryService

from .conftest import PERSONAL_DATA_CONFIG
from .flows import (
    BANK,
    CITY,
    CONFERRAL,
    DEEDS_REPORT,
    HAIDIAN,
    PARTY_APPROVAL,
    PASSED,
    campaign_data,
    nomination_data,
    person,
    vote,
)

START = datetime(2025, 3, 3, 2, 0, tzinfo=timezone.utc)
ADMIN = dict(CITY, personal_data=True)


@pytest.fixture
def clock(tmp_path):
    clock = FileClock(str(tmp_path / "clock"))
    clock.freeze(START)
    return clock


@pytest.fixture
def suite(container_factory, rabbit_config, new_db_uri, clock):
    registry_uri, nomination_uri = new_db_uri("registry"), new_db_uri("nomination")
    upgrade("registry", registry_uri)
    upgrade("nomination", nomination_uri)
    topology.declare(rabbit_config["AMQP_URI"], [RegistryService, NominationService])
    common = dict(rabbit_config, CLOCK_FILE=clock.path, OUTBOX_POLL_INTERVAL=0.05, OUTBOX_RETRY_INTERVAL=0.05,
                  EVENT_MAX_RETRIES=1, EVENT_RETRY_DELAY=0.01, RPC_TIMEOUT=10, **PERSONAL_DATA_CONFIG)
    registry = container_factory(RegistryService, dict(common, DB_URI=registry_uri))
    nomination = container_factory(NominationService, dict(common, DB_URI=nomination_uri))
    registry.start()
    nomination.start()
    return registry, nomination


@pytest.fixture
def rpc(suite, rabbit_config):
    with ServiceRpcProxy("registry", rabbit_config, timeout=15) as registry, \
            ServiceRpcProxy("nomination", rabbit_config, timeout=15) as nomination:
        registry.create_unit({"id": "hd-bank", "name": "海淀银行工会", "tier": "grassroots", "parent_id": "bj-haidian"})
        yield registry, nomination


def test_health_answers_with_the_outbox_backlog(rpc):
    _, nomination = rpc
    assert nomination.health() == {"service": "nomination", "status": "ok", "outbox_backlog": 0}


def test_errors_arrive_as_laomo_errors_with_their_details(rpc):
    _, nomination = rpc
    with pytest.raises(NotFound) as raised:
        nomination.get_nomination(BANK, "nope")
    assert raised.value.details == {"nomination_id": "nope"}


def run_through(nomination, clock, campaign, nominated):
    """From the bank to the city, through the reviews and the three notices."""
    n = nominated["id"]
    nomination.record_deeds_report(BANK, n, DEEDS_REPORT)
    nomination.record_democratic_recommendation(BANK, n, vote())
    nomination.record_party_approval(BANK, n, PARTY_APPROVAL)
    nomination.recommend_nomination(BANK, n, {"opinion": "同意推荐"})
    nomination.recommend_nomination(HAIDIAN, n, {"opinion": "同意推荐"})
    nomination.transition_campaign(CITY, campaign["id"], "reviewing")
    nomination.preliminary_review(CITY, n, PASSED)
    nomination.second_review(CITY, n, PASSED)
    nomination.transition_campaign(CITY, campaign["id"], "notice")
    for level, by in (("unit", BANK), ("second_tier", HAIDIAN), ("city", CITY)):
        now = clock.now()
        notice = nomination.open_notice(by, campaign["id"], {
            "level": level, "title": f"{level} 公示", "starts_at": now.isoformat(),
            "ends_at": (now + timedelta(days=5)).isoformat(), "nomination_ids": [n]})
        clock.freeze(now + timedelta(days=5))
        nomination.close_notice(by, notice["id"])
    return nomination.confer(CITY, n, CONFERRAL)


def test_a_conferred_candidate_enters_the_registry_and_a_revocation_bars_the_next_campaign(suite, rpc, clock):
    registry, nomination = rpc
    candidate = person(name="李秀英")
    campaign = nomination.create_campaign(CITY, campaign_data())
    nomination.allocate_quotas(CITY, campaign["id"], {"allocations": [{"unit_id": "bj-haidian", "quota": 3}]})
    nomination.transition_campaign(CITY, campaign["id"], "open")
    nominated = nomination.nominate(BANK, campaign["id"], nomination_data(candidate))
    assert run_through(nomination, clock, campaign, nominated)["status"] == "conferred"

    def entered():
        found = registry.search_honourees(ADMIN, {"name": "李秀英"})["items"]
        return found[0] if found else None

    record = wait_for(entered, timeout=20, message="the registry to enter the honour")
    assert record["id_number"] == candidate["id_number"] and record["managing_unit_id"] == "hd-bank"
    (honour,) = record["honours"]
    assert (honour["honour_type"], honour["year"], honour["nomination_id"]) == (
        "beijing_model_worker", 2025, nominated["id"])

    def linked():
        return nomination.get_nomination(CITY, nominated["id"])["candidate"]["registered_honouree_id"]

    assert wait_for(linked, timeout=20, message="honour_conferred to reach nomination") == record["id"]

    revocation = registry.request_revocation(BANK, honour["id"], {"reasons": "严重违法"})
    registry.endorse_revocation(HAIDIAN, revocation["id"], {"reasons": "同意"})
    with entrypoint_waiter(suite[1], "on_honour_revoked", timeout=20) as received:
        registry.decide_revocation(CITY, revocation["id"], {"decision": "revoke", "reasons": "撤销称号"})
    assert received.get() == {"honour_id": honour["id"], "honouree_id": record["id"]}
    later = nomination.create_campaign(CITY, campaign_data(honour_type="beijing_advanced_worker"))
    nomination.transition_campaign(CITY, later["id"], "open")
    with pytest.raises(Conflict) as refused:  # as a new person: matched through the earlier nomination
        nomination.nominate(BANK, later["id"], nomination_data(candidate))
    assert refused.value.details["honour_id"] == honour["id"]
    assert refused.value.details["revocation_bar_years"] == 5
