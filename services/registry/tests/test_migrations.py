"""Every service's Alembic history against its models, on SQLite and (under ``make test``) PostgreSQL."""
import importlib

import pytest
from alembic.migration import MigrationContext
from sqlalchemy import Column, Integer, MetaData, Table, func, inspect, select, text

from services.chassis import migrations
from services.chassis.database import NAMING_CONVENTION, make_engine


def models_metadata(service):
    package = "gateway" if service == "gateway" else f"services.{service}"
    return importlib.import_module(f"{package}.models").Base.metadata


def database_state(uri):
    """(revision, {table: row count}) of a migrated database."""
    engine = make_engine(uri)
    try:
        with engine.connect() as connection:
            revision = MigrationContext.configure(connection).get_current_revision()
            tables = [t for t in inspect(connection).get_table_names() if t != "alembic_version"]
            counts = {t: connection.execute(select(func.count()).select_from(text(f'"{t}"'))).scalar_one()
                      for t in tables}
        return revision, counts
    finally:
        engine.dispose()


@pytest.mark.parametrize("service", migrations.SERVICES)
def test_migrations_build_what_the_models_describe(service, db_uri):
    migrations.upgrade(service, db_uri)
    assert migrations.differences(service, models_metadata(service), db_uri) == []
    revision, counts = database_state(db_uri)
    assert revision == migrations.current_head(service)
    assert set(counts) == set(models_metadata(service).tables)


@pytest.mark.parametrize("service", migrations.SERVICES)
def test_upgrading_twice_is_harmless(service, db_uri):
    migrations.upgrade(service, db_uri)
    before = database_state(db_uri)
    migrations.upgrade(service, db_uri)
    assert database_state(db_uri) == before
    assert migrations.differences(service, models_metadata(service), db_uri) == []


def test_registry_migrations_plant_the_default_tree_once(db_uri):
    migrations.upgrade("registry", db_uri)
    migrations.upgrade("registry", db_uri)
    _, counts = database_state(db_uri)
    assert counts["units"] == 18
    assert counts["outbox"] == 0 and counts["inbox"] == 0


def test_differences_notice_a_model_the_migrations_lack(db_uri):
    # the comparison itself can fail: a table only the models have is reported
    migrations.upgrade("volunteer", db_uri)
    extra = MetaData(naming_convention=NAMING_CONVENTION)  # the volunteer service's models, and one table more
    for table in models_metadata("volunteer").tables.values():
        table.to_metadata(extra)
    Table("not_migrated", extra, Column("id", Integer, primary_key=True))
    diffs = migrations.differences("volunteer", extra, db_uri)
    assert [d[0] for d in diffs] == ["add_table"]
    assert diffs[0][1].name == "not_migrated"
