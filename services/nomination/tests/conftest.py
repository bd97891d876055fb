"""Fixtures of the nomination service's tests: a database migrated with the service's own Alembic
history (SQLite, and PostgreSQL when LAOMO_TEST_PG_URI is set), a frozen clock, personal-data keys,
and the stand-in registry of ``services.chassis.registry_double`` (its tree is drawn there).
"""
from datetime import datetime, timezone

import pytest

from services.chassis import union_tree as units
from services.chassis.clock import FrozenClock
from services.chassis.database import DatabaseEngine
from services.chassis.migrations import upgrade
from services.chassis.personal_data import new_key, sealer_from_config
from services.chassis.registry_double import HONOUR_TYPES, UNITS, FakeRegistry  # noqa: F401
from services.chassis.testing import WorkerCalls
from services.nomination.models import Base
from services.nomination.service import NominationService

NOW = datetime(2025, 3, 3, 2, 0, tzinfo=timezone.utc)  # 10:00 in Beijing, Monday 3 March 2025

# keys made once per test run: tests never depend on a key kept anywhere
PERSONAL_DATA_CONFIG = {"PERSONAL_DATA_KEYS": new_key(), "BLIND_INDEX_KEY": new_key()}


@pytest.fixture
def nomination_db_uri(db_uri):
    """A fresh nomination database at the newest revision."""
    upgrade("nomination", db_uri)
    return db_uri


@pytest.fixture
def clock():
    return FrozenClock(NOW)


@pytest.fixture
def sealer():
    return sealer_from_config(PERSONAL_DATA_CONFIG)


@pytest.fixture
def registry():
    units._scopes.clear()  # each test's registry answers afresh, not a scope kept from another test
    return FakeRegistry()


@pytest.fixture
def nomination(nomination_db_uri, clock, sealer, registry):
    engine = DatabaseEngine(nomination_db_uri, Base.metadata, "nomination", clock)
    yield WorkerCalls(NominationService, engine, clock=clock, sealer=sealer, registry=registry)
    engine.dispose()
