"""Fixtures of the registry's tests: a database migrated with the registry's own Alembic history."""
import pytest

from services.chassis.migrations import upgrade


@pytest.fixture
def registry_db_uri(db_uri):
    """A fresh registry database (SQLite, and PostgreSQL under ``make test``) at the newest revision."""
    upgrade("registry", db_uri)
    return db_uri
