"""Helpers of the tests of verification, change reports and transfers (not a test module).

The tree they grow on top of the default one (the city and its districts):

    bj ─ bj-haidian ─ hd-bank, hd-school        (grassroots)
       ├ bj-chaoyang ─ cy-hotel                  (grassroots)
       └ bj-jianshe (industry) ─ js-site         (grassroots, in no district)
"""
import itertools
import json
from datetime import date

from sqlalchemy import select

from services.chassis.id_numbers import make_id_number

UNITS = [
    {"id": "hd-bank", "name": "海淀银行工会", "tier": "grassroots", "parent_id": "bj-haidian"},
    {"id": "hd-school", "name": "海淀职业学校工会", "tier": "grassroots", "parent_id": "bj-haidian"},
    {"id": "cy-hotel", "name": "朝阳饭店工会", "tier": "grassroots", "parent_id": "bj-chaoyang"},
    {"id": "bj-jianshe", "name": "北京市建设工会", "tier": "industry", "parent_id": "bj"},
    {"id": "js-site", "name": "建设一公司工会", "tier": "grassroots", "parent_id": "bj-jianshe"},
]

_sequence = itertools.count(1)


def grow(registry):
    for unit in UNITS:
        registry.create_unit(unit)
    return registry


def actor(unit_id, account=None, personal_data=False):
    return {"account": account or f"officer@{unit_id}", "unit_id": unit_id, "roles": ["officer"],
            "personal_data": personal_data}


def register(registry, unit_id, name="张三", category="worker", **fields):
    """A new honouree managed by ``unit_id``, entered by the city federation."""
    born = date(1965, 3, 8)
    number = make_id_number("110108", born, next(_sequence) % 1000)
    data = {"name": name, "gender": "male", "ethnicity": "汉族", "birth_date": born.isoformat(),
            "id_number": number, "category": category, "managing_unit_id": unit_id,
            "employer": "某单位"}
    data.update(fields)
    return registry.register_honouree(actor("bj"), data)


def events(registry, event_type):
    """The payloads of the events of one type in the registry's outbox, oldest first."""
    outbox = registry.engine.outbox
    with registry.engine.engine.connect() as connection:
        rows = connection.execute(select(outbox.c.payload).where(outbox.c.event_type == event_type)
                                  .order_by(outbox.c.seq)).all()
    return [json.loads(row.payload) for row in rows]


def actions(trail, entity=None):
    """The actions of an audit trail, or of its entries of one entity (a person's trail has several)."""
    return [entry["action"] for entry in trail if entity is None or entry["entity"] == entity]
