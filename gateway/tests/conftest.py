"""Fixtures of the gateway's tests: a database migrated with the gateway's own Alembic history."""
from datetime import UTC, datetime

import pytest

from gateway.models import Base
from gateway.tokens import Tokens
from services.chassis.clock import FrozenClock
from services.chassis.database import DatabaseEngine
from services.chassis.migrations import upgrade

NOW = datetime(2024, 5, 1, 8, 30, tzinfo=UTC)
TOKEN_KEY = "k" * 40  # made up for the tests; never a key kept anywhere
ISSUER, AUDIENCE, LIFETIME = "laomo", "laomo-api", 3600


@pytest.fixture
def gateway_db_uri(db_uri):
    """A fresh gateway database (SQLite, and PostgreSQL under ``make test``) at the newest revision."""
    upgrade("gateway", db_uri)
    return db_uri


@pytest.fixture
def clock():
    return FrozenClock(NOW)


@pytest.fixture
def database(gateway_db_uri, clock):
    engine = DatabaseEngine(gateway_db_uri, Base.metadata, "gateway", clock)
    yield engine
    engine.dispose()


@pytest.fixture
def tokens():
    return Tokens(TOKEN_KEY, ISSUER, AUDIENCE, LIFETIME)
