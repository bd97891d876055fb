"""Fixtures of the association service's tests: a database migrated with the service's own Alembic
history (SQLite, and PostgreSQL when LAOMO_TEST_PG_URI is set), a frozen clock, and the stand-in
registry of ``services.chassis.registry_double`` (its tree is drawn there)."""
from datetime import UTC, datetime

import pytest

from services.association.models import Base
from services.association.service import AssociationService
from services.chassis import union_tree
from services.chassis.clock import FrozenClock
from services.chassis.database import DatabaseEngine
from services.chassis.migrations import upgrade
from services.chassis.registry_double import FakeRegistry
from services.chassis.testing import WorkerCalls

NOW = datetime(2026, 1, 20, 2, 0, tzinfo=UTC)  # 10:00 in Beijing, Tuesday 20 January 2026

CITY = {"account": "city.officer", "unit_id": "bj", "roles": ["officer", "reviewer", "auditor"]}
HAIDIAN = {"account": "haidian.officer", "unit_id": "bj-haidian", "roles": ["officer", "reviewer"]}
CHAOYANG = {"account": "chaoyang.officer", "unit_id": "bj-chaoyang", "roles": ["officer", "reviewer"]}
BANK = {"account": "bank.officer", "unit_id": "hd-bank", "roles": ["officer"]}


class Association(WorkerCalls):
    """The association's entrypoints in process (chassis.testing.WorkerCalls); its events as bare facts."""

    def events(self, event_type, envelope=False):
        return super().events(event_type, envelope)


@pytest.fixture
def association_db_uri(db_uri):
    """A fresh association database at the newest revision."""
    upgrade("association", db_uri)
    return db_uri


@pytest.fixture
def clock():
    return FrozenClock(NOW)


@pytest.fixture
def registry():
    union_tree._scopes.clear()  # each test's registry answers afresh, not a scope kept from another test
    return FakeRegistry()


@pytest.fixture
def association(association_db_uri, clock, registry):
    engine = DatabaseEngine(association_db_uri, Base.metadata, "association", clock)
    yield Association(AssociationService, engine, clock=clock, registry=registry)
    engine.dispose()
