"""A stand-in for the registry in services' unit tests: the RPCs other services ask (the union tree,
honourees, honour types, the care roster) answered from a small tree held in memory.

The tree (the registry's default city and districts, and a few more):

    bj (city) ─ bj-haidian (district) ─ hd-bank (grassroots)
              │                       └ hd-school (grassroots; system parent bj-jianshe)
              ├ bj-chaoyang (district) ─ cy-hotel (grassroots)
              ├ bj-jianshe (industry) ─ js-site (grassroots)
              └ bj-direct (grassroots, directly affiliated to the city)
"""
import json

from .errors import NotFound

UNITS = [
    ("bj", "北京市总工会", "city", None, None),
    ("bj-haidian", "海淀区总工会", "district", "bj", None),
    ("bj-chaoyang", "朝阳区总工会", "district", "bj", None),
    ("bj-jianshe", "北京市建设工会", "industry", "bj", None),
    ("bj-direct", "北京某直属企业工会", "grassroots", "bj", None),
    ("hd-bank", "海淀银行工会", "grassroots", "bj-haidian", None),
    ("hd-school", "海淀职业学校工会", "grassroots", "bj-haidian", "bj-jianshe"),
    ("cy-hotel", "朝阳饭店工会", "grassroots", "bj-chaoyang", None),
    ("js-site", "建设一公司工会", "grassroots", "bj-jianshe", None),
]

HONOUR_TYPES = [
    {"code": "national_model_worker", "name": "全国劳动模范", "name_en": "National Model Worker",
     "level": "national", "conferring_body": "中华人民共和国国务院", "active": True},
    {"code": "beijing_model_worker", "name": "北京市劳动模范", "name_en": "Beijing Model Worker",
     "level": "municipal", "conferring_body": "北京市人民政府", "active": True},
    {"code": "beijing_advanced_worker", "name": "北京市先进工作者", "name_en": "Beijing Advanced Worker",
     "level": "municipal", "conferring_body": "北京市人民政府", "active": True},
]


class FakeRegistry:
    """The registry as nomination sees it over RPC; counts the questions asked."""

    def __init__(self):
        self.units = {u[0]: {"id": u[0], "name": u[1], "tier": u[2], "parent_id": u[3], "system_parent_id": u[4],
                             "created_at": "2015-01-09T00:00:00+00:00"} for u in UNITS}
        self.honourees = {}
        self.people = {}  # id number -> honours, for honours_of_person
        self.calls = []

    def scope_of(self, unit_id):
        self.calls.append(("scope_of", unit_id))
        if unit_id not in self.units:
            raise NotFound(f"no unit {unit_id!r}", {"unit_id": unit_id})
        found, todo = {unit_id}, [unit_id]
        while todo:
            here = todo.pop()
            for unit in self.units.values():
                if here in (unit["parent_id"], unit["system_parent_id"]) and unit["id"] not in found:
                    found.add(unit["id"])
                    todo.append(unit["id"])
        return sorted(found)

    def get_unit(self, unit_id):
        self.calls.append(("get_unit", unit_id))
        if unit_id not in self.units:
            raise NotFound(f"no unit {unit_id!r}", {"unit_id": unit_id})
        return dict(self.units[unit_id])

    def get_units(self, unit_ids):
        self.calls.append(("get_units", tuple(unit_ids)))
        return [dict(self.units[u]) for u in sorted(unit_ids) if u in self.units]

    def list_honour_types(self):
        self.calls.append(("list_honour_types",))
        return [dict(t) for t in HONOUR_TYPES]

    def get_honouree(self, actor, honouree_id):
        self.calls.append(("get_honouree", honouree_id))
        record = self.honourees.get(honouree_id)
        if record is None or record["managing_unit_id"] not in self.scope_of(actor["unit_id"]):
            raise NotFound(f"no honouree {honouree_id!r}", {"honouree_id": honouree_id})
        assert actor["personal_data"] is False  # nomination never asks for an ID number in clear
        return json.loads(json.dumps(record))

    def honours_of_person(self, id_number):
        self.calls.append(("honours_of_person",))
        return [dict(h, honouree_id=None) for h in self.people.get(id_number, ())]

    def add_person(self, id_number, honours):
        """Someone entered into the registry by hand, never through nomination, with these honours."""
        self.people[id_number] = list(honours)

    def add_honouree(self, honouree_id, managing_unit_id, name="王建国", honours=(), **fields):
        record = {"id": honouree_id, "name": name, "gender": "male", "ethnicity": "汉族", "birth_date": "1970-05-06",
                  "id_number": "110108********1234", "category": "worker", "front_line": True,
                  "migrant_worker": False, "non_public_enterprise": False, "high_tech_enterprise": False,
                  "employer": "海淀某工厂", "position": "钳工", "education": None, "political_status": None,
                  "employment_status": "in_service", "beijing_hukou": True, "management_mode": "by_unit",
                  "managing_unit_id": managing_unit_id, "honours": list(honours)}
        record.update(fields)
        self.honourees[honouree_id] = record
        return record

    def roster(self, actor, query=None):
        """The registry's ``roster`` (services/registry/roster.py) over the records held here."""
        query = query or {}
        self.calls.append(("roster", tuple(sorted(query))))
        scope = set(self.scope_of(actor["unit_id"]))
        order = ["national", "municipal", "district"]
        rows = []
        for honouree_id in sorted(self.honourees):
            record = self.honourees[honouree_id]
            if record["managing_unit_id"] not in scope:
                continue
            if query.get("honouree_ids") and honouree_id not in query["honouree_ids"]:
                continue
            if query.get("employment_status") and record["employment_status"] != query["employment_status"]:
                continue
            held = sorted({h["level"] for h in record["honours"] if h.get("status", "active") == "active"},
                          key=order.index)
            eligible = bool(held) and record["employment_status"] != "deceased"
            if query.get("eligible") and not eligible:
                continue
            rows.append({"honouree_id": honouree_id, "name": record["name"], "gender": record["gender"],
                         "birth_date": record["birth_date"], "category": record["category"],
                         "employment_status": record["employment_status"],
                         "managing_unit_id": record["managing_unit_id"],
                         "district_id": record.get("district_id"), "honour_levels": held,
                         "highest_level": held[0] if held else None, "eligible": eligible})
        return rows
