"""Shared test set-up: eventlet first, then databases on SQLite and PostgreSQL."""
import warnings

with warnings.catch_warnings():  # eventlet announces its bug-fix-only status on import
    warnings.simplefilter("ignore", DeprecationWarning)
    warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")
    import eventlet

eventlet.monkey_patch()  # before anything opens a socket; `nameko run` does the same

import os  # noqa: E402
import uuid  # noqa: E402

import pytest  # noqa: E402
from sqlalchemy import text  # noqa: E402

from services.chassis.database import make_engine  # noqa: E402

PG_URI = os.environ.get("LAOMO_TEST_PG_URI")
# `make test` always sets LAOMO_TEST_PG_URI; a bare `pytest` without it runs the SQLite half
ENGINES = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)] if PG_URI else ["sqlite"]


@pytest.fixture(params=ENGINES)
def new_db_uri(request, tmp_path):
    """Makes fresh, empty databases: SQLite files, or PostgreSQL schemas of their own."""
    schemas = []

    def make(name="test"):
        if request.param == "sqlite":
            return f"sqlite:///{tmp_path}/{name}.sqlite3"
        schema = f"t_{name}_{uuid.uuid4().hex[:12]}"
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        schemas.append(schema)
        return f"{PG_URI}?options=-csearch_path%3D{schema}"

    admin = make_engine(PG_URI) if request.param == "postgresql" else None
    yield make
    if admin is not None:
        with admin.begin() as connection:
            for schema in schemas:
                connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def db_uri(new_db_uri):
    return new_db_uri()
