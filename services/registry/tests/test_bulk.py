"""Importing honourees from CSV (dry run and real run) and exporting them in the same columns.

The file format is docs/csv.md; the tree and the people of the export tests are in search_data.py.
"""
import base64
import csv
import io
from datetime import date

import pytest
from nameko.standalone.rpc import ServiceRpcProxy

from services.chassis.database import DatabaseEngine
from services.chassis.errors import Conflict, Invalid
from services.chassis.id_numbers import make_id_number
from services.chassis.migrations import upgrade
from services.registry import bulk, honourees, search
from services.registry.models import Base, Honour, Honouree
from services.registry.service import RegistryService

from .conftest import Registry
from .search_data import (
    CHAOYANG,
    CITY,
    CITY_MASKED,
    HAIDIAN,
    PEOPLE,
    UNITS,
    count,
    events,
    grow,
    names,
    populate,
    revoke,
)

BOM = "\ufeff"
_sequence = iter(range(1, 1000))


def number(born=date(1970, 1, 1), area="110108"):
    return make_id_number(area, born, next(_sequence))


def row(name="王秀英", born=date(1970, 1, 1), unit="hd-factory", honour="beijing_model_worker", year="2015",
        **cells):
    cells = {"id_number": number(born), "name": name, "gender": "female", "ethnicity": "汉族",
             "birth_date": born.isoformat(), "category": "worker", "managing_unit_id": unit,
             "honour_type": honour, "honour_year": year, **cells}
    return cells


def csv_of(rows, header=bulk.HEADER):
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for cells in rows:
        writer.writerow([cells.get(column, "") for column in header])
    return out.getvalue()


def errors_by_line(report):
    return {entry["row"]: entry["errors"] for entry in report["errors"]}


@pytest.fixture
def tree(registry):
    return grow(registry)


def nothing_imported(registry):
    return count(registry, Honouree) == 0 and count(registry, Honour) == 0 and events(registry) == []


# --- a valid file ----------------------------------------------------------------------------

def test_a_dry_run_checks_every_row_and_writes_nothing(tree):
    registry = tree
    text = csv_of([row("王秀英"), row("李建国", unit="bj-haidian", gender="male"), row("张伟", unit="hd-lab")])
    report = registry.import_honourees(CITY, text)  # a dry run unless told otherwise
    assert report == {"status": "valid", "dry_run": True, "rows": 3, "valid": 3, "invalid": 0,
                      "people": 3, "honours": 3, "errors": []}
    assert nothing_imported(registry)


def test_a_real_run_enters_everyone_with_audit_and_events(tree):
    registry = tree
    rows = [row("王秀英", front_line="true", phone="13900000001", family_members="4", income_band="low",
                hardships="low_income;special_hardship"),
            row("刘芳", unit="bj-chaoyang", category="farmer", management_mode="territorial",
                honour="beijing_advanced_worker", year="2010", migrant_worker="是", beijing_hukou="否")]
    report = registry.import_honourees(CITY, csv_of(rows), dry_run=False)
    assert report["status"] == "imported" and report["imported"] == 2 and report["errors"] == []
    found = registry.search_honourees(CITY)["items"]
    assert names(found) == ["刘芳", "王秀英"]
    liu, wang = found
    assert wang["id_number"] == rows[0]["id_number"]
    assert wang["front_line"] is True and wang["phone"] == "13900000001"
    assert wang["family"] == {"members": 4, "income_band": "low",
                              "hardships": ["low_income", "special_hardship"]}
    assert wang["district_id"] == "bj-haidian" and wang["managing_unit_id"] == "hd-factory"
    assert [(h["honour_type"], h["year"], h["status"]) for h in wang["honours"]] == [
        ("beijing_model_worker", 2015, "active")]
    assert (liu["migrant_worker"], liu["beijing_hukou"], liu["category"]) == (True, False, "farmer")
    assert [e[0] for e in events(registry)] == ["honouree_registered", "honour_conferred"] * 2
    trail = registry.audit_trail(CITY, "honouree", wang["id"])
    assert [(entry["entity"], entry["action"]) for entry in trail] == [("honouree", "registered"),
                                                                      ("honour", "conferred")]
    assert trail[0]["account"] == CITY["account"]
    assert trail[0]["changes"]["id_number"][1] == wang["id_number"][:6] + "********" + wang["id_number"][-4:]


def test_an_imported_record_is_recorded_exactly_as_a_registered_one(tree):
    registry = tree
    single = row("王秀英", family_members="3", income_band="middle")
    registered = registry.register_honouree(CITY, {
        "name": single["name"], "gender": "female", "ethnicity": "汉族", "birth_date": single["birth_date"],
        "id_number": single["id_number"], "category": "worker", "managing_unit_id": "hd-factory",
        "family": {"members": 3, "income_band": "middle"},
        "honours": [{"honour_type": "beijing_model_worker", "year": 2015}]})
    imported_row = dict(single, id_number=number(), name="王秀英")
    registry.import_honourees(CITY, csv_of([imported_row]), dry_run=False)
    imported = [r for r in registry.search_honourees(CITY)["items"] if r["id"] != registered["id"]][0]

    def without_ids(record):
        return {k: v for k, v in record.items() if k not in ("id", "id_number", "honours")}
    assert without_ids(imported) == without_ids(registered)
    first, second = registry.audit_trail(CITY, "honouree", registered["id"]), \
        registry.audit_trail(CITY, "honouree", imported["id"])
    assert [{k: v for k, v in e.items() if k not in ("changes", "entity_id")} for e in first] == \
        [{k: v for k, v in e.items() if k not in ("changes", "entity_id")} for e in second]
    assert set(first[0]["changes"]) == set(second[0]["changes"])
    kinds = events(registry)
    assert [k for k, _ in kinds] == ["honouree_registered", "honour_conferred"] * 2
    assert set(kinds[0][1]) == set(kinds[2][1]) and set(kinds[1][1]) == set(kinds[3][1])
    assert kinds[2][1]["honouree_id"] == imported["id"]


def test_a_second_honour_is_a_second_row_with_the_same_id_number(tree):
    registry = tree
    first = row("李建国", unit="bj-haidian", gender="male", honour="national_model_worker", year="2000")
    second = {"id_number": first["id_number"].lower(),  # an x for X is the same number
              "honour_type": "capital_labour_medal", "honour_year": "1995", "honour_level": "municipal",
              "conferring_body": "北京市总工会"}
    third = dict(first, honour_type="beijing_model_worker", honour_year="2005")  # the person's cells again
    report = registry.import_honourees(CITY, csv_of([first, second, third]), dry_run=False)
    assert (report["status"], report["rows"], report["people"], report["honours"]) == ("imported", 3, 1, 3)
    [li] = registry.search_honourees(CITY)["items"]
    assert [(h["honour_type"], h["year"]) for h in li["honours"]] == [
        ("capital_labour_medal", 1995), ("national_model_worker", 2000), ("beijing_model_worker", 2005)]


# --- encodings -------------------------------------------------------------------------------

def test_a_leading_bom_is_tolerated_in_text_and_in_bytes(tree):
    registry = tree
    text = csv_of([row("王秀英"), row("阿依古丽·买买提", unit="hd-lab", ethnicity="维吾尔族")])
    assert registry.import_honourees(CITY, BOM + text)["status"] == "valid"
    encoded = base64.b64encode((BOM + text).encode("utf-8")).decode("ascii")
    assert registry.import_honourees(CITY, csv_base64=encoded)["status"] == "valid"
    report = registry.import_honourees(CITY, csv_base64=encoded, dry_run=False)
    assert report["status"] == "imported"
    assert names(registry.search_honourees(CITY)["items"]) == ["王秀英", "阿依古丽·买买提"]


@pytest.mark.parametrize("how", ["gbk-bytes", "gbk-read-as-latin-1", "utf-8-read-as-latin-1",
                                 "utf-8-read-as-cp1252-with-replacement", "gbk-read-as-utf-8-with-replacement"])
@pytest.mark.parametrize("dry_run", [True, False], ids=["dry", "real"])
def test_a_file_in_the_wrong_encoding_is_refused_and_nothing_imported(tree, how, dry_run):
    registry = tree
    text = csv_of([row("王秀英"), row("李建国", unit="bj-haidian")])
    if how == "gbk-bytes":
        kwargs = {"csv_base64": base64.b64encode(text.encode("gbk")).decode("ascii")}
    elif how == "gbk-read-as-latin-1":
        kwargs = {"csv_text": text.encode("gbk").decode("latin-1")}
    elif how == "utf-8-read-as-latin-1":
        kwargs = {"csv_text": text.encode("utf-8").decode("latin-1")}
    elif how == "utf-8-read-as-cp1252-with-replacement":
        kwargs = {"csv_text": text.encode("utf-8").decode("cp1252", errors="replace")}
    else:
        kwargs = {"csv_text": text.encode("gbk").decode("utf-8", errors="replace")}
    report = registry.import_honourees(CITY, dry_run=dry_run, **kwargs)
    assert (report["status"], report["rows"], report["valid"], report["invalid"]) == ("refused", 0, 0, 0)
    [entry] = report["errors"]
    assert entry["row"] == 2  # the first line with Chinese text
    assert list(entry["errors"]) == ["_file"] and "UTF-8" in entry["errors"]["_file"][0]
    assert nothing_imported(registry)


def test_plain_ascii_and_a_lone_accent_are_not_mistaken_for_mojibake(tree):
    registry = tree
    text = csv_of([row("Renée", unit="hd-lab"), row("Tom", unit="hd-lab")])
    assert registry.import_honourees(CITY, text)["status"] == "valid"


# --- headers ---------------------------------------------------------------------------------

@pytest.mark.parametrize("header, problems", [
    (bulk.HEADER + ("nickname",), {"nickname": ["unknown column"]}),
    (tuple(c for c in bulk.HEADER if c != "name"), {"name": ["required column missing"]}),
    (tuple(c for c in bulk.HEADER if c not in ("id_number", "birth_date")),
     {"id_number": ["required column missing"], "birth_date": ["required column missing"]}),
    (bulk.HEADER + ("phone",), {"phone": ["the column appears more than once"]}),
    (("姓名",) + bulk.HEADER[1:], {"姓名": ["unknown column"], "id_number": ["required column missing"]}),
], ids=["unknown", "missing", "two-missing", "twice", "chinese-header"])
@pytest.mark.parametrize("dry_run", [True, False], ids=["dry", "real"])
def test_wrong_headers_are_reported_and_nothing_imported(tree, header, problems, dry_run):
    registry = tree
    report = registry.import_honourees(CITY, csv_of([row(), row()], header=header), dry_run=dry_run)
    assert report["status"] == "refused" and report["rows"] == 0
    assert report["errors"] == [{"row": 1, "errors": problems}]
    assert nothing_imported(registry)


def test_a_header_in_another_case_or_spacing_is_accepted(tree):
    header = tuple(f" {c.upper()} " for c in bulk.HEADER)
    assert tree.import_honourees(CITY, csv_of([row()], header=header))["status"] == "valid"


@pytest.mark.parametrize("text", ["", "\n\n", BOM])
def test_an_empty_file_is_refused(tree, text):
    report = tree.import_honourees(CITY, text)
    assert report["status"] == "refused"
    assert report["errors"][0]["row"] == 1 and "_file" in report["errors"][0]["errors"]


# --- rows with problems ----------------------------------------------------------------------

def test_each_bad_row_is_reported_with_its_line_and_column(tree):
    registry = tree
    good = row("王秀英")
    wrong_check = row("李建国")
    wrong_check["id_number"] = wrong_check["id_number"][:-1] + ("0" if wrong_check["id_number"][-1] != "0" else "1")
    rows = [good, wrong_check, row("张伟", unit="hd-nowhere"), row("赵丽", gender="f", honour_year="1800"),
            row("孙强", honour="nobel_prize"), row("刘芳", category="farmer"), row("陈明", unit="cy-hotel"),
            row("周杰", birth_date="1971-01-01"), row("吴敏", family_members="many", hardships="rich")]
    report = registry.import_honourees(HAIDIAN, csv_of(rows))
    assert (report["status"], report["rows"], report["valid"], report["invalid"]) == ("invalid", 9, 1, 8)
    problems = errors_by_line(report)
    assert sorted(problems) == [3, 4, 5, 6, 7, 8, 9, 10]
    assert problems[3] == {"id_number": ["the check character does not match (GB 11643)"]}
    assert problems[4] == {"managing_unit_id": ["no unit 'hd-nowhere'"]}
    assert set(problems[5]) == {"gender", "honour_year"}
    assert problems[6] == {"honour_type": ["no honour type 'nobel_prize'"]}
    assert problems[7] == {"managing_unit_id": ["a farmer's managing unit must be a district union"]}
    assert problems[8] == {"managing_unit_id": ["outside the caller's scope"]}
    assert set(problems[9]) == {"id_number"}  # the number's birth date is not the row's
    assert set(problems[10]) == {"family_members", "hardships"}
    assert nothing_imported(registry)


def test_a_real_run_with_one_bad_row_imports_nothing(tree):
    registry = tree
    rows = [row("王秀英"), row("李建国", unit="hd-nowhere"), row("张伟", unit="hd-lab")]
    report = registry.import_honourees(CITY, csv_of(rows), dry_run=False)
    assert report["status"] == "refused" and "imported" not in report
    assert errors_by_line(report) == {3: {"managing_unit_id": ["no unit 'hd-nowhere'"]}}
    assert nothing_imported(registry)
    fixed = [rows[0], dict(rows[1], managing_unit_id="hd-lab"), rows[2]]
    assert registry.import_honourees(CITY, csv_of(fixed), dry_run=False)["imported"] == 3


def test_a_failure_while_writing_leaves_nothing_written(tree, monkeypatch):
    registry = tree
    real_register = honourees.register
    calls = []

    def register_then_fail(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise Conflict("this ID number is already registered", {"id_number": ["already registered"]})
        return real_register(*args, **kwargs)

    monkeypatch.setattr(honourees, "register", register_then_fail)
    report = registry.import_honourees(CITY, csv_of([row("王秀英"), row("李建国"), row("张伟")]), dry_run=False)
    assert report["status"] == "refused"
    assert errors_by_line(report) == {3: {"id_number": ["already registered"],
                                          "_row": ["this ID number is already registered"]}}
    assert nothing_imported(registry)
    with registry.engine.reading() as connection:
        audit = Base.metadata.tables["audit_log"]
        assert connection.execute(audit.select()).all() == []


def test_the_same_id_number_twice_for_different_people_is_reported(tree):
    registry = tree
    first = row("王秀英")
    rows = [first, dict(first, name="王秀兰", honour_year="2016"), {"id_number": first["id_number"]}]
    report = registry.import_honourees(CITY, csv_of(rows))
    assert errors_by_line(report) == {
        3: {"name": ["differs from line 2, which has the same ID number"]},
        4: {"id_number": ["the same ID number is on line 2"]}}


def test_the_same_honour_twice_is_reported(tree):
    first = row("王秀英")
    report = tree.import_honourees(CITY, csv_of([first, {"id_number": first["id_number"],
                                                         "honour_type": first["honour_type"],
                                                         "honour_year": first["honour_year"]}]))
    assert errors_by_line(report) == {3: {"honour_year": ["the same honour is on line 2"]}}


def test_an_id_number_already_registered_is_reported(tree):
    registry = tree
    first = row("王秀英")
    registry.import_honourees(CITY, csv_of([first]), dry_run=False)
    again = dict(first, id_number=first["id_number"].lower(), name="王秀英")
    report = registry.import_honourees(CITY, csv_of([row("李建国"), again]), dry_run=False)
    assert report["status"] == "refused"
    assert errors_by_line(report) == {3: {"id_number": ["already registered"]}}
    assert count(registry, Honouree) == 1


def test_line_numbers_are_lines_of_the_file(tree):
    registry = tree
    rows = [row("王秀英", address="北京市海淀区\n某街道1号"), row("李建国", unit="hd-nowhere")]
    text = csv_of(rows).replace("\r\n" + rows[1]["id_number"], "\r\n\r\n" + rows[1]["id_number"])
    report = registry.import_honourees(CITY, text)
    assert report["rows"] == 2  # the blank line is no row
    assert errors_by_line(report) == {5: {"managing_unit_id": ["no unit 'hd-nowhere'"]}}


def test_a_row_with_more_cells_than_the_header_is_reported(tree):
    text = csv_of([row()]).rstrip("\r\n") + ",surplus\r\n"
    report = tree.import_honourees(CITY, text)
    assert errors_by_line(report) == {2: {"_row": [f"{len(bulk.HEADER) + 1} cells but the header has "
                                                   f"{len(bulk.HEADER)} columns"]}}


def test_a_file_over_the_row_limit_is_refused(tree, monkeypatch):
    monkeypatch.setattr(bulk, "MAX_ROWS", 2)
    report = tree.import_honourees(CITY, csv_of([row(), row(), row()]))
    assert report["status"] == "refused"
    assert report["errors"] == [{"row": 4, "errors": {"_file": ["more than 2 rows; split the file"]}}]


def test_a_long_list_of_errors_is_cut_and_counted(tree, monkeypatch):
    monkeypatch.setattr(bulk, "MAX_REPORTED_ERRORS", 2)
    report = tree.import_honourees(CITY, csv_of([row(unit="hd-nowhere") for _ in range(5)]))
    assert (report["invalid"], len(report["errors"]), report["errors_not_listed"]) == (5, 2, 3)
    assert [entry["row"] for entry in report["errors"]] == [2, 3]


@pytest.mark.parametrize("kwargs, field", [
    ({"csv_text": "x", "dry_run": "yes"}, "dry_run"),
    ({}, "csv_text"),
    ({"csv_text": "x", "csv_base64": "eA=="}, "csv_text"),
    ({"csv_base64": "not base64!"}, "csv_base64"),
    ({"csv_text": ["a", "b"]}, "csv_text"),
])
def test_bad_arguments_are_invalid(tree, kwargs, field):
    with pytest.raises(Invalid) as caught:
        tree.import_honourees(CITY, **kwargs)
    assert set(caught.value.details) == {field}


# --- export ----------------------------------------------------------------------------------

@pytest.fixture
def people(registry):
    return populate(registry)


def parsed(text):
    assert text.startswith(BOM)
    return list(csv.DictReader(io.StringIO(text[1:], newline="")))


def test_the_export_has_the_import_columns_and_one_row_per_active_honour(registry, people):
    rows = parsed(registry.export_honourees(CITY))
    assert list(rows[0]) == list(bulk.HEADER)
    li = [r for r in rows if r["name"] == "李建国"]
    assert [(r["honour_type"], r["honour_year"], r["honour_level"]) for r in li] == [
        ("capital_labour_medal", "1995", "municipal"), ("national_model_worker", "2000", "national")]
    assert {r["name"] for r in rows} == {p["name"] for k, p in PEOPLE.items() if k != "zhao"}
    wang = next(r for r in rows if r["name"] == "王秀英")
    assert (wang["id_number"], wang["income_band"], wang["hardships"], wang["front_line"]) == (
        PEOPLE["wang"]["id_number"], "low", "low_income", "true")
    assert wang["conferring_body"] == "北京市人民政府" and wang["managing_unit_id"] == "hd-factory"


def test_the_export_masks_personal_data_without_the_right(registry, people):
    rows = parsed(registry.export_honourees(CITY_MASKED, {"name": "王秀英"}))
    number = PEOPLE["wang"]["id_number"]
    assert [(r["id_number"], r["income_band"], r["hardships"]) for r in rows] == [
        (number[:6] + "********" + number[-4:], "***", "***")]
    assert number not in registry.export_honourees(HAIDIAN)


def test_the_export_keeps_to_the_scope_and_the_filters(registry, people):
    assert {r["name"] for r in parsed(registry.export_honourees(HAIDIAN))} == {"王秀英", "李建国", "张伟"}
    assert {r["name"] for r in parsed(registry.export_honourees(CHAOYANG, {"honour_status": "any"}))} == \
        {"刘芳", "陈明", "赵丽"}
    assert {r["name"] for r in parsed(registry.export_honourees(CITY, {"category": "farmer"}))} == {"刘芳"}
    with pytest.raises(Invalid):
        registry.export_honourees(HAIDIAN, {"unit_id": "bj-chaoyang"})


def test_a_record_without_an_active_honour_is_one_row_with_empty_honour_cells(registry, people):
    revoke(registry, people["zhang"]["id"], "capital_labour_medal")
    rows = parsed(registry.export_honourees(CITY, {"honour_status": "any", "unit_id": "bj-haidian"}))
    zhang = [r for r in rows if r["name"] == "张伟"]
    assert len(zhang) == 1 and zhang[0]["honour_type"] == zhang[0]["honour_year"] == ""


def test_the_export_reads_in_chunks_and_misses_nobody(registry, people, monkeypatch):
    monkeypatch.setattr(search, "EXPORT_CHUNK", 2)
    for n in range(3):  # namesakes: the chunks must continue after the same name by id
        registry.register_honouree(CITY, {**PEOPLE["wang"], "id_number": number(date(1968, 9, 12)),
                                          "managing_unit_id": "hd-lab"})
    rows = parsed(registry.export_honourees(CITY))
    assert [r["name"] for r in rows].count("王秀英") == 4
    assert len({r["id_number"] for r in rows}) == 9
    assert [r["name"] for r in rows] == sorted(r["name"] for r in rows)


@pytest.fixture
def fresh_registry(new_db_uri, clock, sealer):
    """A second, empty registry database on the same engine kind."""
    uri = new_db_uri("fresh")
    upgrade("registry", uri)
    engine = DatabaseEngine(uri, Base.metadata, "registry", clock)
    yield Registry(engine, clock, sealer)
    engine.dispose()


def test_an_export_re_imports_into_a_fresh_database(registry, people, fresh_registry):
    exported = registry.export_honourees(CITY, {"honour_status": "any"})
    grow(fresh_registry)
    report = fresh_registry.import_honourees(CITY, exported, dry_run=False)
    assert report["status"] == "imported" and report["imported"] == 7
    assert sorted(fresh_registry.export_honourees(CITY, {"honour_status": "any"}).splitlines()) == \
        sorted(exported.splitlines())

    def comparable(record):
        return {k: v for k, v in record.items() if k not in ("id", "created_at", "updated_at", "honours")} | {
            "honours": [{k: v for k, v in h.items() if k not in ("id", "honouree_id")}
                        for h in record["honours"]]}
    before = [comparable(r) for r in registry.search_honourees(CITY, {"honour_status": "any"})["items"]]
    after = [comparable(r) for r in fresh_registry.search_honourees(CITY, {"honour_status": "any"})["items"]]
    assert after == before


def test_a_masked_export_does_not_re_import(registry, people, fresh_registry):
    grow(fresh_registry)
    report = fresh_registry.import_honourees(CITY, registry.export_honourees(CITY_MASKED))
    assert report["status"] == "invalid"
    assert all("id_number" in entry["errors"] or "income_band" in entry["errors"] for entry in report["errors"])



# --- over RPC --------------------------------------------------------------------------------

def test_import_search_get_many_statistics_and_export_travel_over_rpc(container_factory, registry_config,
                                                                       rabbit_config):
    container = container_factory(RegistryService, registry_config)
    container.start()
    with ServiceRpcProxy("registry", rabbit_config, timeout=30) as proxy:
        for unit in UNITS:
            proxy.create_unit(unit)
        text = csv_of([row("王秀英"), row("李建国", unit="bj-chaoyang")])
        assert proxy.import_honourees(CITY, text)["status"] == "valid"
        encoded = base64.b64encode((BOM + text).encode("utf-8")).decode("ascii")
        assert proxy.import_honourees(CITY, csv_base64=encoded, dry_run=False)["imported"] == 2
        page = proxy.search_honourees(HAIDIAN, {"name": "王"})
        assert names(page["items"]) == ["王秀英"] and page["total"] == 1
        both = [r["id"] for r in proxy.search_honourees(CITY)["items"]]
        assert names(proxy.get_honourees(HAIDIAN, both)) == ["王秀英"]
        stats = proxy.statistics(CITY)
        assert stats["total"] == 2 and stats["by_district"]["bj-chaoyang"] == 1
        assert {r["name"] for r in parsed(proxy.export_honourees(CHAOYANG))} == {"李建国"}
        with pytest.raises(Invalid):
            proxy.get_honourees(CITY, ["x"] * 201)


def test_text_a_spreadsheet_would_run_is_exported_guarded_and_imports_back_unchanged(registry, people,
                                                                                     fresh_registry):
    wang = next(r for r in registry.search_honourees(CITY, {"name": "王秀英"})["items"])
    registry.correct_honouree(CITY, wang["id"], {"employer": "=HYPERLINK(\"http://x\",\"点我\")",
                                                 "position": "@负责人"})
    exported = registry.export_honourees(CITY, {"honour_status": "any"})
    row = next(r for r in parsed(exported) if r["name"] == "王秀英")
    assert row["employer"] == "'=HYPERLINK(\"http://x\",\"点我\")" and row["position"] == "'@负责人"
    grow(fresh_registry)
    assert fresh_registry.import_honourees(CITY, exported, dry_run=False)["status"] == "imported"
    again = fresh_registry.search_honourees(CITY, {"name": "王秀英"})["items"][0]
    assert again["employer"] == "=HYPERLINK(\"http://x\",\"点我\")" and again["position"] == "@负责人"
