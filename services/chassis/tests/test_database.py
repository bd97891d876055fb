"""The unit of work on both engines: commit, rollback, the outbox row, SQLite's locking."""
import sqlite3

import eventlet
import pytest
from sqlalchemy import func, select, text

from services.chassis.clock import FrozenClock
from services.chassis.database import DatabaseEngine, service_metadata

from .parcels import Parcel, ParcelBase


@pytest.fixture
def db(db_uri):
    engine = DatabaseEngine(db_uri, ParcelBase.metadata, "parcels", FrozenClock())
    ParcelBase.metadata.create_all(engine.engine)
    yield engine
    engine.dispose()


def count(db, table):
    with db.reading() as connection:
        return connection.execute(select(func.count()).select_from(table)).scalar_one()


def test_change_and_event_commit_together(db):
    with db.unit_of_work() as uow:
        uow.session.add(Parcel(id="a", content="劳模"))
        event_id = uow.record_event("parcel_sent", {"parcel_id": "a"})
    assert count(db, Parcel.__table__) == 1
    with db.reading() as connection:
        row = connection.execute(select(db.outbox)).one()
    assert row.event_id == event_id and row.source == "parcels" and row.published_at is None
    assert row.created_at == db.clock.now()


def test_change_and_event_roll_back_together(db):
    with pytest.raises(RuntimeError):
        with db.unit_of_work() as uow:
            uow.session.add(Parcel(id="b", content="x"))
            uow.record_event("parcel_sent", {"parcel_id": "b"})
            raise RuntimeError("boom")
    assert count(db, Parcel.__table__) == 0
    assert count(db, db.outbox) == 0


def test_naive_datetimes_are_refused(db):
    from datetime import datetime
    with pytest.raises(Exception, match="naive datetime"):
        with db.unit_of_work() as uow:
            uow.session.execute(db.outbox.insert().values(
                event_id="x", source="s", event_type="t", payload="{}", headers="{}",
                created_at=datetime(2026, 1, 1), unroutable=False, attempts=0))


def test_sqlite_runs_in_wal_mode_and_takes_the_write_lock_up_front(tmp_path):
    uri = f"sqlite:///{tmp_path}/lock.sqlite3"
    db = DatabaseEngine(uri, ParcelBase.metadata, "parcels", FrozenClock())
    ParcelBase.metadata.create_all(db.engine)
    with db.reading() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA busy_timeout")).scalar() == 30000
    with db.unit_of_work() as uow:
        uow.session.execute(text("SELECT 1"))  # a bare read still begins IMMEDIATE
        other = sqlite3.connect(str(tmp_path / "lock.sqlite3"), timeout=0)
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            other.execute("BEGIN IMMEDIATE")
        other.close()
    db.dispose()


def test_units_of_work_in_one_process_take_turns_on_sqlite(tmp_path):
    db = DatabaseEngine(f"sqlite:///{tmp_path}/turns.sqlite3", ParcelBase.metadata, "parcels", FrozenClock())
    ParcelBase.metadata.create_all(db.engine)
    order = []

    def writer(name):
        with db.unit_of_work() as uow:
            uow.session.add(Parcel(id=name, content=name))
            order.append(f"{name}-in")
            eventlet.sleep(0.01)  # yield while holding the write lock
            order.append(f"{name}-out")

    pool = eventlet.GreenPool()
    for name in ("a", "b", "c"):
        pool.spawn(writer, name)
    pool.waitall()
    assert order == ["a-in", "a-out", "b-in", "b-out", "c-in", "c-out"]
    assert count(db, Parcel.__table__) == 3
    db.dispose()


def test_every_service_metadata_has_outbox_and_inbox():
    metadata = service_metadata()
    assert set(metadata.tables) == {"outbox", "inbox"}
    assert [c.name for c in metadata.tables["inbox"].primary_key] == ["event_id", "handler"]
