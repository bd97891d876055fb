"""Fixtures of the registry's tests: a database migrated with the registry's own Alembic history."""
import pytest

from services.chassis.migrations import upgrade
from services.chassis.personal_data import new_key, sealer_from_config


@pytest.fixture
def registry_db_uri(db_uri):
    """A fresh registry database (SQLite, and PostgreSQL under ``make test``) at the newest revision."""
    upgrade("registry", db_uri)
    return db_uri


# keys made once per test run: tests never depend on a key kept anywhere
PERSONAL_DATA_CONFIG = {"PERSONAL_DATA_KEYS": new_key(), "BLIND_INDEX_KEY": new_key()}


@pytest.fixture
def sealer():
    return sealer_from_config(PERSONAL_DATA_CONFIG)


@pytest.fixture
def registry_config(rabbit_config, registry_db_uri):
    """A running registry's config: its own vhost and database, and personal-data keys."""
    return dict(rabbit_config, DB_URI=registry_db_uri, **PERSONAL_DATA_CONFIG)
