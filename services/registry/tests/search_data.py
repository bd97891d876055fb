"""Helpers of the tests of search, get many, statistics, import and export (not a test module).

The tree they grow on top of the default one (the city and its districts):

    bj ─ bj-haidian  ─ hd-factory  (grassroots; system parent bj-jianshe)
       │             └ hd-lab      (grassroots)
       ├ bj-chaoyang ─ cy-hotel    (grassroots; system parent bj-jianshe)
       └ bj-jianshe (industry) ─ js-site (grassroots, in no district)

and the people ``populate`` enters (clock: 2024-05-01):

    key      name    unit         category      status         honours (type year)
    wang     王秀英  hd-factory   worker        in_service     beijing_model_worker 2015
    li       李建国  bj-haidian   cadre         retired        national_model_worker 2000, capital_labour_medal 1995
    zhang    张伟    hd-lab       intellectual  in_service     capital_labour_medal 2020
    liu      刘芳    bj-chaoyang  farmer        in_service     beijing_advanced_worker 2010
    chen     陈明    cy-hotel     worker        deceased       national_may_day_medal 1985
    zhao     赵丽    cy-hotel     worker        left_employer  (none)
    sun      孙强    js-site      worker        in_service     beijing_model_worker 2015, beijing_model_worker 2020
"""
import contextlib
import itertools
import json
from datetime import date

from sqlalchemy import event, select, update

from services.chassis.id_numbers import make_id_number
from services.registry.models import Honour, Honouree
from services.registry.people import HonourStatus

UNITS = [
    {"id": "bj-jianshe", "name": "北京市建设工会", "tier": "industry", "parent_id": "bj"},
    {"id": "hd-factory", "name": "海淀机床厂工会", "tier": "grassroots", "parent_id": "bj-haidian",
     "system_parent_id": "bj-jianshe"},
    {"id": "hd-lab", "name": "海淀研究所工会", "tier": "grassroots", "parent_id": "bj-haidian"},
    {"id": "cy-hotel", "name": "朝阳饭店工会", "tier": "grassroots", "parent_id": "bj-chaoyang",
     "system_parent_id": "bj-jianshe"},
    {"id": "js-site", "name": "建设一公司工会", "tier": "grassroots", "parent_id": "bj-jianshe"},
]


def actor(unit_id, personal_data=False):
    return {"account": f"officer@{unit_id}", "unit_id": unit_id, "roles": ["officer"],
            "personal_data": personal_data}


CITY = actor("bj", personal_data=True)
CITY_MASKED = actor("bj")
HAIDIAN = actor("bj-haidian")
CHAOYANG = actor("bj-chaoyang")
JIANSHE = actor("bj-jianshe")

_sequence = itertools.count(1)


def number(born, area="110108"):
    return make_id_number(area, born, next(_sequence) % 1000)


def person(name, born, unit_id, honours=(), **fields):
    """NewHonoureeSchema input; ``honours`` as (type, year) pairs."""
    data = {"name": name, "gender": "female", "ethnicity": "汉族", "birth_date": born.isoformat(),
            "id_number": number(born), "category": "worker", "managing_unit_id": unit_id,
            "honours": [{"honour_type": t, "year": y} for t, y in honours]}
    data.update(fields)
    return data


PEOPLE = {
    "wang": person("王秀英", date(1968, 9, 12), "hd-factory", [("beijing_model_worker", 2015)],
                   front_line=True, employer="北京第一机床厂",
                   family={"members": 4, "income_band": "low", "hardships": ["low_income"]}),
    "li": person("李建国", date(1955, 3, 1), "bj-haidian",
                 [("national_model_worker", 2000), ("capital_labour_medal", 1995)],
                 gender="male", category="cadre", employment_status="retired"),
    "zhang": person("张伟", date(1990, 6, 30), "hd-lab", [("capital_labour_medal", 2020)],
                    gender="male", category="intellectual", high_tech_enterprise=True),
    "liu": person("刘芳", date(1975, 1, 20), "bj-chaoyang", [("beijing_advanced_worker", 2010)],
                  category="farmer", management_mode="territorial", migrant_worker=True,
                  beijing_hukou=False),
    "chen": person("陈明", date(1940, 11, 2), "cy-hotel", [("national_may_day_medal", 1985)],
                   gender="male", employment_status="deceased", non_public_enterprise=True),
    "zhao": person("赵丽", date(1982, 7, 7), "cy-hotel", [], employment_status="left_employer"),
    "sun": person("孙强", date(1979, 12, 31), "js-site",
                  [("beijing_model_worker", 2015), ("beijing_model_worker", 2020)], gender="male"),
}


def grow(registry):
    for unit in UNITS:
        registry.create_unit(unit)
    return registry


def populate(registry):
    """The tree and the people above; returns {key: the record as registered}."""
    grow(registry)
    return {key: registry.register_honouree(CITY, data) for key, data in PEOPLE.items()}


def ids(items):
    return [item["id"] for item in items]


def names(items):
    return [item["name"] for item in items]


def set_verified(registry, honouree_id, year):
    """The year of the record's last verification (the verification workflow is not under test here)."""
    with registry.engine.unit_of_work() as uow:
        uow.session.execute(update(Honouree).where(Honouree.id == honouree_id).values(verified_year=year))


def revoke(registry, honouree_id, honour_type):
    """Mark an honour revoked (the revocation workflow is not under test here)."""
    with registry.engine.unit_of_work() as uow:
        uow.session.execute(update(Honour).where(
            Honour.honouree_id == honouree_id, Honour.honour_type == honour_type).values(status=HonourStatus.REVOKED))


def events(registry, event_type=None):
    outbox = registry.engine.outbox
    with registry.engine.reading() as connection:
        rows = connection.execute(select(outbox).order_by(outbox.c.seq)).all()
    return [(r.event_type, json.loads(r.payload)) for r in rows if event_type in (None, r.event_type)]


def count(registry, model):
    with registry.engine.reading() as connection:
        return len(connection.execute(select(model.__table__.c.id)).all())


@contextlib.contextmanager
def statements(registry):
    """Counts the SQL statements sent while the block runs."""
    sent = []

    def count(conn, cursor, statement, parameters, context, executemany):
        sent.append(statement)

    event.listen(registry.engine.engine, "before_cursor_execute", count)
    try:
        yield sent
    finally:
        event.remove(registry.engine.engine, "before_cursor_execute", count)
