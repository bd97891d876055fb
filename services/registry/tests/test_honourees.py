"""Entering, reading and correcting honourees and their honours, in the caller's scope."""
import json
from datetime import date

import pytest
from sqlalchemy import select

from services.chassis.errors import Conflict, Invalid, NotFound
from services.chassis.id_numbers import make_id_number
from services.chassis.personal_data import Sealer, new_key
from services.chassis.reseal import reseal_service
from services.registry.models import Honouree

from .conftest import PERSONAL_DATA_CONFIG

CITY = {"account": "city.admin", "unit_id": "bj", "roles": ["admin"], "personal_data": True}
HAIDIAN = {"account": "hd.officer", "unit_id": "bj-haidian", "roles": ["officer"]}
CHAOYANG = {"account": "cy.officer", "unit_id": "bj-chaoyang", "roles": ["officer"]}
BORN = date(1968, 9, 12)
NUMBER = make_id_number("110108", BORN, 17)


def person(**overrides):
    data = {"name": "王秀英", "gender": "female", "ethnicity": "汉族", "birth_date": BORN.isoformat(),
            "id_number": NUMBER, "category": "worker", "managing_unit_id": "bj-haidian",
            "employer": "北京第一机床厂", "front_line": True,
            "family": {"members": 4, "income_band": "low", "hardships": ["low_income"]},
            "honours": [{"honour_type": "beijing_model_worker", "year": 2015}]}
    data.update(overrides)
    return data


def events(registry, event_type=None):
    outbox = registry.engine.outbox
    with registry.engine.reading() as connection:
        rows = connection.execute(select(outbox).order_by(outbox.c.seq)).all()
    return [(r.event_type, json.loads(r.payload)) for r in rows if event_type in (None, r.event_type)]


def test_register_with_an_honour_and_read_it_back(registry):
    made = registry.register_honouree(HAIDIAN, person())
    assert made["name"] == "王秀英" and made["district_id"] == "bj-haidian"
    assert made["id_number"] == NUMBER[:6] + "********" + NUMBER[-4:]
    assert made["family"] == {"members": 4, "income_band": "***", "hardships": "***"}
    assert [(h["honour_type"], h["level"], h["year"], h["conferring_body"], h["status"])
            for h in made["honours"]] == [("beijing_model_worker", "municipal", 2015, "北京市人民政府", "active")]
    clear = registry.get_honouree(CITY, made["id"])
    assert clear["id_number"] == NUMBER
    assert clear["family"] == {"members": 4, "income_band": "low", "hardships": ["low_income"]}


def test_the_id_number_is_stored_sealed_never_in_clear(registry):
    made = registry.register_honouree(HAIDIAN, person())
    with registry.engine.reading() as connection:
        row = connection.execute(select(Honouree.__table__).where(Honouree.id == made["id"])).one()
    assert NUMBER not in " ".join(str(v) for v in row)
    assert registry.sealer.unseal(row.id_number_sealed) == NUMBER


def test_outside_the_scope_a_record_does_not_exist(registry):
    made = registry.register_honouree(HAIDIAN, person())
    with pytest.raises(NotFound):
        registry.get_honouree(CHAOYANG, made["id"])
    with pytest.raises(NotFound):
        registry.correct_honouree(CHAOYANG, made["id"], {"phone": "13900000000"})
    with pytest.raises(Invalid) as caught:
        registry.register_honouree(CHAOYANG, person(id_number=make_id_number("110105", BORN, 3)))
    assert caught.value.details == {"managing_unit_id": ["outside the caller's scope"]}


def test_a_second_record_for_the_same_id_number_names_the_first(registry):
    first = registry.register_honouree(HAIDIAN, person())
    with pytest.raises(Conflict) as caught:
        registry.register_honouree(HAIDIAN, person(name="王秀英（重复）", id_number=NUMBER.lower()))
    assert caught.value.details["existing_honouree_id"] == first["id"]


def test_a_retried_request_returns_the_record_it_made(registry):
    first = registry.register_honouree(HAIDIAN, person(request_id="import-2024-0001"))
    again = registry.register_honouree(HAIDIAN, person(request_id="import-2024-0001"))
    assert again["id"] == first["id"]
    assert len(events(registry, "honouree_registered")) == 1


@pytest.mark.parametrize("change, field", [
    ({"id_number": NUMBER[:-1] + ("0" if NUMBER[-1] != "0" else "1")}, "id_number"),  # wrong check digit
    ({"birth_date": "1968-09-13"}, "id_number"),             # the number says otherwise
    ({"gender": "m"}, "gender"),
    ({"name": "   "}, "name"),
    ({"managing_unit_id": "Bj Haidian"}, "managing_unit_id"),
    ({"nickname": "小王"}, "nickname"),                        # unknown fields are refused
    ({"family": {"income_band": "rich"}}, "family"),
    ({"honours": [{"honour_type": "beijing_model_worker", "year": 1800}]}, "honours"),
])
def test_bad_input_is_refused_field_by_field_and_changes_nothing(registry, change, field):
    with pytest.raises(Invalid) as caught:
        registry.register_honouree(HAIDIAN, person(**change))
    assert field in caught.value.details
    assert events(registry) == []


def test_unknown_unit_and_unknown_honour_type(registry):
    with pytest.raises(Invalid) as caught:
        registry.register_honouree(CITY, person(managing_unit_id="bj-nowhere"))
    assert caught.value.details == {"managing_unit_id": ["no unit 'bj-nowhere'"]}
    with pytest.raises(Invalid) as caught:
        registry.register_honouree(HAIDIAN, person(honours=[{"honour_type": "nobel_prize", "year": 2015}]))
    assert "honour_type" in caught.value.details
    with registry.engine.reading() as connection:  # the record before the bad honour was rolled back too
        assert connection.execute(select(Honouree.id)).all() == []


def test_farmers_are_managed_by_their_district_union(registry):
    registry.create_unit({"id": "hd-village", "name": "海淀区某村工会", "tier": "grassroots",
                          "parent_id": "bj-haidian"})
    with pytest.raises(Invalid) as caught:
        registry.register_honouree(HAIDIAN, person(category="farmer", managing_unit_id="hd-village"))
    assert "managing_unit_id" in caught.value.details
    made = registry.register_honouree(HAIDIAN, person(category="farmer", management_mode="territorial"))
    assert made["managing_unit_id"] == "bj-haidian"


def test_a_correction_is_audited_with_personal_data_masked(registry):
    made = registry.register_honouree(HAIDIAN, person())
    other = make_id_number("110108", BORN, 21)
    corrected = registry.correct_honouree(HAIDIAN, made["id"], {
        "phone": "13911112222", "id_number": other, "family": {"members": 4, "income_band": "middle"},
        "version": 1})
    assert corrected["version"] == 2
    trail = registry.audit_trail(HAIDIAN, "honouree", made["id"])
    assert [(entry["entity"], entry["action"]) for entry in trail] == [
        ("honouree", "registered"), ("honour", "conferred"), ("honouree", "corrected")]
    change = trail[2]["changes"]
    assert change["phone"] == [None, "13911112222"]
    assert change["id_number"] == [NUMBER[:6] + "********" + NUMBER[-4:], other[:6] + "********" + other[-4:]]
    assert change["income_band"] == ["***", "***"]
    assert trail[1]["account"] == "hd.officer" and trail[1]["unit_id"] == "bj-haidian"
    assert "low" not in json.dumps(trail) and other not in json.dumps(trail)


def test_a_stale_version_and_a_read_only_field_are_refused(registry):
    made = registry.register_honouree(HAIDIAN, person())
    registry.correct_honouree(HAIDIAN, made["id"], {"phone": "13911112222", "version": 1})
    with pytest.raises(Conflict):
        registry.correct_honouree(HAIDIAN, made["id"], {"phone": "13933334444", "version": 1})
    with pytest.raises(Invalid) as caught:
        registry.correct_honouree(HAIDIAN, made["id"], {"managing_unit_id": "bj-chaoyang"})
    assert "managing_unit_id" in caught.value.details
    with pytest.raises(Invalid):
        registry.correct_honouree(HAIDIAN, made["id"], {})


def test_events_carry_no_personal_data(registry):
    made = registry.register_honouree(HAIDIAN, person())
    registry.correct_honouree(HAIDIAN, made["id"], {"phone": "13911112222"})
    published = events(registry)
    assert [name for name, _ in published] == ["honouree_registered", "honour_conferred", "honouree_updated"]
    text = json.dumps([payload for _, payload in published], ensure_ascii=False)
    for secret in (NUMBER, NUMBER[-4:], "low_income", "13911112222"):
        assert secret not in text
    assert published[2][1]["fields"] == ["phone"]
    assert all(payload["event_id"] for _, payload in published)


def test_honours_one_per_type_and_year_and_one_per_nomination(registry):
    made = registry.register_honouree(HAIDIAN, person(honours=[]))
    first = registry.confer_honour(HAIDIAN, made["id"], {"honour_type": "capital_labour_medal",
                                                          "year": 2019, "nomination_id": "n-1"})
    again = registry.confer_honour(HAIDIAN, made["id"], {"honour_type": "capital_labour_medal",
                                                          "year": 2019, "nomination_id": "n-1"})
    assert again["id"] == first["id"]
    with pytest.raises(Conflict):
        registry.confer_honour(HAIDIAN, made["id"], {"honour_type": "capital_labour_medal", "year": 2019})
    registry.confer_honour(HAIDIAN, made["id"], {"honour_type": "national_model_worker", "year": 2020})
    assert [h["honour_type"] for h in registry.get_honouree(HAIDIAN, made["id"])["honours"]] == [
        "capital_labour_medal", "national_model_worker"]
    assert {t["code"] for t in registry.list_honour_types()} >= {
        "national_model_worker", "national_advanced_worker", "national_may_day_medal",
        "beijing_model_worker", "beijing_advanced_worker", "capital_labour_medal"}


def test_key_rotation_reseals_every_id_number(registry):
    registry.register_honouree(HAIDIAN, person())
    new, old = new_key(), PERSONAL_DATA_CONFIG["PERSONAL_DATA_KEYS"]
    index = PERSONAL_DATA_CONFIG["BLIND_INDEX_KEY"]
    both = Sealer(f"{new},{old}", index)
    counts = reseal_service("registry", registry.engine, both, batch=1)["honourees"]
    assert (counts.examined, counts.resealed) == (1, 1)
    counts = reseal_service("registry", registry.engine, both)["honourees"]
    assert (counts.examined, counts.resealed) == (1, 0)  # a second run finds nothing to do
    with registry.engine.reading() as connection:
        sealed = connection.execute(select(Honouree.id_number_sealed)).scalar_one()
    assert Sealer(new, index).unseal(sealed) == NUMBER  # the old key can go


def test_the_honours_of_a_person_by_id_number_carry_no_personal_data(registry):
    made = registry.register_honouree(CITY, person())
    honours = registry.honours_of_person(NUMBER.lower())  # found however the number is written
    assert [(h["id"], h["status"], h["honouree_id"]) for h in honours] == [(made["honours"][0]["id"], "active", None)]
    assert not {"id_number", "name", "phone"} & set(honours[0])
    assert registry.honours_of_person(make_id_number("110108", BORN, 19)) == []
