"""Fixtures of the registry's tests: a database migrated with the registry's own Alembic history."""
from datetime import datetime, timezone

import pytest
from nameko.testing.services import worker_factory

from services.chassis.clock import FrozenClock
from services.chassis.database import DatabaseEngine, UnitOfWork
from services.chassis.migrations import upgrade
from services.chassis.personal_data import new_key, sealer_from_config
from services.registry.models import Base
from services.registry.service import RegistryService


@pytest.fixture
def registry_db_uri(db_uri):
    """A fresh registry database (SQLite, and PostgreSQL under ``make test``) at the newest revision."""
    upgrade("registry", db_uri)
    return db_uri


NOW = datetime(2024, 5, 1, 8, 30, tzinfo=timezone.utc)

# keys made once per test run: tests never depend on a key kept anywhere
PERSONAL_DATA_CONFIG = {"PERSONAL_DATA_KEYS": new_key(), "BLIND_INDEX_KEY": new_key()}


@pytest.fixture
def sealer():
    return sealer_from_config(PERSONAL_DATA_CONFIG)


@pytest.fixture
def registry_config(rabbit_config, registry_db_uri):
    """A running registry's config: its own vhost and database, and personal-data keys."""
    return dict(rabbit_config, DB_URI=registry_db_uri, **PERSONAL_DATA_CONFIG)


class Registry:
    """Calls entrypoints the way a running service does: a worker and a unit of work per call,
    committed when the call returns and rolled back when it raises."""

    def __init__(self, engine, clock, sealer):
        self.engine = engine
        self.clock = clock
        self.sealer = sealer

    def __getattr__(self, method):
        def call(*args, **kwargs):
            uow = UnitOfWork(self.engine)
            worker = worker_factory(RegistryService, db=uow, clock=self.clock, sealer=self.sealer)
            try:
                result = getattr(worker, method)(*args, **kwargs)
            except BaseException:
                uow.rollback()
                raise
            uow.commit()
            return result
        return call


@pytest.fixture
def clock():
    return FrozenClock(NOW)


@pytest.fixture
def registry(registry_db_uri, clock, sealer):
    engine = DatabaseEngine(registry_db_uri, Base.metadata, "registry", clock)
    yield Registry(engine, clock, sealer)
    engine.dispose()
