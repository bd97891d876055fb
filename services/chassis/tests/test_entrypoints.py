"""The RPC entrypoint settles the unit of work before it replies; metrics count each call."""
import pytest
from nameko.testing.services import entrypoint_hook
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from services.chassis.database import databases_of, make_engine
from services.chassis.errors import NotFound
from services.chassis.metrics import RPC_REQUESTS

from .parcels import Parcel, ParcelBase, ParcelService


@pytest.fixture
def parcels(container_factory, rabbit_config, db_uri):
    engine = make_engine(db_uri)
    ParcelBase.metadata.create_all(engine)
    engine.dispose()
    container = container_factory(ParcelService, dict(rabbit_config, DB_URI=db_uri, OUTBOX_RELAY=False))
    container.start()
    return container


def stored(container):
    db = databases_of(container)[0]
    with db.reading() as connection:
        return connection.execute(select(func.count()).select_from(Parcel.__table__)).scalar_one()


def test_commit_before_reply_and_rollback_on_error(parcels):
    with entrypoint_hook(parcels, "send") as send:
        assert send("p-1", "x") == "p-1"
        assert stored(parcels) == 1  # committed by the time the reply arrives
        with pytest.raises(RuntimeError):
            send("p-2", "y", fail_after_write=True)
    assert stored(parcels) == 1


def test_a_failed_write_is_the_callers_error_and_changes_nothing(parcels):
    with entrypoint_hook(parcels, "send") as send:
        send("p-1", "x")
        with pytest.raises(IntegrityError):
            send("p-1", "again")  # primary key clash
    assert stored(parcels) == 1
    db = databases_of(parcels)[0]
    with db.reading() as connection:  # the event of the failed change was never written
        assert connection.execute(select(func.count()).select_from(db.outbox)).scalar_one() == 1


def test_rpc_calls_are_counted_by_method_and_outcome(parcels):
    def counted(outcome):
        return RPC_REQUESTS.labels("parcels", "get", outcome)._value.get()

    ok, missing = counted("ok"), counted("not_found")
    with entrypoint_hook(parcels, "send") as send:
        send("p-9", "z")
    with entrypoint_hook(parcels, "get") as get:
        assert get("p-9") == {"id": "p-9", "content": "z"}
        with pytest.raises(NotFound):
            get("nope")
    assert counted("ok") == ok + 1
    assert counted("not_found") == missing + 1


def test_health_reports_the_outbox_backlog(parcels):
    with entrypoint_hook(parcels, "send") as send:
        send("p-1", "x")
    with entrypoint_hook(parcels, "health") as health:
        assert health() == {"service": "parcels", "status": "ok", "outbox_backlog": 1}
