import json

import pytest
from sqlalchemy import select

from services.chassis.actor import Actor, load_actor
from services.chassis.audit import audit_table, changes_between, record_change
from services.chassis.clock import FrozenClock
from services.chassis.database import DatabaseEngine, service_metadata
from services.chassis.errors import Invalid


def test_changes_between_keeps_only_differences_and_masks():
    diff = changes_between({"name": "张三", "id_number": "11010519491231002X", "phone": "1"},
                           {"name": "张三", "id_number": "110105194912310030", "phone": "2"},
                           masked={"id_number": lambda v: v[:6] + "…"})
    assert diff == {"id_number": ["110105…", "110105…"], "phone": ["1", "2"]}


def test_a_change_is_recorded_with_who_and_when_and_rolls_back_with_its_transaction(db_uri):
    metadata = service_metadata()
    audit_table(metadata)
    clock = FrozenClock()
    db = DatabaseEngine(db_uri, metadata, "sample", clock)
    metadata.create_all(db.engine)
    actor = Actor("li.hua", "bj-haidian", ("officer",))
    with db.unit_of_work() as uow:
        record_change(uow, actor, "honouree", "h1", "corrected", {"phone": "1"}, {"phone": "2"})
    with pytest.raises(RuntimeError):
        with db.unit_of_work() as uow:
            record_change(uow, actor, "honouree", "h1", "corrected", {"phone": "2"}, {"phone": "3"})
            raise RuntimeError("the change failed")
    with db.reading() as connection:
        rows = connection.execute(select(metadata.tables["audit_log"])).all()
    db.dispose()
    assert len(rows) == 1
    assert (rows[0].account, rows[0].unit_id, rows[0].action, rows[0].at) == (
        "li.hua", "bj-haidian", "corrected", clock.now())
    assert json.loads(rows[0].changes) == {"phone": ["1", "2"]}


def test_actor_is_validated():
    actor = load_actor({"account": "a", "unit_id": "bj", "roles": ["admin"], "personal_data": True})
    assert actor == Actor("a", "bj", ("admin",), True)
    with pytest.raises(Invalid) as caught:
        load_actor({"account": "", "unit_id": "bj", "roles": ["emperor"], "extra": 1})
    assert set(caught.value.details) == {"account", "roles", "extra"}
