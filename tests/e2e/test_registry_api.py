"""The registry's flows over HTTP, through the gateway, against the whole suite.

Who does what (services/registry): the managing unit enters, corrects, verifies and reports
changes of its records; a transfer is decided by the side that did not ask; a revocation is
asked for by the managing unit, goes up tier by tier and is decided by the deciding unit (the
city, for every honour type). 海淀 (bj-haidian) and 朝阳 (bj-chaoyang) are districts under the
city (bj); only city.officer holds the personal-data right.

Every test makes its own records, with names and ID numbers no other test uses. Every answer is
checked on the way: never a 5xx, and every error in the one JSON shape.
"""
import csv
import io
import itertools
import uuid
from datetime import date, timedelta

import pytest
import requests

from services.chassis.id_numbers import make_id_number
from services.registry.bulk import HEADER

from .conftest import Api

AREA = "110108"  # the ID numbers this module makes (海淀), apart from the other e2e modules' numbers
_serial = itertools.count(1)
REASONS = "因严重违法行为被依法追究刑事责任"
TYPES = {  # honour type: (level, conferring body), as the catalogue has them
    "beijing_model_worker": ("municipal", "北京市人民政府"),
    "capital_labour_medal": ("municipal", "北京市总工会"),
    "national_model_worker": ("national", "中华人民共和国国务院"),
}


def tag():
    return uuid.uuid4().hex[:8]


def error_shape(response):
    """The one error shape: {"error", "message", "details"}, as JSON."""
    assert response.headers["Content-Type"].startswith("application/json"), response.headers
    body = response.json()
    assert set(body) == {"error", "message", "details"}, body
    assert isinstance(body["error"], str) and isinstance(body["message"], str) and body["message"]
    assert isinstance(body["details"], dict)
    return body


def checked(response):
    assert response.status_code < 500, f"{response.request.method} {response.url}: {response.text}"
    if response.status_code >= 400:
        error_shape(response)
    return response


class Checked(Api):
    """An Api whose every answer is checked: no 5xx, errors in the one shape."""

    def request(self, method, path, **kwargs):
        return checked(super().request(method, path, **kwargs))


def error(response, status, code=None):
    assert response.status_code == status, f"{response.status_code}: {response.text}"
    body = error_shape(response)
    if code is not None:
        assert body["error"] == code, body
    return body


def ok(response, status=200):
    assert response.status_code == status, f"{response.status_code}: {response.text}"
    return response.json() if response.content else None


@pytest.fixture(scope="module")
def api(apis):
    """The accounts of `apis`, each an Api that checks every answer."""
    return {name: Checked(each.base, each.token, each.username) for name, each in apis.items()}


def born_and_serial():
    n = next(_serial)
    return date(1956, 1, 1) + timedelta(days=n), n


def person(unit_id, name, honours=(("beijing_model_worker", 2015),), **extra):
    """A valid new-honouree payload (NewHonoureeSchema); its ID number fits its birth date."""
    born, n = born_and_serial()
    data = {"name": name, "gender": "female", "ethnicity": "汉族", "birth_date": born.isoformat(),
            "id_number": make_id_number(AREA, born, n % 500), "category": "worker",
            "managing_unit_id": unit_id, "employer": "北京第一机床厂",
            "honours": [{"honour_type": t, "year": y} for t, y in honours]}
    data.update(extra)
    return data


def enter(api, who="haidian.officer", unit_id="bj-haidian", name=None, **fields):
    return ok(api[who].post("/honourees", person(unit_id, name or f"录入{tag()}", **fields)), 201)


def masked(number):
    return number[:6] + "********" + number[-4:]


def every(api_, path, params=None):
    """Every item of a paged list (page_size 200)."""
    items = []
    for page in itertools.count(1):
        body = ok(api_.get(path, params=dict(params or {}, page=page, page_size=200)))
        items += body["items"]
        if page >= body["pages"]:
            return items


# --- entering and reading --------------------------------------------------------------------

def test_enter_an_honouree_and_read_it_with_and_without_the_personal_data_right(api):
    data = person("bj-haidian", f"王秀英{tag()}", family={"members": 4, "income_band": "low",
                                                          "hardships": ["low_income"]},
                  phone="13800001234", request_id=f"e2e-{tag()}")
    made = ok(api["haidian.officer"].post("/honourees", data), 201)
    number = data["id_number"]
    assert made["name"] == data["name"] and made["managing_unit_id"] == "bj-haidian"
    assert made["district_id"] == "bj-haidian" and made["version"] == 1 and made["verified_year"] is None
    assert made["id_number"] == masked(number)  # 海淀's officer has no personal-data right
    assert made["family"] == {"members": 4, "income_band": "***", "hardships": "***"}
    assert [(h["honour_type"], h["level"], h["year"], h["conferring_body"], h["status"])
            for h in made["honours"]] == [("beijing_model_worker", "municipal", 2015, "北京市人民政府", "active")]

    clear = ok(api["city.officer"].get(f"/honourees/{made['id']}"))  # the city, with the right
    assert clear["id_number"] == number
    assert clear["family"] == {"members": 4, "income_band": "low", "hardships": ["low_income"]}
    assert clear["phone"] == "13800001234"
    for who in ("haidian.officer", "haidian.reviewer", "haidian.auditor", "city.reviewer", "admin"):
        seen = ok(api[who].get(f"/honourees/{made['id']}"))
        expected = number if who == "admin" else masked(number)  # the first admin holds the right
        assert seen["id_number"] == expected, who
    assert error(api["chaoyang.officer"].get(f"/honourees/{made['id']}"), 404, "not_found")["details"] == {
        "honouree_id": made["id"]}

    # a retry with the same request_id returns the record it made; the same ID number again is a conflict
    assert ok(api["haidian.officer"].post("/honourees", data), 201)["id"] == made["id"]
    again = dict(data, request_id=None, name="王秀英（重复）", id_number=number.lower())
    conflict = error(api["haidian.officer"].post("/honourees", again), 409, "conflict")
    assert conflict["details"]["existing_honouree_id"] == made["id"]


def test_entering_refuses_bad_input_with_field_errors(api, suite):
    officer = api["haidian.officer"]
    good = person("bj-haidian", f"校验{tag()}")
    wrong_check = good["id_number"][:17] + ("0" if good["id_number"][17] != "0" else "1")
    body = error(officer.post("/honourees", dict(good, id_number=wrong_check)), 422, "invalid")
    assert body["details"] == {"id_number": ["the check character does not match (GB 11643)"]}
    other_day = (date.fromisoformat(good["birth_date"]) + timedelta(days=1)).isoformat()
    assert "id_number" in error(officer.post("/honourees", dict(good, birth_date=other_day)), 422)["details"]
    unknown = error(officer.post("/honourees", dict(good, colour="red", verified_year=2020)), 422, "invalid")
    assert set(unknown["details"]) == {"colour", "verified_year"}
    missing = error(officer.post("/honourees", {k: v for k, v in good.items() if k != "name"}), 422)
    assert missing["details"] == {"name": ["Missing data for required field."]}
    above = error(officer.post("/honourees", dict(good, managing_unit_id="bj")), 422)
    assert above["details"] == {"managing_unit_id": ["outside the caller's scope"]}
    assert error(officer.post("/honourees", dict(good, managing_unit_id="bj-nowhere")), 422, "invalid")[
        "details"] == {"managing_unit_id": ["no unit 'bj-nowhere'"]}
    not_json = checked(requests.post(f"{suite['base']}/api/v1/honourees", data="name=x", timeout=30, headers={
        "Authorization": f"Bearer {officer.token}", "Content-Type": "application/x-www-form-urlencoded"}))
    assert error(not_json, 400, "bad_request")["details"] == {"content_type": ["application/x-www-form-urlencoded"]}
    broken = checked(requests.post(f"{suite['base']}/api/v1/honourees", data="{broken", timeout=30, headers={
        "Authorization": f"Bearer {officer.token}", "Content-Type": "application/json"}))
    error(broken, 400, "bad_request")
    error(officer.post("/honourees", ["not", "an", "object"]), 422, "invalid")
    assert ok(officer.post("/honourees", good), 201)["name"] == good["name"]  # none of that left a trace


# --- search ----------------------------------------------------------------------------------

def test_search_with_filters_and_pages(api):
    token = f"检索{tag()}"
    made = {
        "1": enter(api, name=f"{token}-1", gender="male", category="cadre",
                   honours=[("national_model_worker", 2010)]),
        "2": enter(api, name=f"{token}-2", front_line=True, honours=[("capital_labour_medal", 2012)]),
        "3": enter(api, name=f"{token}-3", honours=[("beijing_model_worker", 2010),
                                                    ("capital_labour_medal", 2005)]),
        "4": enter(api, name=f"{token}-4", honours=[]),  # holds no honour
        "c": enter(api, "chaoyang.officer", "bj-chaoyang", name=f"{token}-c"),
    }
    officer = api["haidian.officer"]

    def names(params, who=officer):
        page = ok(who.get("/honourees", params=dict(params, name=token)))
        return [item["name"][len(token) + 1:] for item in page["items"]], page

    # by default only records holding an active honour: the team
    found, page = names({})
    assert found == ["1", "2", "3"] and page["total"] == 3
    assert names({"honour_status": "any"})[0] == ["1", "2", "3", "4"]
    assert names({}, api["city.officer"])[0] == ["1", "2", "3", "c"]  # the city sees 朝阳's too
    assert names({"district_id": "bj-chaoyang"}, api["city.officer"])[0] == ["c"]
    assert names({"district_id": "bj-chaoyang"})[0] == []
    # pages
    first, page = names({"page_size": "2", "honour_status": "any"})
    assert first == ["1", "2"] and (page["total"], page["pages"], page["page"], page["page_size"]) == (4, 2, 1, 2)
    second, page = names({"page_size": "2", "page": "2", "honour_status": "any"})
    assert second == ["3", "4"] and page["page"] == 2
    assert names({"page_size": "2", "page": "3", "honour_status": "any"})[0] == []
    # filters
    assert names({"gender": "male"})[0] == ["1"]
    assert names({"category": "cadre"})[0] == ["1"]
    assert names({"honour_type": "capital_labour_medal"})[0] == ["2", "3"]
    assert names({"honour_year": "2010"})[0] == ["1", "3"]
    assert names({"honour_level": "national"})[0] == ["1"]
    assert names({"honour_type": "capital_labour_medal", "honour_year": "2005"})[0] == ["3"]
    assert names({"front_line": "true"})[0] == ["2"]
    assert names({"employment_status": "retired"})[0] == []
    assert names({"overdue": "true"})[0] == ["1", "2", "3"]
    assert names({"unit_id": "bj-haidian", "category": "worker"})[0] == ["2", "3"]
    # the items are whole records, masked for this caller
    [item] = ok(officer.get("/honourees", params={"name": f"{token}-1"}))["items"]
    assert item["id"] == made["1"]["id"] and item["id_number"] == made["1"]["id_number"]
    assert item["id_number"].count("*") == 8 and item["honours"][0]["honour_type"] == "national_model_worker"
    # refused queries name the parameter
    assert error(officer.get("/honourees", params={"colour": "red"}), 422)["details"] == {
        "colour": ["unknown parameter"]}
    assert "page_size" in error(officer.get("/honourees", params={"page_size": "201"}), 422)["details"]
    assert "gender" in error(officer.get("/honourees", params={"gender": "other"}), 422)["details"]
    assert error(officer.get("/honourees", params=[("name", "a"), ("name", "b")]), 422)["details"] == {
        "name": ["give it once"]}
    assert "unit_id" in error(officer.get("/honourees", params={"unit_id": "bj-chaoyang"}), 422)["details"]


# --- correcting ------------------------------------------------------------------------------

def test_correct_with_patch(api):
    made = enter(api)
    officer = api["haidian.officer"]
    path = f"/honourees/{made['id']}"
    corrected = ok(officer.patch(path, {"phone": "13911112222", "employer": "北京新能源公司", "version": 1}))
    assert corrected["phone"] == "13911112222" and corrected["employer"] == "北京新能源公司"
    assert corrected["version"] == 2
    unknown = error(officer.patch(path, {"phone": "13911113333", "colour": "red"}), 422, "invalid")
    assert unknown["details"] == {"colour": ["Unknown field."]}
    read_only = error(officer.patch(path, {"managing_unit_id": "bj-chaoyang"}), 422, "invalid")
    assert set(read_only["details"]) == {"managing_unit_id"}  # moved only by a transfer
    assert "_schema" in error(officer.patch(path, {}), 422, "invalid")["details"]
    assert "_schema" in error(officer.patch(path, {"version": 2}), 422, "invalid")["details"]
    stale = error(officer.patch(path, {"phone": "13911114444", "version": 1}), 409, "conflict")
    assert list(stale["details"]) == ["version"] and str(stale["details"]["version"]) == "2"  # (its type: below)
    born = date.fromisoformat(made["birth_date"])
    other_day = (born + timedelta(days=3)).isoformat()
    assert "birth_date" in error(officer.patch(path, {"birth_date": other_day}), 422)["details"]
    error(api["chaoyang.officer"].patch(path, {"phone": "13911115555"}), 404, "not_found")
    error(api["haidian.reviewer"].patch(path, {"phone": "13911115555"}), 403, "forbidden")
    # the city, above 海淀, may correct it too
    by_city = ok(api["city.officer"].patch(path, {"education": "大学本科"}))
    assert by_city["education"] == "大学本科" and by_city["version"] == 3
    assert ok(officer.get(path))["phone"] == "13911112222"


def test_error_details_keep_their_json_types(api):
    """A number in an error's details (the record's version to reload, the year already verified)
    arrives as a JSON number, as the service raised it; not as its text."""
    officer = api["haidian.officer"]
    made = enter(api)
    ok(officer.patch(f"/honourees/{made['id']}", {"phone": "13911116666"}))
    stale = error(officer.patch(f"/honourees/{made['id']}", {"phone": "13911117777", "version": 1}), 409)
    verified = ok(officer.post(f"/honourees/{made['id']}/verification", {"outcome": "confirmed"}))
    twice = error(officer.post(f"/honourees/{made['id']}/verification", {"outcome": "confirmed"}), 409)
    assert (stale["details"], twice["details"]) == (
        {"version": 2}, {"year": verified["year"], "verified_by": "haidian.officer", "outcome": "confirmed"})


def test_confer_an_honour(api):
    made = enter(api)
    officer = api["haidian.officer"]
    honour = ok(officer.post(f"/honourees/{made['id']}/honours",
                             {"honour_type": "capital_labour_medal", "year": 2021}), 201)
    assert (honour["honouree_id"], honour["honour_type"], honour["year"], honour["level"],
            honour["conferring_body"], honour["status"]) == (
        made["id"], "capital_labour_medal", 2021, "municipal", "北京市总工会", "active")
    record = ok(officer.get(f"/honourees/{made['id']}"))
    assert [(h["honour_type"], h["year"]) for h in record["honours"]] == [
        ("beijing_model_worker", 2015), ("capital_labour_medal", 2021)]
    twice = error(officer.post(f"/honourees/{made['id']}/honours",
                               {"honour_type": "capital_labour_medal", "year": 2021}), 409, "conflict")
    assert twice["details"] == {"honour_id": honour["id"]}
    unknown = error(officer.post(f"/honourees/{made['id']}/honours",
                                 {"honour_type": "nobel_prize", "year": 2021}), 422, "invalid")
    assert unknown["details"] == {"honour_type": ["no honour type 'nobel_prize'"]}
    assert "year" in error(officer.post(f"/honourees/{made['id']}/honours",
                                        {"honour_type": "capital_labour_medal", "year": 1900}), 422)["details"]
    types = ok(officer.get("/honour-types"))["items"]
    assert {t["code"] for t in types} >= set(TYPES)
    assert next(t for t in types if t["code"] == "beijing_model_worker")["name"] == "北京市劳动模范"


# --- annual verification ---------------------------------------------------------------------

def overdue_ids(api_, **params):
    return {item["id"] for item in every(api_, "/verification/overdue", params)}


def test_verification_overdue_and_progress(api):
    officer = api["haidian.officer"]
    confirmed, corrected, waiting = enter(api), enter(api), enter(api)
    assert {confirmed["id"], corrected["id"], waiting["id"]} <= overdue_ids(officer)
    assert {confirmed["id"], waiting["id"]} <= overdue_ids(api["city.reviewer"], unit_id="bj-haidian")

    done = ok(officer.post(f"/honourees/{confirmed['id']}/verification", {"outcome": "confirmed"}))
    year = done["year"]
    assert (done["honouree_id"], done["unit_id"], done["outcome"], done["account"]) == (
        confirmed["id"], "bj-haidian", "confirmed", "haidian.officer")
    assert done["honouree"]["verified_year"] == year and abs(year - date.today().year) <= 1
    again = error(officer.post(f"/honourees/{confirmed['id']}/verification", {"outcome": "confirmed"}), 409)
    assert str(again["details"]["year"]) == str(year)  # (its type: test_error_details_keep_their_json_types)
    assert again["details"]["verified_by"] == "haidian.officer"

    fixed = ok(officer.post(f"/honourees/{corrected['id']}/verification",
                            {"outcome": "corrected", "changes": {"position": "车间主任"}}))
    assert fixed["outcome"] == "corrected" and fixed["honouree"]["position"] == "车间主任"
    assert fixed["honouree"]["version"] == 2
    assert "changes" in error(officer.post(f"/honourees/{waiting['id']}/verification",
                                           {"outcome": "corrected"}), 422)["details"]
    assert "changes" in error(officer.post(f"/honourees/{waiting['id']}/verification",
                                           {"outcome": "corrected", "changes": {"employer": "北京第一机床厂"}}),
                              422)["details"]  # nothing differs: verify it as confirmed
    # only the managing unit verifies, though the city sees the record
    forbidden = error(api["city.officer"].post(f"/honourees/{waiting['id']}/verification",
                                               {"outcome": "confirmed"}), 403, "forbidden")
    assert forbidden["details"] == {"managing_unit_id": "bj-haidian"}

    overdue = overdue_ids(officer)
    assert waiting["id"] in overdue and not {confirmed["id"], corrected["id"]} & overdue
    item = next(i for i in every(officer, "/verification/overdue") if i["id"] == waiting["id"])
    assert item == {"id": waiting["id"], "name": waiting["name"], "category": "worker",
                    "employer": "北京第一机床厂", "employment_status": "in_service",
                    "managing_unit_id": "bj-haidian", "district_id": "bj-haidian", "verified_year": None}

    progress = ok(officer.get("/verification/progress"))
    assert progress["year"] == year
    [haidian] = progress["units"]
    assert haidian["unit_id"] == "bj-haidian" and haidian["unit_name"]
    assert haidian["due"] >= 3 and haidian["verified"] >= 2
    assert haidian["rate"] == round(haidian["verified"] / haidian["due"], 4)
    assert progress["total"] == {"due": haidian["due"], "verified": haidian["verified"], "rate": haidian["rate"]}
    city = ok(api["city.reviewer"].get("/verification/progress", params={"year": str(year)}))
    assert "bj-haidian" in {u["unit_id"] for u in city["units"]} and city["total"]["due"] >= haidian["due"]
    last_year = ok(officer.get("/verification/progress", params={"year": str(year - 1)}))
    assert last_year["year"] == year - 1
    assert "year" in error(officer.get("/verification/progress", params={"year": str(year + 1)}), 422)["details"]
    assert "year" in error(officer.get("/verification/progress", params={"year": "soon"}), 422)["details"]


# --- major-change reports and to-do lists ------------------------------------------------------

def todo_of(api_, subject_id, **params):
    return [item for item in every(api_, "/todo", params) if item["subject_id"] == subject_id]


def test_change_report_acknowledge_and_todo(api):
    officer = api["haidian.officer"]
    made = enter(api)
    report = ok(officer.post(f"/honourees/{made['id']}/change-reports", {
        "kind": "serious_illness", "occurred_on": "2024-03-01", "description": "突发重病，住院治疗"}), 201)
    assert (report["honouree_id"], report["kind"], report["status"], report["escalated_to_unit_id"],
            report["reported_by_account"], report["reported_by_unit_id"], report["transfer"]) == (
        made["id"], "serious_illness", "open", "bj", "haidian.officer", "bj-haidian", None)

    [item] = todo_of(api["city.officer"], report["id"], kind="change_report", status="open")
    assert item["unit_id"] == "bj" and item["honouree_id"] == made["id"] and made["name"] in item["title"]
    assert todo_of(officer, report["id"]) == []  # it went one tier up, not to 海淀's own list

    error(officer.post(f"/change-reports/{report['id']}/acknowledge"), 403, "forbidden")
    error(api["chaoyang.officer"].post(f"/change-reports/{report['id']}/acknowledge"), 404, "not_found")
    error(api["city.reviewer"].post(f"/change-reports/{report['id']}/acknowledge"), 403, "forbidden")
    acknowledged = ok(api["city.officer"].post(f"/change-reports/{report['id']}/acknowledge"))
    assert acknowledged["status"] == "acknowledged" and acknowledged["acknowledged_by"] == "city.officer"
    assert acknowledged["acknowledged_at"]
    assert error(api["city.officer"].post(f"/change-reports/{report['id']}/acknowledge"), 409)["details"] == {
        "acknowledged_by": "city.officer"}
    [item] = todo_of(api["city.officer"], report["id"])
    assert item["status"] == "done" and item["done_at"]
    assert todo_of(api["city.officer"], report["id"], status="open") == []

    error(officer.post(f"/honourees/{made['id']}/change-reports", {
        "kind": "death", "occurred_on": (date.today() + timedelta(days=3)).isoformat(), "description": "x"}), 422)
    assert "kind" in error(officer.post(f"/honourees/{made['id']}/change-reports", {
        "kind": "moved_abroad", "description": "出国"}), 422)["details"]
    error(api["city.officer"].post(f"/honourees/{made['id']}/change-reports", {
        "kind": "contact_lost", "description": "失联"}), 403, "forbidden")  # only the managing unit reports


def test_a_death_report_marks_the_record_and_leaving_the_employer_makes_it_territorial(api):
    officer = api["haidian.officer"]
    died = enter(api)
    ok(officer.post(f"/honourees/{died['id']}/change-reports", {
        "kind": "death", "occurred_on": "2024-02-01", "description": "因病去世"}), 201)
    record = ok(officer.get(f"/honourees/{died['id']}"))
    assert record["employment_status"] == "deceased" and record["version"] == 2
    assert died["id"] not in overdue_ids(officer)
    error(officer.post(f"/honourees/{died['id']}/change-reports", {"kind": "death", "description": "x"}), 409)
    error(officer.post(f"/honourees/{died['id']}/verification", {"outcome": "confirmed"}), 409, "conflict")

    left = enter(api)
    report = ok(officer.post(f"/honourees/{left['id']}/change-reports", {
        "kind": "left_employer", "description": "离开原单位"}), 201)
    assert report["transfer"] is None  # 海淀 is its district union already
    record = ok(officer.get(f"/honourees/{left['id']}"))
    assert (record["employment_status"], record["management_mode"]) == ("left_employer", "territorial")


# --- transfers -------------------------------------------------------------------------------

TO_CHAOYANG = {"to_unit_id": "bj-chaoyang", "reason": "本人工作调动至朝阳区", "management_mode": "territorial"}


def test_transfer_request_then_accept(api):
    officer, theirs = api["haidian.officer"], api["chaoyang.officer"]
    made = enter(api)
    transfer = ok(officer.post(f"/honourees/{made['id']}/transfers", TO_CHAOYANG), 201)
    assert (transfer["honouree_id"], transfer["honouree_name"], transfer["from_unit_id"], transfer["to_unit_id"],
            transfer["status"], transfer["requested_by_account"], transfer["requested_by_unit_id"],
            transfer["deciding_unit_id"], transfer["decided_at"]) == (
        made["id"], made["name"], "bj-haidian", "bj-chaoyang", "pending", "haidian.officer", "bj-haidian",
        "bj-chaoyang", None)
    second = error(officer.post(f"/honourees/{made['id']}/transfers", dict(TO_CHAOYANG, to_unit_id="bj-xicheng")),
                   409, "conflict")
    assert second["details"] == {"transfer_id": transfer["id"], "to_unit_id": "bj-chaoyang"}
    # the record stays with 海淀 until 朝阳 decides; 朝阳 cannot read it yet, but has it on its list
    assert ok(officer.get(f"/honourees/{made['id']}"))["managing_unit_id"] == "bj-haidian"
    error(theirs.get(f"/honourees/{made['id']}"), 404)
    [item] = todo_of(theirs, transfer["id"], kind="transfer", status="open")
    assert item["unit_id"] == "bj-chaoyang"
    assert transfer["id"] in {t["id"] for t in every(theirs, "/transfers", {"status": "pending"})}

    refused = error(officer.post(f"/transfers/{transfer['id']}/accept"), 403, "forbidden")
    assert refused["details"] == {"deciding_unit_id": "bj-chaoyang"}
    error(api["haidian.reviewer"].post(f"/transfers/{transfer['id']}/accept"), 403, "forbidden")
    accepted = ok(theirs.post(f"/transfers/{transfer['id']}/accept"))
    assert (accepted["status"], accepted["decided_by_account"]) == ("accepted", "chaoyang.officer")
    assert accepted["decided_at"]
    error(theirs.post(f"/transfers/{transfer['id']}/accept"), 409, "conflict")
    error(theirs.post(f"/transfers/{transfer['id']}/reject", {"reason": "晚了"}), 409, "conflict")

    moved = ok(theirs.get(f"/honourees/{made['id']}"))
    assert (moved["managing_unit_id"], moved["district_id"], moved["management_mode"], moved["version"]) == (
        "bj-chaoyang", "bj-chaoyang", "territorial", 2)
    error(officer.get(f"/honourees/{made['id']}"), 404, "not_found")  # gone from 海淀's scope
    assert todo_of(theirs, transfer["id"], status="open") == []
    for who in (officer, theirs):
        listed = {t["id"]: t["status"] for t in every(who, "/transfers", {"status": "decided"})}
        assert listed[transfer["id"]] == "accepted"
    assert transfer["id"] not in {t["id"] for t in every(officer, "/transfers", {"status": "pending"})}


def test_transfer_request_then_reject(api):
    officer, theirs = api["haidian.officer"], api["chaoyang.officer"]
    made = enter(api)
    transfer = ok(officer.post(f"/honourees/{made['id']}/transfers", TO_CHAOYANG), 201)
    assert "reason" in error(theirs.post(f"/transfers/{transfer['id']}/reject", {}), 422)["details"]
    assert "reason" in error(theirs.post(f"/transfers/{transfer['id']}/reject", {"reason": "   "}), 422)["details"]
    rejected = ok(theirs.post(f"/transfers/{transfer['id']}/reject", {"reason": "本单位无法接收"}))
    assert (rejected["status"], rejected["decision_reason"], rejected["decided_by_account"]) == (
        "rejected", "本单位无法接收", "chaoyang.officer")
    assert ok(officer.get(f"/honourees/{made['id']}"))["managing_unit_id"] == "bj-haidian"
    assert {t["id"]: t["status"] for t in every(officer, "/transfers", {"status": "rejected"})}[
        transfer["id"]] == "rejected"
    error(theirs.post(f"/transfers/{transfer['id']}/accept"), 409, "conflict")
    # once decided, another request may follow
    ok(officer.post(f"/honourees/{made['id']}/transfers", dict(TO_CHAOYANG, to_unit_id="bj-xicheng")), 201)


def test_the_receiving_unit_asks_and_the_managing_unit_decides(api):
    officer, theirs = api["haidian.officer"], api["chaoyang.officer"]
    made = enter(api)
    # 朝阳 cannot see the record, but names it by id to ask for it
    transfer = ok(theirs.post(f"/honourees/{made['id']}/transfers", TO_CHAOYANG), 201)
    assert (transfer["requested_by_unit_id"], transfer["deciding_unit_id"]) == ("bj-chaoyang", "bj-haidian")
    error(theirs.post(f"/transfers/{transfer['id']}/accept"), 403, "forbidden")
    ok(officer.post(f"/transfers/{transfer['id']}/accept"))
    assert ok(theirs.get(f"/honourees/{made['id']}"))["managing_unit_id"] == "bj-chaoyang"
    # asking for someone else's record on a third unit's behalf is not allowed; unknown ids are 404
    other = enter(api)
    error(theirs.post(f"/honourees/{other['id']}/transfers", dict(TO_CHAOYANG, to_unit_id="bj-xicheng")), 404)
    error(officer.post("/honourees/no-such-id/transfers", TO_CHAOYANG), 404, "not_found")
    assert "to_unit_id" in error(officer.post(f"/honourees/{other['id']}/transfers",
                                              dict(TO_CHAOYANG, to_unit_id="bj-haidian")), 422)["details"]
    assert "to_unit_id" in error(officer.post(f"/honourees/{other['id']}/transfers",
                                              dict(TO_CHAOYANG, to_unit_id="bj-atlantis")), 422)["details"]
    assert "management_mode" in error(officer.post(f"/honourees/{other['id']}/transfers",
                                                   dict(TO_CHAOYANG, management_mode="x")), 422)["details"]


# --- revocation --------------------------------------------------------------------------------

def steps(revocation):
    return [(s["unit_id"], s["action"], s["account"]) for s in revocation["steps"]]


def test_revocation_request_then_revoke(api):
    officer, city = api["haidian.officer"], api["city.reviewer"]
    made = enter(api)
    honour_id = made["honours"][0]["id"]
    requested = ok(officer.post(f"/honours/{honour_id}/revocations", {"reasons": REASONS}), 201)
    assert (requested["honour_id"], requested["honouree_id"], requested["honour_type"], requested["status"],
            requested["requested_by_unit_id"], requested["waiting_at_unit_id"], requested["deciding_unit_id"]) == (
        honour_id, made["id"], "beijing_model_worker", "pending", "bj-haidian", "bj", "bj")
    assert steps(requested) == [("bj-haidian", "requested", "haidian.officer")]
    rid = requested["id"]
    twice = error(officer.post(f"/honours/{honour_id}/revocations", {"reasons": REASONS}), 409, "conflict")
    assert twice["details"] == {"revocation_id": rid, "waiting_at_unit_id": "bj"}
    error(api["city.officer"].post(f"/honours/{honour_id}/revocations", {"reasons": REASONS}), 403, "forbidden")
    error(api["chaoyang.officer"].post(f"/honours/{honour_id}/revocations", {"reasons": REASONS}), 404)
    assert "reasons" in error(officer.post(f"/honours/{honour_id}/revocations", {}), 422)["details"]

    # who may see it
    assert ok(officer.get(f"/revocations/{rid}"))["id"] == rid
    assert ok(api["haidian.reviewer"].get(f"/revocations/{rid}"))["status"] == "pending"
    error(api["chaoyang.officer"].get(f"/revocations/{rid}"), 404, "not_found")
    assert rid in {r["id"] for r in every(city, "/revocations", {"waiting_here": "true", "status": "pending"})}
    assert rid not in {r["id"] for r in every(api["haidian.reviewer"], "/revocations", {"waiting_here": "true"})}
    [listed] = ok(officer.get("/revocations", params={"honour_id": honour_id}))["items"]
    assert listed["id"] == rid and "steps" not in listed
    [item] = todo_of(api["city.officer"], rid, kind="revocation", status="open")
    assert item["unit_id"] == "bj" and "待决定" in item["title"]

    # 海淀 is not where it waits, nor the deciding unit
    assert error(api["haidian.reviewer"].post(f"/revocations/{rid}/endorse", {"reasons": "同意"}), 403)[
        "details"] == {"waiting_at_unit_id": "bj"}
    error(api["haidian.reviewer"].post(f"/revocations/{rid}/refuse", {"reasons": "不同意"}), 403, "forbidden")
    assert error(api["haidian.reviewer"].post(f"/revocations/{rid}/decide", {"decision": "revoke", "reasons": "x"}),
                 403)["details"] == {"deciding_unit_id": "bj"}
    error(officer.post(f"/revocations/{rid}/decide", {"decision": "revoke", "reasons": "x"}), 403, "forbidden")
    # at the city there is no tier left to endorse it: it waits for the decision
    assert error(city.post(f"/revocations/{rid}/endorse", {"reasons": "同意"}), 409, "conflict")["details"] == {
        "waiting_at_unit_id": "bj", "missing_step": "decided"}
    assert "decision" in error(city.post(f"/revocations/{rid}/decide", {"decision": "maybe", "reasons": "x"}),
                               422)["details"]

    revoked = ok(city.post(f"/revocations/{rid}/decide", {"decision": "revoke", "reasons": "经审议，决定撤销"}))
    assert (revoked["status"], revoked["waiting_at_unit_id"], revoked["decision_reasons"]) == (
        "revoked", None, "经审议，决定撤销")
    assert steps(revoked) == [("bj-haidian", "requested", "haidian.officer"), ("bj", "decided", "city.reviewer")]
    assert revoked["decided_at"]
    honour = ok(officer.get(f"/honourees/{made['id']}"))["honours"][0]
    assert honour["status"] == "revoked" and honour["revoked_at"]
    error(city.post(f"/revocations/{rid}/decide", {"decision": "revoke", "reasons": "x"}), 409, "conflict")
    error(officer.post(f"/honours/{honour_id}/revocations", {"reasons": REASONS}), 409, "conflict")
    assert todo_of(api["city.officer"], rid, status="open") == []
    assert ok(officer.get("/revocations", params={"honour_id": honour_id, "status": "revoked"}))["total"] == 1
    # a revoked honour no longer makes its holder part of the team
    assert ok(officer.get("/honourees", params={"name": made["name"]}))["total"] == 0
    assert ok(officer.get("/honourees", params={"name": made["name"], "honour_status": "revoked"}))["total"] == 1


def test_revocation_refused_where_it_waits_or_by_the_decision(api):
    officer, city = api["haidian.officer"], api["city.reviewer"]
    first, second = enter(api), enter(api)
    waiting = ok(officer.post(f"/honours/{first['honours'][0]['id']}/revocations", {"reasons": REASONS}), 201)
    refused = ok(city.post(f"/revocations/{waiting['id']}/refuse", {"reasons": "事实不清"}))
    assert (refused["status"], refused["decision_reasons"], refused["waiting_at_unit_id"]) == (
        "refused", "事实不清", None)
    assert steps(refused)[-1] == ("bj", "refused", "city.reviewer")
    error(city.post(f"/revocations/{waiting['id']}/refuse", {"reasons": "again"}), 409, "conflict")

    decided = ok(officer.post(f"/honours/{second['honours'][0]['id']}/revocations", {"reasons": REASONS}), 201)
    no = ok(city.post(f"/revocations/{decided['id']}/decide", {"decision": "refuse", "reasons": "不予撤销"}))
    assert no["status"] == "refused" and steps(no)[-1] == ("bj", "decided", "city.reviewer")
    for made in (first, second):
        assert ok(officer.get(f"/honourees/{made['id']}"))["honours"][0]["status"] == "active"
    # a refused request may be asked for again
    ok(officer.post(f"/honours/{first['honours'][0]['id']}/revocations", {"reasons": "补充材料后再次申请"}), 201)
    statuses = {r["id"]: r["status"] for r in every(officer, "/revocations", {"status": "refused"})}
    assert statuses[waiting["id"]] == statuses[decided["id"]] == "refused"
    error(officer.get("/revocations/no-such-request"), 404, "not_found")
    assert "status" in error(officer.get("/revocations", params={"status": "lost"}), 422)["details"]


# --- import and export -----------------------------------------------------------------------

def csv_text(rows, header=HEADER):
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(column, "") for column in header])
    return out.getvalue()


def post_csv(api_, body, dry_run=None, content_type="text/csv"):
    params = {} if dry_run is None else {"dry_run": "true" if dry_run else "false"}
    data = body.encode("utf-8") if isinstance(body, str) else body
    return api_.post("/honourees/import", params=params, data=data, headers={"Content-Type": content_type})


def full_row(name, unit_id="bj-haidian", honour=None, **cells):
    """Every column, as an export by an account with the personal-data right writes it."""
    born, n = born_and_serial()
    row = {column: "" for column in HEADER}
    row.update(id_number=make_id_number(AREA, born, n % 500), name=name, gender="male", ethnicity="汉族",
               birth_date=born.isoformat(), category="worker", managing_unit_id=unit_id, management_mode="by_unit",
               employment_status="in_service", employer="北京燕京啤酒集团", front_line="false",
               migrant_worker="false", non_public_enterprise="false", high_tech_enterprise="false",
               beijing_hukou="true")
    row.update(cells)
    if honour:
        row.update(honour_of(*honour))
    return row


def honour_of(honour_type, year):
    level, body = TYPES[honour_type]
    return {"honour_type": honour_type, "honour_year": str(year), "honour_level": level, "conferring_body": body}


def test_import_dry_run_reports_each_rows_errors_and_writes_nothing(api):
    token = f"导入{tag()}"
    officer = api["haidian.officer"]
    good = full_row(f"{token}张伟", honour=("beijing_model_worker", 2016))
    bad_check = full_row(f"{token}李娜")
    bad_check["id_number"] = bad_check["id_number"][:17] + ("0" if bad_check["id_number"][17] != "0" else "1")
    elsewhere = full_row(f"{token}王芳", unit_id="bj-chaoyang")
    unknown_type = full_row(f"{token}刘洋", honour_type="nobel_prize", honour_year="2010")
    bad_gender = full_row(f"{token}陈静", gender="男")
    text = csv_text([good, bad_check, elsewhere, unknown_type, bad_gender])
    report = ok(post_csv(officer, text))  # dry_run is the default
    assert (report["status"], report["dry_run"], report["rows"], report["valid"], report["invalid"]) == (
        "invalid", True, 5, 1, 4)
    errors = {e["row"]: e["errors"] for e in report["errors"]}
    assert sorted(errors) == [3, 4, 5, 6]
    assert errors[3] == {"id_number": ["the check character does not match (GB 11643)"]}
    assert errors[4] == {"managing_unit_id": ["outside the caller's scope"]}
    assert errors[5] == {"honour_type": ["no honour type 'nobel_prize'"]}
    assert list(errors[6]) == ["gender"]
    # a real run of the same file enters none of them
    refused = ok(post_csv(officer, text, dry_run=False))
    assert refused["status"] == "refused" and refused["dry_run"] is False and "imported" not in refused
    assert ok(officer.get("/honourees", params={"name": token, "honour_status": "any"}))["total"] == 0
    # a file that cannot be read at all
    header_only = ok(post_csv(officer, "id_number,name,colour\r\n"))
    assert header_only["status"] == "refused" and header_only["errors"][0]["row"] == 1
    assert "colour" in header_only["errors"][0]["errors"]
    gbk = error(post_csv(officer, text.encode("gb18030")), 400, "bad_request")
    assert "byte_offset" in gbk["details"]
    assert error(post_csv(officer, text, content_type="application/json"), 400, "bad_request")["details"] == {
        "content_type": ["application/json"]}
    assert "dry_run" in error(officer.post("/honourees/import", params={"dry_run": "perhaps"}, data=text.encode(),
                                           headers={"Content-Type": "text/csv"}), 422)["details"]


def test_import_then_export_round_trips_the_chinese(api):
    token = f"往返{tag()}"
    officer = api["haidian.officer"]
    two = full_row(f"{token}阿依古丽·买买提", gender="female", ethnicity="维吾尔族", position="高级技师",
                   address="北京市海淀区中关村大街1号, 2单元", phone="010-62751234", education="大学本科",
                   political_status="中共党员", front_line="true", migrant_worker="true", family_members="3",
                   income_band="lower_middle", hardships="low_income;special_hardship",
                   honour=("capital_labour_medal", 2008))
    second_honour = dict(two, **honour_of("national_model_worker", 2015))
    one = full_row(f"{token}欧阳娜娜", category="intellectual", honour=("beijing_model_worker", 2019))
    none = full_row(f"{token}张三丰", employment_status="retired", beijing_hukou="false")  # no honour
    rows = [two, second_honour, one, none]
    text = "\ufeff" + csv_text(rows)  # as Excel's "CSV UTF-8" writes it

    dry = ok(post_csv(officer, text, dry_run=True))
    assert (dry["status"], dry["rows"], dry["valid"], dry["invalid"], dry["people"], dry["honours"],
            dry["errors"]) == ("valid", 4, 4, 0, 3, 3, [])
    assert ok(officer.get("/honourees", params={"name": token, "honour_status": "any"}))["total"] == 0
    done = ok(post_csv(officer, text, dry_run=False))
    assert (done["status"], done["dry_run"], done["imported"]) == ("imported", False, 3)
    again = ok(post_csv(officer, text, dry_run=False))
    assert again["status"] == "refused" and again.get("imported") is None
    assert {msg for e in again["errors"] for msg in e["errors"].get("id_number", [])} == {"already registered"}

    found = ok(officer.get("/honourees", params={"name": token, "honour_status": "any"}))
    assert sorted(item["name"] for item in found["items"]) == sorted({r["name"] for r in rows})
    record = next(item for item in found["items"] if item["name"] == two["name"])
    assert [(h["honour_type"], h["year"]) for h in record["honours"]] == [
        ("capital_labour_medal", 2008), ("national_model_worker", 2015)]
    assert record["address"] == two["address"] and record["ethnicity"] == "维吾尔族"
    entries = {(e["action"], e["account"], e["unit_id"])
               for e in ok(api["haidian.auditor"].get(f"/honourees/{record['id']}/audit"))["items"]}
    assert ("registered", "haidian.officer", "bj-haidian") in entries
    assert {(account, unit_id) for _, account, unit_id in entries} == {("haidian.officer", "bj-haidian")}

    # the city's officer holds the personal-data right: its export is the imported file again
    export = checked(api["city.officer"].get("/honourees/export", params={"name": token, "honour_status": "any"}))
    assert export.status_code == 200
    assert export.headers["Content-Type"].startswith("text/csv")
    assert "honourees.csv" in export.headers["Content-Disposition"]
    body = export.content.decode("utf-8")
    assert body.startswith("\ufeff" + ",".join(HEADER) + "\r\n")
    exported = list(csv.DictReader(io.StringIO(body[1:])))
    expected = sorted(rows, key=lambda r: r["name"])  # by name (code points), honours by year
    assert [dict(r) for r in exported] == expected
    # 海淀's officer has no such right: the same records, masked
    masked_export = checked(officer.get("/honourees/export", params={"name": token, "honour_status": "any"}))
    masked_rows = list(csv.DictReader(io.StringIO(masked_export.content.decode("utf-8-sig"))))
    assert [r["name"] for r in masked_rows] == [r["name"] for r in expected]
    assert [r["id_number"] for r in masked_rows] == [masked(r["id_number"]) for r in expected]
    assert {r["income_band"] for r in masked_rows} == {r["hardships"] for r in masked_rows} == {"***"}
    # filters apply to the export as to a search
    only = checked(officer.get("/honourees/export", params={"name": token, "honour_type": "beijing_model_worker"}))
    assert [r["name"] for r in csv.DictReader(io.StringIO(only.content.decode("utf-8-sig")))] == [one["name"]]
    error(api["city.reviewer"].get("/honourees/export"), 403, "forbidden")
    assert error(officer.get("/honourees/export", params={"page": "2"}), 422)["details"] == {
        "page": ["unknown parameter"]}


# --- statistics ------------------------------------------------------------------------------

def test_statistics(api):
    token = f"统计{tag()}"
    enter(api, name=f"{token}1", gender="male", category="cadre", front_line=True,
          honours=[("national_model_worker", 2010), ("capital_labour_medal", 2005)])
    enter(api, name=f"{token}2", category="intellectual", employment_status="retired",
          honours=[("beijing_model_worker", 2012)])
    enter(api, name=f"{token}3", honours=[])
    enter(api, "chaoyang.officer", "bj-chaoyang", name=f"{token}4")

    stats = ok(api["haidian.reviewer"].get("/statistics", params={"name": token}))
    assert stats["unit_id"] == "bj-haidian" and stats["as_of"]
    assert stats["total"] == 2 and stats["team"]["size"] == 2 and stats["team"]["target"] == 20000
    assert stats["by_gender"] == {"male": 1, "female": 1}
    assert stats["by_category"] == {"worker": 0, "farmer": 0, "intellectual": 1, "cadre": 1}
    assert stats["by_employment_status"] == {"in_service": 1, "retired": 1, "left_employer": 0, "deceased": 0}
    assert stats["by_district"] == {"bj-haidian": 2}
    assert stats["by_honour_type"]["national_model_worker"] == 1
    assert stats["by_honour_type"]["capital_labour_medal"] == 1
    assert stats["by_honour_type"]["beijing_model_worker"] == 1
    assert stats["by_honour_level"] == {"national": 1, "municipal": 2, "district": 0}
    assert stats["flags"]["front_line"] == 1 and stats["flags"]["beijing_hukou"] == 2
    assert sum(stats["by_age_band"].values()) == 2

    every_status = ok(api["haidian.reviewer"].get("/statistics", params={"name": token, "honour_status": "any"}))
    assert every_status["total"] == 3
    city = ok(api["city.finance"].get("/statistics", params={"name": token}))
    assert city["unit_id"] == "bj" and city["total"] == 3
    assert city["by_district"]["bj-haidian"] == 2 and city["by_district"]["bj-chaoyang"] == 1
    narrowed = ok(api["city.finance"].get("/statistics", params={"name": token, "unit_id": "bj-chaoyang"}))
    assert narrowed["unit_id"] == "bj-chaoyang" and narrowed["total"] == 1
    assert "unit_id" in error(api["haidian.reviewer"].get("/statistics", params={"unit_id": "bj-chaoyang"}),
                              422)["details"]
    assert error(api["haidian.reviewer"].get("/statistics", params={"page": "1"}), 422)["details"] == {
        "page": ["unknown parameter"]}


# --- the audit trail -------------------------------------------------------------------------

RECORD_ACTIONS = ("registered", "corrected", "verified", "transferred")  # on the honouree record itself


def trail(api_, honouree_id):
    return ok(api_.get(f"/honourees/{honouree_id}/audit"))["items"]


def test_the_records_own_changes_are_in_its_audit_trail_with_account_and_unit(api):
    officer = api["haidian.officer"]
    data = person("bj-haidian", f"审计{tag()}")
    made = ok(officer.post("/honourees", data), 201)
    number = data["id_number"]
    new_number = make_id_number(AREA, date.fromisoformat(data["birth_date"]), 500 + int(number[14:17]))
    ok(officer.patch(f"/honourees/{made['id']}", {"employer": "北京地铁公司", "id_number": new_number}))
    ok(officer.post(f"/honourees/{made['id']}/verification", {"outcome": "confirmed"}))
    transfer = ok(officer.post(f"/honourees/{made['id']}/transfers", TO_CHAOYANG), 201)
    ok(api["chaoyang.officer"].post(f"/transfers/{transfer['id']}/accept"))

    entries = [e for e in trail(api["city.auditor"], made["id"]) if e["action"] in RECORD_ACTIONS]
    assert [(e["action"], e["account"], e["unit_id"]) for e in entries] == [
        ("registered", "haidian.officer", "bj-haidian"),
        ("corrected", "haidian.officer", "bj-haidian"),
        ("verified", "haidian.officer", "bj-haidian"),
        ("transferred", "chaoyang.officer", "bj-chaoyang"),
    ]
    corrected = entries[1]["changes"]
    assert corrected["employer"] == ["北京第一机床厂", "北京地铁公司"]
    # personal data is masked in the trail, whoever reads it
    assert corrected["id_number"] == [masked(number), masked(new_number)]
    assert number not in str(entries) and new_number not in str(entries)
    assert entries[3]["changes"]["managing_unit_id"] == ["bj-haidian", "bj-chaoyang"]
    assert all(e["at"] for e in entries)
    # 海淀's auditor no longer sees the record it handed over; reviewers read no trail at all
    error(api["haidian.auditor"].get(f"/honourees/{made['id']}/audit"), 404, "not_found")
    error(api["city.reviewer"].get(f"/honourees/{made['id']}/audit"), 403, "forbidden")
    assert [e for e in trail(api["admin"], made["id"]) if e["action"] in RECORD_ACTIONS] == entries


def test_every_write_through_the_gateway_is_in_the_records_audit_trail(api):
    """Every write made over HTTP about a record appears in GET /honourees/<id>/audit, with the acting
    account and its unit: its honours, change reports, transfers and revocations too."""
    officer = api["haidian.officer"]
    made = enter(api, name=f"全审计{tag()}")
    honour = ok(officer.post(f"/honourees/{made['id']}/honours",
                             {"honour_type": "capital_labour_medal", "year": 2022}), 201)
    report = ok(officer.post(f"/honourees/{made['id']}/change-reports",
                             {"kind": "contact_lost", "description": "多次联系未果"}), 201)
    ok(api["city.officer"].post(f"/change-reports/{report['id']}/acknowledge"))
    transfer = ok(officer.post(f"/honourees/{made['id']}/transfers", TO_CHAOYANG), 201)
    ok(api["chaoyang.officer"].post(f"/transfers/{transfer['id']}/reject", {"reason": "不接收"}))
    revocation = ok(officer.post(f"/honours/{honour['id']}/revocations", {"reasons": REASONS}), 201)
    ok(api["city.reviewer"].post(f"/revocations/{revocation['id']}/decide",
                                 {"decision": "revoke", "reasons": "决定撤销"}))

    written = {
        "registered": ("haidian.officer", "bj-haidian"),
        "conferred": ("haidian.officer", "bj-haidian"),        # the honour entered
        "reported": ("haidian.officer", "bj-haidian"),         # the change report
        "acknowledged": ("city.officer", "bj"),
        "requested": ("haidian.officer", "bj-haidian"),        # the transfer, and the revocation
        "rejected": ("chaoyang.officer", "bj-chaoyang"),
        "revoked": ("city.reviewer", "bj"),                    # the decision, and the honour it revoked
    }
    entries = trail(api["city.auditor"], made["id"])
    found = {(e["action"], e["account"], e["unit_id"]) for e in entries}
    missing = sorted(action for action, (account, unit_id) in written.items()
                     if (action, account, unit_id) not in found)
    assert missing == [], f"writes missing from the audit trail: {missing}; the trail holds {sorted(found)}"
