"""Fixtures of the welfare service's tests: a database migrated with the service's own Alembic
history (SQLite, and PostgreSQL when LAOMO_TEST_PG_URI is set), a frozen clock, personal-data keys,
and the stand-in registry of ``services.chassis.registry_double`` (its tree is drawn there).

Every test that uses the ``welfare`` fixture ends with the ledger's invariants checked
(``services.welfare.invariants``): a test that leaves the books unbalanced fails, whatever it asserted.
"""
from datetime import datetime, timezone

import pytest

from services.chassis import union_tree
from services.chassis.clock import FrozenClock
from services.chassis.database import DatabaseEngine
from services.chassis.migrations import upgrade
from services.chassis.personal_data import new_key, sealer_from_config
from services.chassis.registry_double import FakeRegistry
from services.chassis.testing import WorkerCalls
from services.welfare import invariants
from services.welfare.models import Base
from services.welfare.service import WelfareService

NOW = datetime(2026, 1, 20, 2, 0, tzinfo=timezone.utc)  # 10:00 in Beijing, Tuesday 20 January 2026

# keys made once per test run: tests never depend on a key kept anywhere
PERSONAL_DATA_CONFIG = {"PERSONAL_DATA_KEYS": new_key(), "BLIND_INDEX_KEY": new_key()}

CITY = {"account": "city.finance", "unit_id": "bj", "roles": ["finance", "officer", "reviewer"]}
HAIDIAN = {"account": "haidian.officer", "unit_id": "bj-haidian", "roles": ["finance", "officer", "reviewer"]}
CHAOYANG = {"account": "chaoyang.officer", "unit_id": "bj-chaoyang", "roles": ["finance", "officer", "reviewer"]}
BANK = {"account": "bank.officer", "unit_id": "hd-bank", "roles": ["officer"]}


@pytest.fixture
def welfare_db_uri(db_uri):
    """A fresh welfare database at the newest revision."""
    upgrade("welfare", db_uri)
    return db_uri


@pytest.fixture
def clock():
    return FrozenClock(NOW)


@pytest.fixture
def sealer():
    return sealer_from_config(PERSONAL_DATA_CONFIG)


@pytest.fixture
def registry():
    union_tree._scopes.clear()  # each test's registry answers afresh, not a scope kept from another test
    return FakeRegistry()


@pytest.fixture
def welfare(welfare_db_uri, clock, sealer, registry):
    engine = DatabaseEngine(welfare_db_uri, Base.metadata, "welfare", clock)
    yield WorkerCalls(WelfareService, engine, clock=clock, sealer=sealer, registry=registry)
    with engine.reading() as connection:
        found = invariants.violations(connection)
    engine.dispose()
    assert found == [], f"the ledger's invariants are broken: {found}"
