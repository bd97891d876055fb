"""The registry's replies against the reply schemas the gateway documents (responses.py).

Each test runs a real flow through the ``registry`` fixture and checks every
reply against the JSON Schema that apispec (MarshmallowPlugin, OpenAPI 3.0.3)
derives from its schema, the way a contract test checks the HTTP answers:
a key left undocumented, a documented key missing, a wrong type or enum value,
a null where none is allowed, a malformed date or time, all fail.
"""
import csv
import io
from datetime import date

import pytest
from marshmallow import Schema

from services.chassis.id_numbers import make_id_number
from services.chassis.testing import check, json_schema, problems
from services.registry import bulk, responses
from services.registry.responses import (
    AcknowledgedChangeOut,
    AuditEntryOut,
    ChangeReportOut,
    ExportOut,
    HonoureeOut,
    HonourOut,
    HonourTypeOut,
    ImportReportOut,
    OverduePageOut,
    ProgressOut,
    RevocationOut,
    RevocationPageOut,
    SearchPageOut,
    StatisticsOut,
    TodoPageOut,
    TransferOut,
    TransferPageOut,
    UnitOut,
    UnitPageOut,
    VerificationOut,
)

from .search_data import CHAOYANG, CITY, CITY_MASKED, HAIDIAN, actor, grow, populate

FACTORY = actor("hd-factory")
LAB = actor("hd-lab")
SITE = actor("js-site")
_sequence = iter(range(1, 1000))


# --- the check: apispec's OpenAPI 3.0 schema, as JSON Schema 2020-12 --------------------------

def mismatches(reply, schema, many=False):
    return bool(problems(reply, schema, many))


# --- set-up -----------------------------------------------------------------------------------

def new_person(unit_id, name="周建华", born=date(1966, 4, 18), honours=(("beijing_model_worker", 2015),),
               **fields):
    data = {"name": name, "gender": "male", "ethnicity": "汉族", "birth_date": born.isoformat(),
            "id_number": make_id_number("110105", born, next(_sequence)), "category": "worker",
            "managing_unit_id": unit_id, "honours": [{"honour_type": t, "year": y} for t, y in honours]}
    data.update(fields)
    return data


@pytest.fixture
def tree(registry):
    """The tree of search_data (hd-factory and hd-lab under Haidian, cy-hotel, bj-jianshe, js-site)."""
    return grow(registry)


@pytest.fixture
def people(registry):
    """The tree and the seven people of search_data."""
    return populate(registry)


def register(registry, unit_id="hd-factory", **fields):
    return registry.register_honouree(CITY, new_person(unit_id, **fields))


# --- the union tree ---------------------------------------------------------------------------

def test_units(tree):
    registry = tree
    check(registry.list_units(), UnitPageOut)
    check(registry.list_units({"tier": "grassroots", "page_size": 2, "page": 2}), UnitPageOut)
    check(registry.get_unit("bj"), UnitOut)  # parent_id null
    check(registry.get_unit("hd-factory"), UnitOut)  # a system parent
    check(registry.create_unit({"id": "hd-mill", "name": "海淀面粉厂工会", "tier": "grassroots",
                                "parent_id": "bj-haidian"}), UnitOut)
    check(registry.list_children("bj-haidian"), UnitOut, many=True)
    check(registry.get_units(["bj", "js-site", "nowhere"]), UnitOut, many=True)


# --- honourees and honours --------------------------------------------------------------------

def test_an_honouree_without_the_personal_data_right(tree):
    registry = tree
    family = {"members": 3, "income_band": "lower_middle", "hardships": ["low_income", "sudden_hardship"]}
    made = check(registry.register_honouree(HAIDIAN, new_person("hd-factory", family=family, phone="13900000001")),
                 HonoureeOut)
    assert made["family"] == {"members": 3, "income_band": "***", "hardships": "***"}
    assert "*" in made["id_number"]
    check(registry.get_honouree(HAIDIAN, made["id"]), HonoureeOut)
    corrected = registry.correct_honouree(HAIDIAN, made["id"], {"employer": "北京第二机床厂", "version": 1})
    assert check(corrected, HonoureeOut)["version"] == 2


def test_an_honouree_with_the_personal_data_right(tree):
    registry = tree
    family = {"members": 3, "income_band": "lower_middle", "hardships": ["low_income", "sudden_hardship"]}
    made = check(registry.register_honouree(CITY, new_person("hd-factory", family=family)), HonoureeOut)
    assert made["family"]["hardships"] == ["low_income", "sudden_hardship"]
    assert "*" not in made["id_number"]
    # no family data, no honour, no district (js-site is in none), every optional text null
    bare = check(registry.register_honouree(CITY, new_person("js-site", honours=())), HonoureeOut)
    assert (bare["family"], bare["district_id"], bare["honours"], bare["phone"]) == (
        {"members": None, "income_band": None, "hardships": []}, None, [], None)
    check(registry.get_honouree(CITY, bare["id"]), HonoureeOut)
    check(registry.correct_honouree(CITY, bare["id"], {"family": {"members": 2, "income_band": "low"}}),
          HonoureeOut)


def test_honours(tree):
    registry = tree
    made = register(registry)
    check(made["honours"][0], HonourOut)
    conferred = registry.confer_honour(FACTORY, made["id"], {"honour_type": "capital_labour_medal", "year": 2020,
                                                             "nomination_id": "nom-1"})
    assert check(conferred, HonourOut)["nomination_id"] == "nom-1"
    national = registry.confer_honour(FACTORY, made["id"], {"honour_type": "national_model_worker", "year": 2021})
    assert check(national, HonourOut)["level"] == "national"


def test_list_honour_types(registry):
    types = check(registry.list_honour_types(), HonourTypeOut, many=True)
    assert len(types) == 6


def test_audit_trail(tree):
    registry = tree
    made = register(registry)
    registry.correct_honouree(CITY, made["id"], {"phone": "13900000002", "id_number": make_id_number(
        "110105", date(1966, 4, 18), next(_sequence))})
    registry.verify_honouree(FACTORY, made["id"], {"outcome": "confirmed"})
    trail = check(registry.audit_trail(CITY, "honouree", made["id"]), AuditEntryOut, many=True)
    assert [(entry["entity"], entry["action"]) for entry in trail] == [
        ("honouree", "registered"), ("honour", "conferred"), ("honouree", "corrected"), ("honouree", "verified")]
    check(registry.audit_trail(HAIDIAN, "honour", made["honours"][0]["id"]), AuditEntryOut, many=True)
    transfer = registry.request_transfer(FACTORY, made["id"], {"to_unit_id": "hd-lab", "reason": "调动",
                                                               "management_mode": "by_unit"})
    registry.accept_transfer(LAB, transfer["id"])
    check(registry.audit_trail(CITY, "transfer", transfer["id"]), AuditEntryOut, many=True)
    check(registry.audit_trail(CITY, "honouree", made["id"]), AuditEntryOut, many=True)  # transferred
    report = registry.report_change(LAB, made["id"], {"kind": "contact_lost", "description": "联系不上"})
    registry.acknowledge_change(HAIDIAN, report["id"])
    check(registry.audit_trail(CITY, "change_report", report["id"]), AuditEntryOut, many=True)
    revocation = registry.request_revocation(LAB, made["honours"][0]["id"], {"reasons": "违法"})
    registry.decide_revocation(CITY, registry.endorse_revocation(HAIDIAN, revocation["id"], {"reasons": "同意"})["id"],
                               {"decision": "revoke", "reasons": "撤销"})
    check(registry.audit_trail(CITY, "revocation", revocation["id"]), AuditEntryOut, many=True)
    whole = check(registry.audit_trail(CITY, "honouree", made["id"]), AuditEntryOut, many=True)
    assert {entry["entity"] for entry in whole} == {"honouree", "honour", "transfer", "change_report", "revocation"}
    honour_trail = check(registry.audit_trail(CITY, "honour", made["honours"][0]["id"]), AuditEntryOut, many=True)
    assert [entry["action"] for entry in honour_trail] == ["conferred", "revoked"]


# --- annual verification ----------------------------------------------------------------------

def test_verification(tree):
    registry = tree
    confirmed = registry.verify_honouree(FACTORY, register(registry)["id"], {"outcome": "confirmed"})
    check(confirmed, VerificationOut)
    corrected = registry.verify_honouree(FACTORY, register(registry)["id"], {
        "outcome": "corrected", "changes": {"phone": "13900000003", "family": {"hardships": ["low_income"]}}})
    assert check(corrected, VerificationOut)["honouree"]["family"]["hardships"] == "***"  # FACTORY: no right


def test_overdue_verifications(people, registry):
    page = check(registry.overdue_verifications(CITY, {}), OverduePageOut)
    assert page["total"] > 0 and any(item["district_id"] is None for item in page["items"])
    check(registry.overdue_verifications(HAIDIAN, {"unit_id": "hd-lab", "page_size": 1}), OverduePageOut)
    check(registry.overdue_verifications(CITY, {"page": 99}), OverduePageOut)  # past the last page


def test_verification_progress(people, registry):
    registry.verify_honouree(actor("hd-factory"), people["wang"]["id"], {"outcome": "confirmed"})
    progress = check(registry.verification_progress(CITY), ProgressOut)
    assert progress["units"] and progress["total"]["rate"] is not None
    nothing_due = check(registry.verification_progress(CITY, 2023), ProgressOut)  # nobody yet
    assert nothing_due["units"] == [] and nothing_due["total"]["rate"] is None


# --- major-change reports and to-do lists -----------------------------------------------------

def test_a_change_report_without_a_transfer(tree):
    registry = tree
    report = registry.report_change(FACTORY, register(registry)["id"], {
        "kind": "serious_illness", "occurred_on": "2024-04-20", "description": "住院治疗"})
    assert check(report, ChangeReportOut)["transfer"] is None
    death = registry.report_change(FACTORY, register(registry)["id"], {"kind": "death", "description": "病故"})
    assert check(death, ChangeReportOut)["occurred_on"] is None
    acknowledged = registry.acknowledge_change(HAIDIAN, report["id"])
    assert check(acknowledged, AcknowledgedChangeOut)["status"] == "acknowledged"


def test_a_change_report_that_opens_a_transfer(tree):
    registry = tree
    report = registry.report_change(FACTORY, register(registry)["id"], {
        "kind": "left_employer", "occurred_on": "2024-04-30", "description": "调离本厂"})
    assert check(report, ChangeReportOut)["transfer"]["to_unit_id"] == "bj-haidian"
    assert mismatches(dict(report, transfer={"id": "not a transfer"}), ChangeReportOut)


def test_the_to_do_list(tree, clock):
    registry = tree
    made = register(registry)
    report = registry.report_change(FACTORY, made["id"], {"kind": "contact_lost", "description": "失联"})
    clock.advance(minutes=1)
    registry.acknowledge_change(HAIDIAN, report["id"])  # an item done
    registry.request_revocation(FACTORY, made["honours"][0]["id"], {"reasons": "违法"})
    registry.request_transfer(FACTORY, register(registry)["id"], {"to_unit_id": "bj-haidian", "reason": "属地",
                                                                  "management_mode": "territorial"})
    page = check(registry.list_todo(HAIDIAN, {}), TodoPageOut)
    assert {(item["kind"], item["status"]) for item in page["items"]} == {
        ("change_report", "done"), ("revocation", "open"), ("transfer", "open")}
    check(registry.list_todo(HAIDIAN, {"status": "open", "kind": "transfer"}), TodoPageOut)
    check(registry.list_todo(CITY, {}), TodoPageOut)  # empty


# --- transfers --------------------------------------------------------------------------------

def test_transfers(tree, clock):
    registry = tree
    asked = registry.request_transfer(FACTORY, register(registry)["id"], {
        "to_unit_id": "hd-lab", "reason": "工作调动", "management_mode": "by_unit"})
    assert check(asked, TransferOut)["status"] == "pending"
    clock.advance(hours=1)
    assert check(registry.accept_transfer(LAB, asked["id"]), TransferOut)["status"] == "accepted"
    # asked by the receiving unit, for a record it cannot see yet; rejected by the managing unit
    by_receiver = registry.request_transfer(SITE, register(registry)["id"], {
        "to_unit_id": "js-site", "reason": "归口管理", "management_mode": "by_system"})
    check(by_receiver, TransferOut)
    rejected = registry.reject_transfer(FACTORY, by_receiver["id"], "本人不同意")
    assert check(rejected, TransferOut)["decision_reason"] == "本人不同意"
    for query in ({}, {"status": "pending"}, {"status": "decided", "page_size": 1}):
        check(registry.list_transfers(FACTORY, query), TransferPageOut)
    assert check(registry.list_transfers(LAB, {}), TransferPageOut)["total"] == 1


# --- revocation -------------------------------------------------------------------------------

def test_revocations(tree, clock):
    registry = tree
    honours = [register(registry)["honours"][0] for _ in range(3)]

    def request(honour):
        return check(registry.request_revocation(FACTORY, honour["id"], {"reasons": "因违法被追究刑事责任"}),
                     RevocationOut)

    revoked = request(honours[0])
    clock.advance(days=1)
    endorsed = check(registry.endorse_revocation(HAIDIAN, revoked["id"], {"reasons": "情况属实"}), RevocationOut)
    assert endorsed["waiting_at_unit_id"] == "bj"
    decided = check(registry.decide_revocation(CITY, revoked["id"], {"decision": "revoke", "reasons": "撤销"}),
                    RevocationOut)
    assert (decided["status"], decided["waiting_at_unit_id"]) == ("revoked", None)

    refused_below = request(honours[1])
    refused = check(registry.refuse_revocation(HAIDIAN, refused_below["id"], {"reasons": "证据不足"}), RevocationOut)
    assert refused["status"] == "refused"

    refused_at_top = request(honours[2])
    registry.endorse_revocation(HAIDIAN, refused_at_top["id"], {"reasons": "同意"})
    check(registry.decide_revocation(CITY, refused_at_top["id"], {"decision": "refuse", "reasons": "不予撤销"}),
          RevocationOut)

    check(registry.get_revocation(FACTORY, revoked["id"]), RevocationOut)
    for who, query in ((CITY, {}), (HAIDIAN, {"status": "refused"}), (CITY, {"waiting_here": True}),
                       (FACTORY, {"honour_id": honours[0]["id"], "page_size": 1})):
        check(registry.list_revocations(who, query), RevocationPageOut)
    # a listed request has no steps; a listing item with steps is not a listing item
    listed = registry.list_revocations(CITY, {})
    assert mismatches(dict(listed, items=[dict(listed["items"][0], steps=[])]), RevocationPageOut)
    # the revoked honour, as its honouree shows it: revoked_at set
    honouree = check(registry.get_honouree(CITY, honours[0]["honouree_id"]), HonoureeOut)
    assert honouree["honours"][0]["revoked_at"] is not None


# --- get many, search, statistics -------------------------------------------------------------

def test_get_honourees(people, registry):
    ids = [person["id"] for person in people.values()] + ["unknown"]
    clear = check(registry.get_honourees(CITY, ids), HonoureeOut, many=True)
    assert len(clear) == 7 and isinstance(clear[0]["family"]["hardships"], list)
    masked = check(registry.get_honourees(CITY_MASKED, ids), HonoureeOut, many=True)
    assert masked[0]["family"]["hardships"] == "***"
    check(registry.get_honourees(HAIDIAN, []), HonoureeOut, many=True)


@pytest.mark.parametrize("who, query", [
    (CITY, {}), (CITY_MASKED, {}), (CITY, {"honour_status": "any", "page_size": 3, "page": 2}),
    (HAIDIAN, {"category": "cadre"}), (CHAOYANG, {"name": "nobody"}),
])
def test_search_honourees(people, registry, who, query):
    page = check(registry.search_honourees(who, query), SearchPageOut)
    assert page["items"] or query.get("name")


@pytest.mark.parametrize("who, query", [
    (CITY, {}), (CITY, {"honour_status": "any"}), (HAIDIAN, {}), (CITY, {"unit_id": "bj-jianshe"}),
    (CITY, {"category": "farmer", "honour_type": "beijing_advanced_worker"}),
])
def test_statistics(people, registry, who, query):
    statistics = check(registry.statistics(who, query), StatisticsOut)
    assert statistics["team"]["target"] == 20_000


def test_statistics_of_an_empty_scope(tree):
    statistics = check(tree.statistics(SITE, {}), StatisticsOut)
    assert statistics["total"] == 0 and statistics["by_district"] == {}


# --- import and export ------------------------------------------------------------------------

def csv_of(rows):
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(bulk.HEADER)
    for cells in rows:
        writer.writerow([cells.get(column, "") for column in bulk.HEADER])
    return out.getvalue()


def row(name="吴敏", unit="hd-factory", born=date(1972, 2, 14), **cells):
    return {"id_number": make_id_number("110105", born, next(_sequence)), "name": name, "gender": "female",
            "ethnicity": "汉族", "birth_date": born.isoformat(), "category": "worker", "managing_unit_id": unit,
            "honour_type": "beijing_model_worker", "honour_year": "2015", **cells}


def test_an_import_dry_run_with_errors(tree):
    text = csv_of([row(), row(gender="unknown", honour_type="no_such_honour"), row(unit="nowhere")])
    report = check(tree.import_honourees(CITY, text), ImportReportOut)
    assert (report["status"], report["invalid"], len(report["errors"])) == ("invalid", 2, 2)
    assert "imported" not in report and "errors_not_listed" not in report


def test_an_import_dry_run_that_is_valid(tree):
    report = check(tree.import_honourees(CITY, csv_of([row(), row(name="郑强", family_members="3")])),
                   ImportReportOut)
    assert (report["status"], report["errors"]) == ("valid", [])


def test_an_import_real_run(tree):
    text = csv_of([row(hardships="low_income;special_hardship", income_band="low"), row(name="钱进", unit="bj-haidian")])
    report = check(tree.import_honourees(CITY, text, dry_run=False), ImportReportOut)
    assert (report["status"], report["imported"]) == ("imported", 2)
    again = check(tree.import_honourees(CITY, text, dry_run=False), ImportReportOut)  # already registered
    assert again["status"] == "refused" and "imported" not in again


def test_an_import_of_a_file_that_cannot_be_read(tree):
    report = check(tree.import_honourees(CITY, "surname,given_name\r\n王,芳\r\n"), ImportReportOut)
    assert (report["status"], report["rows"], report["errors"][0]["row"]) == ("refused", 0, 1)
    check(tree.import_honourees(CITY, csv_base64="/////w=="), ImportReportOut)  # not UTF-8


def test_an_import_with_more_errors_than_it_lists(tree):
    text = csv_of([{"name": f"无号{n}"} for n in range(bulk.MAX_REPORTED_ERRORS + 2)])
    report = check(tree.import_honourees(CITY, text), ImportReportOut)
    assert report["errors_not_listed"] == 2


def test_export(people, registry):
    clear = check(registry.export_honourees(CITY, {}), ExportOut)
    masked = check(registry.export_honourees(CITY_MASKED, {"honour_status": "any"}), ExportOut)
    assert clear != masked and "***" in masked
    check(registry.export_honourees(HAIDIAN, {"name": "nobody"}), ExportOut)  # the header alone
    assert mismatches(clear.lstrip("\ufeff"), ExportOut)  # without the BOM Excel misreads it


# --- the schemas themselves -------------------------------------------------------------------

SCHEMAS = [value for value in vars(responses).values()
           if isinstance(value, type) and issubclass(value, Schema) and not value.__name__.startswith("_")
           and value.__module__ == responses.__name__]
OPTIONAL = {("ImportReportOut", "errors_not_listed"), ("ImportReportOut", "imported")}


@pytest.mark.parametrize("schema", SCHEMAS, ids=lambda schema: schema.__name__)
def test_each_schema_converts_and_documents_itself(schema):
    converted = json_schema(schema)["$defs"][schema.__name__]
    assert converted["additionalProperties"] is False  # an undocumented key fails the contract
    assert schema.__doc__ and "\n" not in schema.__doc__.strip()
    optional = {(schema.__name__, name) for name, field in schema._declared_fields.items() if not field.required}
    assert optional <= OPTIONAL, "keys every reply has must be required"


def test_the_export_columns_are_the_imports():
    assert responses.EXPORT_COLUMNS == bulk.HEADER


def test_the_check_catches_what_differs(tree):
    made = register(tree)
    assert not mismatches(made, HonoureeOut)
    without = {key: value for key, value in made.items() if key != "version"}
    assert mismatches(without, HonoureeOut)  # a required key missing
    assert mismatches(dict(made, secret="x"), HonoureeOut)  # an undocumented key
    assert mismatches(dict(made, gender="unknown"), HonoureeOut)  # not one of the enum
    assert mismatches(dict(made, name=None), HonoureeOut)  # null where none is allowed
    assert mismatches(dict(made, created_at="2024-05-01 08:30"), HonoureeOut)  # not ISO 8601
    assert mismatches(dict(made, birth_date="2024-05-01T00:00:00+00:00"), HonoureeOut)  # not a date
    assert mismatches(dict(made, family=dict(made["family"], hardships="low_income")), HonoureeOut)
    assert mismatches(dict(made, verified_year="2024"), HonoureeOut)
