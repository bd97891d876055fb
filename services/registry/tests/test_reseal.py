"""Rotating the registry's keys with `python -m services.chassis.reseal registry`: ID numbers sealed under
the old personal-data key are moved to the new one, and ``--reindex`` remakes the blind index under a new
blind-index key, so the registry finds a person by ID number again."""
from datetime import date
from functools import partial

import pytest
from sqlalchemy import select

from services.chassis.errors import Conflict
from services.chassis.id_numbers import make_id_number
from services.chassis.personal_data import PersonalDataError, Sealer, new_key
from services.chassis.testing import reseal_as_operator
from services.registry.models import Honouree

from .conftest import PERSONAL_DATA_CONFIG, Registry

CITY = {"account": "city.admin", "unit_id": "bj", "roles": ["admin"], "personal_data": True}
HAIDIAN = {"account": "hd.officer", "unit_id": "bj-haidian", "roles": ["officer"]}
BORN = date(1968, 9, 12)
OLD, INDEX = PERSONAL_DATA_CONFIG["PERSONAL_DATA_KEYS"], PERSONAL_DATA_CONFIG["BLIND_INDEX_KEY"]


def person(sequence):
    return {"name": f"王秀英{sequence}", "gender": "female", "ethnicity": "汉族", "birth_date": BORN.isoformat(),
            "id_number": make_id_number("110108", BORN, sequence), "category": "worker",
            "managing_unit_id": "bj-haidian", "honours": [{"honour_type": "beijing_model_worker", "year": 2015}]}


run = partial(reseal_as_operator, "registry")  # (monkeypatch, capsys, uri, keys, index_key, *args)


def sealed(registry):
    with registry.engine.reading() as connection:
        return dict(connection.execute(select(Honouree.id, Honouree.id_number_sealed)).all())


def test_rotation_reseals_every_id_number_under_the_new_key(registry, registry_db_uri, monkeypatch, capsys):
    made = {registry.register_honouree(HAIDIAN, person(n))["id"]: make_id_number("110108", BORN, n)
            for n in (3, 5, 7)}
    new = new_key()
    only_new = Registry(registry.engine, registry.clock, Sealer(new, INDEX))
    with pytest.raises(PersonalDataError):  # before the run, the old key cannot go
        only_new.get_honouree(CITY, next(iter(made)))

    status, out = run(monkeypatch, capsys, registry_db_uri, f"{new},{OLD}", INDEX, "--batch", "2")
    assert status == 0
    assert "registry honourees: 2 rows examined, 2 re-sealed, 0 re-indexed" in out  # progress, batch by batch
    assert "laomo: registry: 3 rows examined, 3 re-sealed, 0 re-indexed" in out
    current = Sealer(new, INDEX)
    assert {i: current.is_current(token) for i, token in sealed(registry).items()} == dict.fromkeys(made, True)
    assert {i: current.unseal(token) for i, token in sealed(registry).items()} == made

    status, out = run(monkeypatch, capsys, registry_db_uri, f"{new},{OLD}", INDEX)
    assert status == 0 and "laomo: registry: 3 rows examined, 0 re-sealed, 0 re-indexed" in out

    for honouree_id, number in made.items():  # the old key dropped: everything still reads
        assert only_new.get_honouree(CITY, honouree_id)["id_number"] == number
    assert only_new.honours_of_person(made[next(iter(made))])[0]["honour_type"] == "beijing_model_worker"


def test_reindex_finds_a_person_by_id_number_under_a_new_blind_index_key(
        registry, registry_db_uri, monkeypatch, capsys):
    first = registry.register_honouree(HAIDIAN, person(9))
    number = make_id_number("110108", BORN, 9)
    new_index = new_key()
    moved = Registry(registry.engine, registry.clock, Sealer(OLD, new_index))
    assert moved.honours_of_person(number) == []  # the index is still the old key's: nobody found

    status, out = run(monkeypatch, capsys, registry_db_uri, OLD, new_index)  # without --reindex: no change
    assert status == 0 and "0 re-sealed, 0 re-indexed" in out
    assert moved.honours_of_person(number) == []

    status, out = run(monkeypatch, capsys, registry_db_uri, OLD, new_index, "--reindex")
    assert status == 0 and "laomo: registry: 1 rows examined, 0 re-sealed, 1 re-indexed" in out
    assert [h["honour_type"] for h in moved.honours_of_person(number.lower())] == ["beijing_model_worker"]
    with pytest.raises(Conflict) as caught:  # the duplicate check finds the holder again
        moved.register_honouree(HAIDIAN, person(9))
    assert caught.value.details["existing_honouree_id"] == first["id"]
    assert registry.honours_of_person(number) == []  # and the old key no longer finds anyone

    status, out = run(monkeypatch, capsys, registry_db_uri, OLD, new_index, "--reindex")
    assert status == 0 and "laomo: registry: 1 rows examined, 0 re-sealed, 0 re-indexed" in out


def test_a_value_under_a_key_not_in_the_list_stops_the_run_and_names_the_row(
        registry, registry_db_uri, monkeypatch, capsys):
    made = registry.register_honouree(HAIDIAN, person(11))
    before = sealed(registry)
    status, out = run(monkeypatch, capsys, registry_db_uri, new_key(), INDEX)  # the old key left out too soon
    assert status == 1
    assert f"honourees id='{made['id']}': id_number_sealed does not open with any key" in out
    assert sealed(registry) == before
    assert registry.get_honouree(CITY, made["id"])["id_number"] == make_id_number("110108", BORN, 11)
