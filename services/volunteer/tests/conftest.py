"""Fixtures of the volunteer service's tests: a database migrated with the service's own Alembic
history (SQLite, and PostgreSQL when LAOMO_TEST_PG_URI is set), a frozen clock, and the stand-in
registry of ``services.chassis.registry_double`` (its tree is drawn there), and a stand-in for the
welfare ledger's ``post``."""
from datetime import UTC, datetime

import pytest

from services.chassis import union_tree
from services.chassis.clock import FrozenClock
from services.chassis.database import DatabaseEngine
from services.chassis.migrations import upgrade
from services.chassis.registry_double import FakeRegistry
from services.chassis.testing import WorkerCalls
from services.volunteer.models import Base
from services.volunteer.service import VolunteerService

NOW = datetime(2026, 1, 20, 2, 0, tzinfo=UTC)  # 10:00 in Beijing, Tuesday 20 January 2026

CITY = {"account": "city.officer", "unit_id": "bj", "roles": ["officer", "reviewer"]}
HAIDIAN = {"account": "haidian.officer", "unit_id": "bj-haidian", "roles": ["officer", "reviewer"]}
CHAOYANG = {"account": "chaoyang.officer", "unit_id": "bj-chaoyang", "roles": ["officer", "reviewer"]}
BANK = {"account": "bank.officer", "unit_id": "hd-bank", "roles": ["officer"]}


class FakeWelfare:
    """The welfare service's ``post`` as the volunteer service sees it: one posting per idempotency key;
    ``fail`` makes the next call fail as an unanswered RPC would."""

    def __init__(self):
        self.calls, self.postings, self.fail = [], {}, False

    def post(self, actor, request):
        self.calls.append((actor, request))
        if self.fail:
            self.fail = False
            raise TimeoutError("welfare did not answer")
        key = request["idempotency_key"]
        if key not in self.postings:
            self.postings[key] = dict(request, id=f"posting-{len(self.postings) + 1}")
        return self.postings[key]


@pytest.fixture
def volunteer_db_uri(db_uri):
    upgrade("volunteer", db_uri)
    return db_uri


@pytest.fixture
def clock():
    return FrozenClock(NOW)


@pytest.fixture
def registry():
    union_tree._scopes.clear()  # each test's registry answers afresh
    return FakeRegistry()


@pytest.fixture
def welfare():
    return FakeWelfare()


@pytest.fixture
def volunteer(volunteer_db_uri, clock, registry, welfare):
    engine = DatabaseEngine(volunteer_db_uri, Base.metadata, "volunteer", clock)
    yield WorkerCalls(VolunteerService, engine, clock=clock, registry=registry, welfare=welfare)
    engine.dispose()
