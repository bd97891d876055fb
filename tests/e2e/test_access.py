"""Who may use which route: the authorisation matrix over EVERY route of the gateway, over HTTP.

For each route (``gateway.openapi.routes(GatewayService)``), one test id per check:

(a) ``test_without_a_token``: a route with roles answers 401 in the one error shape without a bearer
    token; a public route answers without one.
(b) ``test_without_an_allowed_role``: an account holding none of the route's roles gets 403; a route
    open to every role says so (there is no such account).
(c) ``test_another_districts_record``: records of 朝阳 (bj-chaoyang) do not exist for 海淀 (bj-haidian)
    accounts holding the right role: 404 on a route naming one by id; absent from lists; refused
    as a target of writes. Campaigns and public notices are shared (read by everyone signed in);
    changing one is the organiser's or the publishing unit's: 403 for another unit.
(d) ``test_in_its_own_scope``: the right account with a valid request gets the route's 2xx; and
    ``test_its_answer_keeps_to_the_document``: that answer fits the served OpenAPI document.

MATRIX says how to drive each route. A route it does not know fails every check, so a new route
must be added here; an entry for a route that is gone fails ``test_the_matrix_knows_every_route``.
"""
import csv
import io
import itertools
from datetime import date, timedelta

import pytest
import requests
import schemathesis

from gateway.openapi import PATH_PARAMETER, routes
from gateway.service import GatewayService
from services.chassis.actor import ROLES
from services.chassis.id_numbers import make_id_number

from . import (
    matrix_association,
    matrix_cards,
    matrix_care,
    matrix_hardship,
    matrix_health,
    matrix_ledger,
    matrix_recuperation,
    matrix_stops,
    matrix_volunteer,
)
from .conftest import ACCOUNTS, ready_account
from .matrix import NotApplicable, Route, assert_error, get, path_of, plain_get, tag
from .test_nomination_api import (
    HOUR,
    PASSED,
    RECOMMEND,
    SECOND,
    Clock,
    Flow,
    attachment,
    candidate,
    deeds_report,
    nomination_body,
    party_approval,
    timetable,
    vote,
    yesterday,
)

ROUTES = routes(GatewayService)
AREA = "110105"  # the ID numbers this module makes (朝阳), apart from the other e2e modules' numbers
_serial = itertools.count(1)
# every account of the `apis` fixture: name -> (unit, roles, personal-data right)
ALL_ACCOUNTS = dict(ACCOUNTS, admin=("bj", ["admin"], True))
HAIDIAN = ("haidian.officer", "haidian.reviewer", "haidian.auditor", "haidian.admin", "haidian.finance")
REASONS = "严重违反职业道德，经核实属实"
MATRIX_AREA = "110107"  # the ID numbers of this module's candidates (石景山)


def route_id(route):
    return f"{route[2].method} {route[2].url}"


def person(unit_id, name, **extra):
    """A valid new-honouree payload (NewHonoureeSchema) with an ID number no other test uses."""
    n = next(_serial)
    born = date(1955, 1, 1) + timedelta(days=n)
    data = {"name": name, "gender": "female", "ethnicity": "汉族", "birth_date": born.isoformat(),
            "id_number": make_id_number(AREA, born, n % 1000), "category": "worker",
            "managing_unit_id": unit_id, "employer": "北京第一机床厂", "front_line": True,
            "honours": [{"honour_type": "beijing_model_worker", "year": 2015}]}
    data.update(extra)
    return data


# --- the world the checks act in -------------------------------------------------------------

class World:
    """The suite, its accounts, and records made for the checks (朝阳's made once, up front)."""

    def __init__(self, suite, city_admin, apis):
        self.base = suite["base"]
        self.apis = apis
        self.admin = city_admin
        self.chaoyang = {}
        self._account_ids = {}
        self.clock = Clock(suite["var"] / "clock")
        self.flow = Flow(apis, self.clock)
        self._nominations = None
        self._lodged = 0  # objections lodged from this address in the clock's current hour

    # HTTP
    def token(self, username):
        return self.apis[username].token

    def call(self, who, method, path, **kwargs):
        """``who``: an account name of ``apis``, a raw token (``token:...``) or None (no token)."""
        headers = dict(kwargs.pop("headers", {}))
        if who is not None:
            token = who[len("token:"):] if who.startswith("token:") else self.token(who)
            headers["Authorization"] = f"Bearer {token}"
        response = requests.request(method, self.base + path, headers=headers, timeout=30, **kwargs)
        assert response.status_code < 500, f"{method} {path}: {response.status_code} {response.text}"
        return response

    def ok(self, who, method, path, status, **kwargs):
        response = self.call(who, method, "/api/v1" + path, **kwargs)
        assert response.status_code == status, f"{method} {path}: {response.status_code} {response.text}"
        return response.json() if response.content else None

    # records
    def honouree(self, who="haidian.officer", unit_id="bj-haidian", **extra):
        return self.ok(who, "POST", "/honourees", 201, json=person(unit_id, f"矩阵{tag()}", **extra))

    def change_report(self, honouree, who="haidian.officer"):
        return self.ok(who, "POST", f"/honourees/{honouree['id']}/change-reports", 201,
                       json={"kind": "serious_illness", "description": "重病住院治疗"})

    def transfer(self, honouree, to_unit_id, who="haidian.officer"):
        return self.ok(who, "POST", f"/honourees/{honouree['id']}/transfers", 201, json={
            "to_unit_id": to_unit_id, "reason": "工作调动", "management_mode": "by_unit"})

    def revocation(self, honouree, who="haidian.officer"):
        return self.ok(who, "POST", f"/honours/{honouree['honours'][0]['id']}/revocations", 201,
                       json={"reasons": REASONS})

    def new_account(self, creator="admin", unit_id="bj", roles=("officer",)):
        """A new account (its one-time password not yet changed): (account, one-time password)."""
        made = self.ok(creator, "POST", "/accounts", 201, json={
            "username": f"acc.{tag()}", "display_name": "矩阵测试账号", "unit_id": unit_id,
            "roles": list(roles)})
        return made["account"], made["one_time_password"]

    def ready(self, creator="admin", unit_id="bj", roles=("officer",)):
        """A new account, its password changed: (account, Api)."""
        account, password = self.new_account(creator, unit_id, roles)
        return account, ready_account(self.base, account["username"], password)

    # nomination: campaigns of the city in three states, and records of 海淀 and 朝阳 in them
    @property
    def nom(self):
        """Made on first use: an open campaign, one reviewing and one at its notices, with pools of
        海淀's nominations for the drivers that use one up; 朝阳's records for (c)."""
        if self._nominations is None:
            self._nominations = self._make_nominations()
        return self._nominations

    def _make_nominations(self):
        f = self.flow
        quotas = {"bj-haidian": 10, "bj-chaoyang": 5}
        opened = f.campaign(quotas)
        reviewing = f.campaign(quotas)
        on_notice = f.campaign(quotas)
        review_pool = [f.at_the_city(reviewing, area=MATRIX_AREA) for _ in range(4)]
        notice_pool = [f.at_the_city(on_notice, area=MATRIX_AREA) for _ in range(7)]
        chaoyang_at_city = f.at_the_city(on_notice, who="chaoyang.officer", area=MATRIX_AREA)
        f.move(reviewing, "reviewing")
        for nomination in review_pool[2:]:  # the second review's pool: past the preliminary one
            f.step("city.reviewer", nomination, "preliminary-review", PASSED)
        f.move(on_notice, "reviewing")
        for nomination in notice_pool + [chaoyang_at_city]:
            f.reviewed(nomination)
        f.move(on_notice, "notice")
        to_confer, to_notice, to_close, lodging = notice_pool[:2], notice_pool[2:4], notice_pool[4:6], notice_pool[6]
        f.through_notices(on_notice, to_confer, seconds=60)
        # a notice of 海淀 open long enough for the objections the drivers lodge, one of 朝阳 with one
        objected = f.open_notice(on_notice, "unit", "haidian.officer", [lodging], seconds=4 * HOUR)
        chaoyang_notice = f.open_notice(on_notice, "unit", "chaoyang.officer", [chaoyang_at_city],
                                        seconds=4 * HOUR)
        chaoyang_nomination = f.nominate(opened, "chaoyang.officer", area=MATRIX_AREA)
        chaoyang_cultivation = self.cultivation("chaoyang.officer")
        self.chaoyang.update({
            "nomination": chaoyang_nomination["id"], "notice": chaoyang_notice["id"],
            "objection": self.lodge(chaoyang_notice, chaoyang_at_city)["id"],
            "cultivation": chaoyang_cultivation["id"], "campaign": opened["id"],
        })
        return {"open": opened, "reviewing": reviewing, "notice": on_notice, "review_pool": review_pool,
                "to_confer": to_confer, "to_notice": to_notice, "to_close": to_close, "lodging": lodging,
                "objected": objected, "objection": self.lodge(objected, lodging)["id"]}

    def lodge(self, notice, nomination):
        response = self.lodge_response(notice, nomination)
        assert response.status_code == 201, response.text
        return response.json()

    def lodge_response(self, notice, nomination):
        """An objection, without a token; the address may lodge 5 an hour: the clock moves an hour on."""
        if self._lodged >= 5:
            self.clock.advance(HOUR + 60)
            self._lodged = 0
        self._lodged += 1
        response = self.call(None, "POST", f"/api/v1/public/notices/{notice['id']}/objections",
                             json={"nomination_id": nomination["id"], "grounds": "事迹与实际不符",
                                   "contact": "13900003333"})
        return response

    def cultivation(self, who="haidian.officer"):
        return self.ok(who, "POST", "/cultivations", 201, json=cultivation_body())

    def fresh_nomination(self, steps=()):
        """A nomination of 海淀 in the open campaign, through ``steps`` (their URL names)."""
        nomination = self.flow.nominate(self.nom["open"], area=MATRIX_AREA)
        bodies = {"deeds-report": deeds_report, "democratic-recommendation": vote,
                  "party-approval": party_approval}
        for step in steps:
            self.flow.step("haidian.officer", nomination, step, bodies[step]())
        return nomination

    def draft_campaign(self):
        return self.flow.campaign(state="draft")

    def account_id(self, username):
        if username not in self._account_ids:
            page = self.ok("admin", "GET", "/accounts", 200, params={"page_size": 200})
            self._account_ids.update({a["username"]: a["id"] for a in page["items"]})
        return self._account_ids[username]


@pytest.fixture(scope="module")
def world(suite, city_admin, apis):
    w = World(suite, city_admin, apis)
    # 朝阳's records, made by its officer: a honouree with an honour, a change report, a pending
    # transfer (to 东城, neither side 海淀), a pending revocation, and an account
    honouree = w.honouree("chaoyang.officer", "bj-chaoyang")
    moving = w.honouree("chaoyang.officer", "bj-chaoyang")
    w.chaoyang = {
        "honouree": honouree["id"], "honouree_name": honouree["name"],
        "honour": honouree["honours"][0]["id"],
        "change_report": w.change_report(honouree, "chaoyang.officer")["id"],
        "transfer": w.transfer(moving, "bj-dongcheng", "chaoyang.officer")["id"],
        "revocation": w.revocation(honouree, "chaoyang.officer")["id"],
        "account": w.new_account("admin", "bj-chaoyang")[0]["id"],
    }
    w.nom  # noqa: B018 - the nomination records (朝阳's among them), made up front
    yield w
    w.clock.restore()


# --- how to drive each route -----------------------------------------------------------------

# bodies valid for the routes that take one
CORRECTION = {"phone": "13900001111"}
HONOUR = {"honour_type": "capital_labour_medal", "year": 2020}
VERIFIED = {"outcome": "confirmed"}
CHANGE = {"kind": "serious_illness", "description": "重病住院治疗"}
TRANSFER = {"to_unit_id": "bj-dongcheng", "reason": "工作调动", "management_mode": "by_unit"}
REJECTION = {"reason": "接收单位不同意"}
CANCELLATION = {"reason": "本人不再调动"}
REVOCATION = {"reasons": REASONS}
DECISION = {"decision": "refuse", "reasons": "证据不足，不予撤销"}
CSV_HEADER = "id_number,name,gender,ethnicity,birth_date,category,managing_unit_id,honour_type,honour_year"


def csv_of(*people):
    rows = [CSV_HEADER] + [",".join([p["id_number"], p["name"], p["gender"], p["ethnicity"], p["birth_date"],
                                     p["category"], p["managing_unit_id"], "beijing_model_worker", "2016"])
                           for p in people]
    return ("\r\n".join(rows) + "\r\n").encode("utf-8")


def new_unit(parent_id):
    return {"id": f"unit-{tag()}", "name": f"矩阵基层工会{tag()}", "tier": "grassroots", "parent_id": parent_id}


def no_unit_below_chaoyang(w):
    refused = w.call("haidian.admin", "POST", "/api/v1/units", json=new_unit("bj-chaoyang"))
    assert assert_error(refused, 404, "not_found")["details"] == {"parent_id": "bj-chaoyang"}


# (d): the drivers that need records or accounts of their own

def drive_get_account(w):
    return w.call("haidian.admin", "GET", f"/api/v1/accounts/{w.account_id('haidian.officer')}")


def drive_update_account(w):
    account, _ = w.new_account("haidian.admin", "bj-haidian")
    return w.call("haidian.admin", "PATCH", f"/api/v1/accounts/{account['id']}",
                  json={"display_name": "改过的名字"})


def drive_account_audit(w):
    account, _ = w.new_account("haidian.admin", "bj-haidian")
    return w.call("haidian.admin", "GET", f"/api/v1/accounts/{account['id']}/audit")


def drive_reset_password(w):
    account, _ = w.new_account("haidian.admin", "bj-haidian")
    return w.call("haidian.admin", "POST", f"/api/v1/accounts/{account['id']}/password-reset")


def drive_create_account(w):
    return w.call("haidian.admin", "POST", "/api/v1/accounts", json={
        "username": f"acc.{tag()}", "display_name": "海淀新账号", "unit_id": "bj-haidian", "roles": ["auditor"]})


def drive_login(w):
    account, _ = w.ready()
    return w.call(None, "POST", "/api/v1/auth/login",
                  json={"username": account["username"], "password": "Sehr-geheim-2026"})


def drive_logout(w):
    _, api = w.ready()
    return w.call("token:" + api.token, "POST", "/api/v1/auth/logout")


def drive_change_password(w):
    account, password = w.new_account()
    token = w.ok(None, "POST", "/auth/login", 200,
                 json={"username": account["username"], "password": password})["access_token"]
    return w.call("token:" + token, "POST", "/api/v1/auth/password",
                  json={"current_password": password, "new_password": "Neues-Passwort-77"})


def drive_acknowledge(w):
    report = w.change_report(w.honouree())  # from 海淀, escalated one tier up: to the city
    assert report["escalated_to_unit_id"] == "bj"
    return w.call("city.officer", "POST", f"/api/v1/change-reports/{report['id']}/acknowledge")


def drive_register(w):
    return w.call("haidian.officer", "POST", "/api/v1/honourees", json=person("bj-haidian", f"矩阵{tag()}"))


def on_own_honouree(method, suffix, body=None, who="haidian.officer"):
    def drive(w):
        honouree = w.honouree()
        return w.call(who, method, f"/api/v1/honourees/{honouree['id']}{suffix}", json=body)
    return drive


def drive_honouree_audit(w):
    honouree = w.honouree()
    return w.call("haidian.auditor", "GET", f"/api/v1/honourees/{honouree['id']}/audit")


def drive_import(w):
    return w.call("haidian.officer", "POST", "/api/v1/honourees/import", params={"dry_run": "true"},
                  data=csv_of(person("bj-haidian", f"导入{tag()}")), headers={"Content-Type": "text/csv"})


def drive_request_revocation(w):
    honouree = w.honouree()
    return w.call("haidian.officer", "POST", f"/api/v1/honours/{honouree['honours'][0]['id']}/revocations",
                  json=REVOCATION)


def drive_get_revocation(w):
    revocation = w.revocation(w.honouree())
    return w.call("haidian.officer", "GET", f"/api/v1/revocations/{revocation['id']}")


def on_revocation_at_the_city(suffix, body):
    """海淀 asks; the request waits at the city (its parent), which is every honour type's deciding unit."""
    def drive(w):
        revocation = w.revocation(w.honouree())
        assert revocation["waiting_at_unit_id"] == revocation["deciding_unit_id"] == "bj"
        return w.call("city.reviewer", "POST", f"/api/v1/revocations/{revocation['id']}/{suffix}", json=body)
    return drive


def endorse_waits_for_the_decision(response):
    # The default tree is the city and its districts: a district's request waits at the city, which is
    # also the deciding unit, so there is no tier left to endorse it. No route makes a unit below a
    # district, so the most an endorsement can do here is pass the role and scope checks and meet the
    # state check: 409, naming the missing step.
    assert response.json()["details"] == {"waiting_at_unit_id": "bj", "missing_step": "decided"}


def on_transfer_to_chaoyang(suffix, body=None):
    """海淀 asks to hand its record to 朝阳; 朝阳, the side that did not ask, decides."""
    def drive(w):
        transfer = w.transfer(w.honouree(), "bj-chaoyang")
        assert transfer["deciding_unit_id"] == "bj-chaoyang"
        return w.call("chaoyang.officer", "POST", f"/api/v1/transfers/{transfer['id']}/{suffix}", json=body)
    return drive


def is_csv(response):
    assert response.headers["Content-Type"].startswith("text/csv")
    assert response.content.decode("utf-8").startswith("\ufeffid_number,name,")


def is_html(response):
    assert response.headers["Content-Type"].startswith("text/html")


def is_metrics(response):
    assert "laomo_http_requests_total" in response.text


# (c): checks of their own, for routes without a path id or with one that is not a scoped record

def units_are_shared(url):
    def check(w):
        # the union tree is the same for everyone signed in: 海淀 reads 朝阳's unit (it names it in a
        # transfer); units are not records held by a unit
        response = w.call("haidian.officer", "GET", path_of(url, "bj-chaoyang"))
        assert response.status_code == 200, response.text
    return check


def account_list_hides_chaoyang(w):
    page = w.ok("haidian.admin", "GET", "/accounts", 200, params={"page_size": 200})
    assert page["items"] and {a["unit_id"] for a in page["items"]} == {"bj-haidian"}
    assert w.chaoyang["account"] not in {a["id"] for a in page["items"]}
    filtered = w.ok("haidian.admin", "GET", "/accounts", 200, params={"unit_id": "bj-chaoyang"})
    assert filtered["total"] == 0 and filtered["items"] == []


def no_account_for_chaoyang(w):
    response = w.call("haidian.admin", "POST", "/api/v1/accounts", json={
        "username": f"acc.{tag()}", "display_name": "越权", "unit_id": "bj-chaoyang", "roles": ["officer"]})
    assert assert_error(response, 404, "not_found")["details"] == {"unit_id": "bj-chaoyang"}


def no_honouree_for_chaoyang(w):
    response = w.call("haidian.officer", "POST", "/api/v1/honourees", json=person("bj-chaoyang", f"越权{tag()}"))
    details = assert_error(response, 422, "invalid")["details"]
    assert details == {"managing_unit_id": ["outside the caller's scope"]}


def no_import_for_chaoyang(w):
    response = w.call("haidian.officer", "POST", "/api/v1/honourees/import", params={"dry_run": "true"},
                      data=csv_of(person("bj-chaoyang", f"越权{tag()}")), headers={"Content-Type": "text/csv"})
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["status"] == "invalid" and report["invalid"] == 1
    assert [e["row"] for e in report["errors"]] == [2]
    assert "managing_unit_id" in report["errors"][0]["errors"]


def search_hides_chaoyang(w):
    name = w.chaoyang["honouree_name"]
    assert w.ok("city.officer", "GET", "/honourees", 200, params={"name": name})["total"] == 1
    for who in ("haidian.officer", "haidian.auditor"):
        page = w.ok(who, "GET", "/honourees", 200, params={"name": name})
        assert page["total"] == 0 and page["items"] == []
    response = w.call("haidian.officer", "GET", "/api/v1/honourees", params={"unit_id": "bj-chaoyang"})
    assert "unit_id" in assert_error(response, 422, "invalid")["details"]


def export_hides_chaoyang(w):
    name = w.chaoyang["honouree_name"]
    assert name in w.call("city.officer", "GET", "/api/v1/honourees/export", params={"name": name}).text
    response = w.call("haidian.officer", "GET", "/api/v1/honourees/export", params={"name": name})
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[1:] == [] and name not in response.text


def statistics_hide_chaoyang(w):
    name = w.chaoyang["honouree_name"]
    assert w.ok("city.officer", "GET", "/statistics", 200, params={"name": name})["total"] == 1
    stats = w.ok("haidian.officer", "GET", "/statistics", 200, params={"name": name})
    assert stats["total"] == 0 and stats["unit_id"] == "bj-haidian"
    assert set(stats["by_district"]) == {"bj-haidian"}


def overdue_hides_chaoyang(w):
    ids = set()
    for page_number in itertools.count(1):
        page = w.ok("haidian.officer", "GET", "/verification/overdue", 200,
                    params={"page": page_number, "page_size": 200})
        ids |= {item["id"] for item in page["items"]}
        assert {item["managing_unit_id"] for item in page["items"]} <= {"bj-haidian"}
        if page_number >= page["pages"]:
            break
    assert w.chaoyang["honouree"] not in ids


def progress_hides_chaoyang(w):
    progress = w.ok("haidian.officer", "GET", "/verification/progress", 200)
    assert {unit["unit_id"] for unit in progress["units"]} <= {"bj-haidian"}


def todo_hides_chaoyang(w):
    # the change report and the revocation went to the city: 海淀's list never holds them
    subjects = {item["subject_id"] for item in
                w.ok("haidian.officer", "GET", "/todo", 200, params={"page_size": 200})["items"]}
    assert not subjects & {w.chaoyang["change_report"], w.chaoyang["revocation"], w.chaoyang["transfer"]}


def transfers_hide_chaoyang(w):
    page = w.ok("haidian.officer", "GET", "/transfers", 200, params={"page_size": 200})
    assert w.chaoyang["transfer"] not in {t["id"] for t in page["items"]}


def revocations_hide_chaoyang(w):
    for who in ("haidian.officer", "haidian.reviewer"):
        page = w.ok(who, "GET", "/revocations", 200, params={"honour_id": w.chaoyang["honour"]})
        assert page["total"] == 0


# --- nomination (评选与培育): drivers and (c) checks ----------------------------------------------

def cultivation_body(unit_id=None):
    data = {"year": date.today().year, "source": "chief_employee", "candidate": candidate(f"培养{tag()}", MATRIX_AREA),
            "note": "重点跟踪培养"}
    if unit_id:
        data["unit_id"] = unit_id
    return data


def promotion(w):
    return {"campaign_id": w.nom["open"]["id"], "deeds_summary": "技术革新成果显著。", "deeds": "事迹全文……"}


NOTE = {"note": "参加市级技能培训"}
WITHDRAWAL = {"reasons": "本人申请退出"}
DISMISSAL = {"outcome": "dismissed", "reasons": "经核实，事迹属实"}
CONFERRAL = {"decided_on": yesterday(), "document": "京政发〔2026〕1号"}
ATTACHMENTS = {"attachments": [attachment("补充材料.pdf")]}


def drive_create_campaign(w):
    from .test_nomination_api import _years
    while True:
        response = w.call("city.officer", "POST", "/api/v1/campaigns", json={
            "honour_type": "beijing_model_worker", "year": next(_years), "title": f"矩阵评选{tag()}",
            "total_quota": 5, "timetable": timetable(w.clock.today())})
        if response.status_code != 409:
            return response


def drive_update_campaign(w):
    campaign = w.draft_campaign()
    return w.call("city.officer", "PATCH", f"/api/v1/campaigns/{campaign['id']}",
                  json={"title": f"改过的标题{tag()}", "version": campaign["version"]})


def drive_transition(w):
    campaign = w.draft_campaign()
    return w.call("city.reviewer", "POST", f"/api/v1/campaigns/{campaign['id']}/state", json={"state": "open"})


def drive_allocate(w):
    campaign = w.draft_campaign()
    return w.call("city.officer", "POST", f"/api/v1/campaigns/{campaign['id']}/quotas",
                  json={"allocations": [{"unit_id": "bj-haidian", "quota": 3}]})


def on_campaign(who, suffix, state="open", **kwargs):
    return lambda w: w.call(who, "GET", f"/api/v1/campaigns/{w.nom[state]['id']}{suffix}", **kwargs)


def drive_nominate(w):
    return w.call("haidian.officer", "POST", f"/api/v1/campaigns/{w.nom['open']['id']}/nominations",
                  json=nomination_body(f"矩阵{tag()}", MATRIX_AREA))


def on_fresh_nomination(step, body, before=()):
    def drive(w):
        nomination = w.fresh_nomination(before)
        return w.call("haidian.officer", "POST", f"/api/v1/nominations/{nomination['id']}/{step}", json=body)
    return drive


def drive_get_nomination(w):
    return w.call("haidian.officer", "GET", f"/api/v1/nominations/{w.fresh_nomination()['id']}")


def drive_nomination_audit(w):
    return w.call("haidian.auditor", "GET", f"/api/v1/nominations/{w.fresh_nomination()['id']}/audit")


def from_pool(pool, step, body, end=0):
    """The city's reviewer acts on a nomination taken from one end of a pool (each call uses one up)."""
    def drive(w):
        nomination = w.nom[pool].pop(end)
        return w.call("city.reviewer", "POST", f"/api/v1/nominations/{nomination['id']}/{step}", json=body)
    return drive


def drive_open_notice(w):
    nomination = w.nom["to_notice"].pop()
    start = w.clock.now()
    return w.call("haidian.officer", "POST", f"/api/v1/campaigns/{w.nom['notice']['id']}/notices", json={
        "level": "unit", "title": "矩阵公示", "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=1)).isoformat(), "nomination_ids": [nomination["id"]]})


def drive_close_notice(w):
    nomination = w.nom["to_close"].pop()
    notice = w.flow.open_notice(w.nom["notice"], "unit", "haidian.officer", [nomination], seconds=60)
    w.clock.advance(61)
    return w.call("haidian.officer", "POST", f"/api/v1/notices/{notice['id']}/close")


def drive_lodge(w):
    return w.lodge_response(w.nom["objected"], w.nom["lodging"])


def drive_resolve(w):
    objection = w.lodge(w.nom["objected"], w.nom["lodging"])
    return w.call("haidian.reviewer", "POST", f"/api/v1/objections/{objection['id']}/resolve", json=DISMISSAL)


def on_fresh_cultivation(method, suffix, body=None):
    def drive(w):
        record = w.cultivation()
        return w.call("haidian.officer", method, f"/api/v1/cultivations/{record['id']}{suffix}",
                      json=body(w) if callable(body) else body)
    return drive


def campaigns_are_shared(url):
    def check(w):
        # a campaign is the city's programme: every account signed in reads it (its quotas are scoped)
        response = w.call("haidian.officer", "GET", path_of(url, w.nom["open"]["id"]))
        assert response.status_code == 200, response.text
    return check


def only_the_organiser(method, suffix, body, who="haidian.officer"):
    def check(w):
        # campaigns are shared: a district changing the city's campaign is refused for its unit (403)
        campaign = w.draft_campaign()
        response = w.call(who, method, f"/api/v1/campaigns/{campaign['id']}{suffix}", json=body(campaign))
        assert assert_error(response, 403, "forbidden")["details"] == {"organiser_unit_id": "bj"}
    return check


def quotas_hide_chaoyang(w):
    items = w.ok("haidian.officer", "GET", f"/campaigns/{w.nom['open']['id']}/quotas", 200)["items"]
    assert items and "bj-chaoyang" not in {q["unit_id"] for q in items}, items
    city = w.ok("city.officer", "GET", f"/campaigns/{w.nom['open']['id']}/quotas", 200)["items"]
    assert "bj-chaoyang" in {q["unit_id"] for q in city}, city


def no_quota_for_chaoyang(w):
    response = w.call("haidian.officer", "POST", f"/api/v1/campaigns/{w.nom['open']['id']}/quotas",
                      json={"allocations": [{"unit_id": "bj-chaoyang", "quota": 9}]})
    assert 400 <= response.status_code < 500 and response.status_code != 401, response.text
    assert_error(response, response.status_code)
    quotas = w.ok("city.officer", "GET", f"/campaigns/{w.nom['open']['id']}/quotas", 200)["items"]
    assert {q["quota"] for q in quotas if q["unit_id"] == "bj-chaoyang"} == {5}, quotas


def scoped_report(suffix):
    def check(w):
        response = w.call("haidian.officer", "GET", f"/api/v1/campaigns/{w.nom['open']['id']}/{suffix}",
                          params={"unit_id": "bj-chaoyang"})
        assert assert_error(response, 404, "not_found")["details"] == {"unit_id": "bj-chaoyang"}
    return check


def nominations_hide_chaoyang(w):
    page = w.ok("haidian.officer", "GET", f"/campaigns/{w.nom['open']['id']}/nominations", 200,
                params={"page_size": 200})
    assert w.chaoyang["nomination"] not in {n["id"] for n in page["items"]}
    assert {n["nominating_unit_id"] for n in page["items"]} <= {"bj-haidian"}
    city = w.ok("city.officer", "GET", f"/campaigns/{w.nom['open']['id']}/nominations", 200,
                params={"page_size": 200})
    assert w.chaoyang["nomination"] in {n["id"] for n in city["items"]}


def no_nomination_for_chaoyang(w):
    body = nomination_body(f"越权{tag()}", MATRIX_AREA, nominating_unit_id="bj-chaoyang")
    response = w.call("haidian.officer", "POST", f"/api/v1/campaigns/{w.nom['open']['id']}/nominations", json=body)
    assert "nominating_unit_id" in assert_error(response, 422, "invalid")["details"]


def notices_are_public(url, record):
    def check(w):
        # a notice is published for everyone: 海淀 reads 朝阳's
        record_id = w.nom["notice"]["id"] if record == "campaign" else w.chaoyang["notice"]
        response = w.call("haidian.officer", "GET", path_of(url, record_id))
        assert response.status_code == 200, response.text
        if record == "campaign":
            assert w.chaoyang["notice"] in {n["id"] for n in response.json()["items"]}
    return check


def no_notice_of_chaoyangs_candidate(w):
    start = w.clock.now()
    response = w.call("haidian.officer", "POST", f"/api/v1/campaigns/{w.nom['notice']['id']}/notices", json={
        "level": "second_tier", "title": "越权公示", "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=1)).isoformat(), "nomination_ids": [w.chaoyang["nomination"]]})
    assert w.chaoyang["nomination"] in assert_error(response, 422, "invalid")["details"]["nomination_ids"]


def only_the_publisher_closes(w):
    response = w.call("haidian.officer", "POST", f"/api/v1/notices/{w.chaoyang['notice']}/close")
    assert assert_error(response, 403, "forbidden")["details"] == {"unit_id": "bj-chaoyang"}


def objections_hide_chaoyang(w):
    page = w.ok("haidian.officer", "GET", "/objections", 200, params={"page_size": 200})
    ids = {o["id"] for o in page["items"]}
    assert w.chaoyang["objection"] not in ids and w.nom["objection"] in ids


def cultivations_hide_chaoyang(w):
    page = w.ok("haidian.officer", "GET", "/cultivations", 200, params={"page_size": 200})
    assert w.chaoyang["cultivation"] not in {c["id"] for c in page["items"]}
    assert {c["unit_id"] for c in page["items"]} <= {"bj-haidian"}


def no_cultivation_for_chaoyang(w):
    response = w.call("haidian.officer", "POST", "/api/v1/cultivations", json=cultivation_body("bj-chaoyang"))
    assert assert_error(response, 422, "invalid")["details"] == {"unit_id": ["outside the caller's scope"]}


MATRIX = {
    # accounts: admins, within their unit and below
    ("GET", "/api/v1/accounts"): Route(get("haidian.admin", "/accounts"), other=account_list_hides_chaoyang),
    ("POST", "/api/v1/accounts"): Route(drive_create_account, other=no_account_for_chaoyang),
    ("GET", "/api/v1/accounts/<string:account_id>"): Route(drive_get_account, other="account"),
    ("PATCH", "/api/v1/accounts/<string:account_id>"): Route(
        drive_update_account, other="account", body=lambda w: {"display_name": "越权改名"}),
    ("GET", "/api/v1/accounts/<string:account_id>/audit"): Route(drive_account_audit, other="account"),
    ("POST", "/api/v1/accounts/<string:account_id>/password-reset"): Route(drive_reset_password, other="account"),
    # logging in and out
    ("POST", "/api/v1/auth/login"): Route(drive_login, public=True),
    ("POST", "/api/v1/auth/logout"): Route(drive_logout, other=NotApplicable("ends the caller's own token")),
    ("GET", "/api/v1/auth/me"): Route(get("haidian.officer", "/auth/me"),
                                      other=NotApplicable("the caller's own account")),
    ("POST", "/api/v1/auth/password"): Route(drive_change_password,
                                             other=NotApplicable("the caller's own password")),
    # the union tree: shared by everyone signed in
    ("POST", "/api/v1/units"): Route(
        lambda w: w.call("haidian.admin", "POST", "/api/v1/units", json=new_unit("bj-haidian")),
        other=no_unit_below_chaoyang),
    ("GET", "/api/v1/units"): Route(get("haidian.officer", "/units"),
                                    other=NotApplicable("the union tree is the same for everyone")),
    ("GET", "/api/v1/units/<string:unit_id>"): Route(
        get("haidian.officer", "/units/bj-haidian"), other=units_are_shared("/api/v1/units/<string:unit_id>")),
    ("GET", "/api/v1/units/<string:unit_id>/children"): Route(
        get("haidian.officer", "/units/bj-haidian/children"),
        other=units_are_shared("/api/v1/units/<string:unit_id>/children")),
    ("GET", "/api/v1/units/<string:unit_id>/scope"): Route(
        get("haidian.officer", "/units/bj-haidian/scope"),
        other=units_are_shared("/api/v1/units/<string:unit_id>/scope")),
    # honourees and honours
    ("GET", "/api/v1/honourees"): Route(get("haidian.officer", "/honourees"), other=search_hides_chaoyang),
    ("POST", "/api/v1/honourees"): Route(drive_register, other=no_honouree_for_chaoyang),
    ("GET", "/api/v1/honourees/<string:honouree_id>"): Route(on_own_honouree("GET", ""), other="honouree"),
    ("PATCH", "/api/v1/honourees/<string:honouree_id>"): Route(
        on_own_honouree("PATCH", "", CORRECTION), other="honouree", body=lambda w: CORRECTION),
    ("GET", "/api/v1/honourees/<string:honouree_id>/audit"): Route(drive_honouree_audit, other="honouree"),
    ("POST", "/api/v1/honourees/<string:honouree_id>/honours"): Route(
        on_own_honouree("POST", "/honours", HONOUR), other="honouree", body=lambda w: HONOUR),
    ("GET", "/api/v1/honour-types"): Route(get("haidian.reviewer", "/honour-types"),
                                           other=NotApplicable("the catalogue is the same for everyone")),
    ("GET", "/api/v1/honourees/export"): Route(get("haidian.officer", "/honourees/export"), check=is_csv,
                                               other=export_hides_chaoyang),
    ("POST", "/api/v1/honourees/import"): Route(drive_import, other=no_import_for_chaoyang),
    ("GET", "/api/v1/statistics"): Route(get("haidian.reviewer", "/statistics"), other=statistics_hide_chaoyang),
    # verification, change reports, to-do lists
    ("POST", "/api/v1/honourees/<string:honouree_id>/verification"): Route(
        on_own_honouree("POST", "/verification", VERIFIED), other="honouree", body=lambda w: VERIFIED),
    ("GET", "/api/v1/verification/overdue"): Route(get("haidian.officer", "/verification/overdue"),
                                                   other=overdue_hides_chaoyang),
    ("GET", "/api/v1/verification/progress"): Route(get("haidian.officer", "/verification/progress"),
                                                    other=progress_hides_chaoyang),
    ("POST", "/api/v1/honourees/<string:honouree_id>/change-reports"): Route(
        on_own_honouree("POST", "/change-reports", CHANGE), other="honouree", body=lambda w: CHANGE),
    ("POST", "/api/v1/change-reports/<string:report_id>/acknowledge"): Route(drive_acknowledge,
                                                                           other="change_report"),
    ("GET", "/api/v1/todo"): Route(get("city.officer", "/todo"), other=todo_hides_chaoyang),
    # transfers
    ("POST", "/api/v1/honourees/<string:honouree_id>/transfers"): Route(
        on_own_honouree("POST", "/transfers", TRANSFER), other="honouree", body=lambda w: TRANSFER),
    ("POST", "/api/v1/transfers/<string:transfer_id>/accept"): Route(on_transfer_to_chaoyang("accept"),
                                                                   other="transfer"),
    ("POST", "/api/v1/transfers/<string:transfer_id>/reject"): Route(
        on_transfer_to_chaoyang("reject", REJECTION), other="transfer", body=lambda w: REJECTION),
    ("POST", "/api/v1/transfers/<string:transfer_id>/cancel"): Route(
        lambda w: w.call("haidian.officer", "POST",
                         f"/api/v1/transfers/{w.transfer(w.honouree(), 'bj-chaoyang')['id']}/cancel",
                         json=CANCELLATION),
        other="transfer", body=lambda w: CANCELLATION),
    ("GET", "/api/v1/transfers"): Route(get("haidian.officer", "/transfers"), other=transfers_hide_chaoyang),
    # revocation
    ("POST", "/api/v1/honours/<string:honour_id>/revocations"): Route(
        drive_request_revocation, other="honour", body=lambda w: REVOCATION),
    ("POST", "/api/v1/revocations/<string:revocation_id>/endorse"): Route(
        on_revocation_at_the_city("endorse", REVOCATION), expect=409, check=endorse_waits_for_the_decision,
        other="revocation", body=lambda w: REVOCATION),
    ("POST", "/api/v1/revocations/<string:revocation_id>/refuse"): Route(
        on_revocation_at_the_city("refuse", {"reasons": "材料不足"}), other="revocation",
        body=lambda w: REVOCATION),
    ("POST", "/api/v1/revocations/<string:revocation_id>/decide"): Route(
        on_revocation_at_the_city("decide", DECISION), other="revocation", body=lambda w: DECISION),
    ("GET", "/api/v1/revocations/<string:revocation_id>"): Route(drive_get_revocation, other="revocation"),
    ("GET", "/api/v1/revocations"): Route(get("haidian.officer", "/revocations"), other=revocations_hide_chaoyang),
    # nomination (评选与培育): campaigns, shared by everyone signed in
    ("GET", "/api/v1/campaigns"): Route(get("haidian.officer", "/campaigns"),
                                        other=NotApplicable("campaigns are the same for everyone")),
    ("POST", "/api/v1/campaigns"): Route(drive_create_campaign,
                                         other=NotApplicable("a campaign is organised by the caller's own unit")),
    ("GET", "/api/v1/campaigns/<string:campaign_id>"): Route(
        on_campaign("haidian.officer", ""), other=campaigns_are_shared("/api/v1/campaigns/<string:campaign_id>")),
    ("PATCH", "/api/v1/campaigns/<string:campaign_id>"): Route(
        drive_update_campaign, other=only_the_organiser("PATCH", "", lambda c: {"title": "越权改名"})),
    ("POST", "/api/v1/campaigns/<string:campaign_id>/state"): Route(
        drive_transition, other=only_the_organiser("POST", "/state", lambda c: {"state": "open"},
                                                   who="haidian.reviewer")),
    ("GET", "/api/v1/campaigns/<string:campaign_id>/quotas"): Route(
        on_campaign("haidian.officer", "/quotas"), other=quotas_hide_chaoyang),
    ("POST", "/api/v1/campaigns/<string:campaign_id>/quotas"): Route(drive_allocate, other=no_quota_for_chaoyang),
    ("GET", "/api/v1/campaigns/<string:campaign_id>/dashboard"): Route(
        on_campaign("haidian.officer", "/dashboard"), other=scoped_report("dashboard")),
    ("GET", "/api/v1/campaigns/<string:campaign_id>/structure-ratios"): Route(
        on_campaign("haidian.reviewer", "/structure-ratios", params={"basis": "live"}),
        other=scoped_report("structure-ratios")),
    # nominations and their steps, scoped by the unit
    ("GET", "/api/v1/campaigns/<string:campaign_id>/nominations"): Route(
        on_campaign("haidian.officer", "/nominations"), other=nominations_hide_chaoyang),
    ("POST", "/api/v1/campaigns/<string:campaign_id>/nominations"): Route(drive_nominate,
                                                                         other=no_nomination_for_chaoyang),
    ("GET", "/api/v1/nominations/<string:nomination_id>"): Route(drive_get_nomination, other="nomination"),
    ("POST", "/api/v1/nominations/<string:nomination_id>/attachments"): Route(
        on_fresh_nomination("attachments", ATTACHMENTS), other="nomination", body=lambda w: ATTACHMENTS),
    ("POST", "/api/v1/nominations/<string:nomination_id>/deeds-report"): Route(
        on_fresh_nomination("deeds-report", deeds_report()), other="nomination",
        body=lambda w: deeds_report()),
    ("POST", "/api/v1/nominations/<string:nomination_id>/democratic-recommendation"): Route(
        on_fresh_nomination("democratic-recommendation", vote(), ("deeds-report",)), other="nomination",
        body=lambda w: vote()),
    ("POST", "/api/v1/nominations/<string:nomination_id>/party-approval"): Route(
        on_fresh_nomination("party-approval", party_approval(), ("deeds-report", "democratic-recommendation")),
        other="nomination", body=lambda w: party_approval()),
    ("POST", "/api/v1/nominations/<string:nomination_id>/recommend"): Route(
        on_fresh_nomination("recommend", RECOMMEND, ("deeds-report", "democratic-recommendation", "party-approval")),
        other="nomination", body=lambda w: RECOMMEND),
    ("POST", "/api/v1/nominations/<string:nomination_id>/reject"): Route(
        on_fresh_nomination("reject", WITHDRAWAL, ("deeds-report", "democratic-recommendation", "party-approval")),
        other="nomination", body=lambda w: WITHDRAWAL),
    ("POST", "/api/v1/nominations/<string:nomination_id>/withdraw"): Route(
        on_fresh_nomination("withdraw", WITHDRAWAL), other="nomination", body=lambda w: WITHDRAWAL),
    ("POST", "/api/v1/nominations/<string:nomination_id>/preliminary-review"): Route(
        from_pool("review_pool", "preliminary-review", PASSED), other="nomination",
        body=lambda w: PASSED),
    ("POST", "/api/v1/nominations/<string:nomination_id>/second-review"): Route(
        from_pool("review_pool", "second-review", SECOND, end=-1), other="nomination", body=lambda w: SECOND),
    ("POST", "/api/v1/nominations/<string:nomination_id>/confer"): Route(
        from_pool("to_confer", "confer", CONFERRAL), other="nomination", body=lambda w: CONFERRAL),
    ("GET", "/api/v1/nominations/<string:nomination_id>/audit"): Route(drive_nomination_audit,
                                                                      other="nomination"),
    # public notices (公示) and objections
    ("GET", "/api/v1/campaigns/<string:campaign_id>/notices"): Route(
        on_campaign("haidian.officer", "/notices", state="notice"),
        other=notices_are_public("/api/v1/campaigns/<string:campaign_id>/notices", "campaign")),
    ("POST", "/api/v1/campaigns/<string:campaign_id>/notices"): Route(drive_open_notice,
                                                                     other=no_notice_of_chaoyangs_candidate),
    ("GET", "/api/v1/notices/<string:notice_id>"): Route(
        lambda w: w.call("city.auditor", "GET", f"/api/v1/notices/{w.nom['objected']['id']}"),
        other=notices_are_public("/api/v1/notices/<string:notice_id>", "notice")),
    ("POST", "/api/v1/notices/<string:notice_id>/close"): Route(drive_close_notice, other=only_the_publisher_closes),
    ("GET", "/api/v1/public/notices"): Route(plain_get("/api/v1/public/notices"), public=True),
    ("POST", "/api/v1/public/notices/<string:notice_id>/objections"): Route(drive_lodge, public=True),
    ("GET", "/api/v1/objections"): Route(get("haidian.officer", "/objections"), other=objections_hide_chaoyang),
    ("GET", "/api/v1/objections/<string:objection_id>"): Route(
        lambda w: w.call("haidian.officer", "GET", f"/api/v1/objections/{w.nom['objection']}"),
        other="objection"),
    ("POST", "/api/v1/objections/<string:objection_id>/resolve"): Route(
        drive_resolve, other="objection", body=lambda w: DISMISSAL),
    # cultivation (培育), scoped by the unit
    ("GET", "/api/v1/cultivations"): Route(get("haidian.officer", "/cultivations"), other=cultivations_hide_chaoyang),
    ("POST", "/api/v1/cultivations"): Route(lambda w: w.call("haidian.officer", "POST", "/api/v1/cultivations",
                                                             json=cultivation_body()), other=no_cultivation_for_chaoyang),
    ("GET", "/api/v1/cultivations/<string:cultivation_id>"): Route(on_fresh_cultivation("GET", ""),
                                                                    other="cultivation"),
    ("POST", "/api/v1/cultivations/<string:cultivation_id>/notes"): Route(
        on_fresh_cultivation("POST", "/notes", NOTE), other="cultivation", body=lambda w: NOTE),
    ("POST", "/api/v1/cultivations/<string:cultivation_id>/end"): Route(
        on_fresh_cultivation("POST", "/end", WITHDRAWAL), other="cultivation", body=lambda w: WITHDRAWAL),
    ("POST", "/api/v1/cultivations/<string:cultivation_id>/promote"): Route(
        on_fresh_cultivation("POST", "/promote", promotion), other="cultivation", body=promotion),
    # public: the API's description and operations
    ("GET", "/api/v1/openapi.json"): Route(plain_get("/api/v1/openapi.json"), public=True),
    ("GET", "/api/v1/docs"): Route(plain_get("/api/v1/docs"), check=is_html, public=True),
    ("GET", "/healthz"): Route(plain_get("/healthz"), public=True),
    ("GET", "/readyz"): Route(plain_get("/readyz"), public=True),
    ("GET", "/readyz/gateway"): Route(plain_get("/readyz/gateway"), public=True),
    ("GET", "/metrics"): Route(plain_get("/metrics"), check=is_metrics, public=True),
}
for part in (matrix_ledger, matrix_care, matrix_hardship, matrix_recuperation, matrix_health, matrix_cards,
             matrix_stops, matrix_association, matrix_volunteer):
    assert not set(part.MATRIX) & set(MATRIX), f"{part.__name__} drives routes another part drives"
    MATRIX.update(part.MATRIX)


def entry(route):
    """The matrix's entry for the route; a route it does not know fails here: add it to MATRIX."""
    _, _, endpoint = route
    key = (endpoint.method, endpoint.url)
    assert key in MATRIX, f"the access matrix does not know {key}: add it to MATRIX in {__file__}"
    case = MATRIX[key]
    assert case.public == (endpoint.roles is None), (
        f"{key} is {'public' if endpoint.roles is None else 'for ' + ', '.join(endpoint.roles)}, "
        f"but the matrix says {'public' if case.public else 'signed in'}")
    return endpoint, case


def outsider(roles):
    """An account of `apis` holding none of ``roles``; None when every one holds one."""
    return next((name for name, (_, held, _) in ALL_ACCOUNTS.items() if not set(held) & set(roles)), None)


def insider_of_haidian(roles):
    """A 海淀 account holding one of ``roles``."""
    return next(name for name in HAIDIAN if set(ALL_ACCOUNTS[name][1]) & set(roles))


by_route = pytest.mark.parametrize("route", ROUTES, ids=[route_id(r) for r in ROUTES])


def test_the_matrix_knows_every_route():
    known = {(endpoint.method, endpoint.url) for _, _, endpoint in ROUTES}
    assert sorted(set(MATRIX) - known) == [], "entries for routes that are gone"
    assert sorted(known - set(MATRIX)) == [], "routes the matrix cannot drive"


@by_route
def test_without_a_token(route, suite, world):
    endpoint, case = entry(route)
    if case.public:
        response = case.drive(world)  # the public routes are driven without a token
        assert 200 <= response.status_code < 300, response.text
        return
    response = requests.request(endpoint.method, suite["base"] + path_of(endpoint.url), timeout=30)
    body = assert_error(response, 401, "unauthenticated")
    assert body["details"] == {"token": ["missing"]}
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    malformed = requests.request(endpoint.method, suite["base"] + path_of(endpoint.url), timeout=30,
                                 headers={"Authorization": "Basic YWRtaW46YWRtaW4="})
    assert assert_error(malformed, 401, "unauthenticated")["details"] == {"token": ["malformed"]}


@by_route
def test_without_an_allowed_role(route, world):
    endpoint, case = entry(route)
    if case.public:
        assert endpoint.roles is None  # nobody is turned away from a public route
        return
    who = outsider(endpoint.roles)
    if who is None:
        # every role may use it: no account can be turned away for its role
        assert set(endpoint.roles) == set(ROLES)
        return
    response = world.call(who, endpoint.method, path_of(endpoint.url))
    body = assert_error(response, 403, "forbidden")
    assert body["details"]["required_roles"] == sorted(endpoint.roles)
    assert body["details"]["your_roles"] == ALL_ACCOUNTS[who][1]


@by_route
def test_another_districts_record(route, world):
    endpoint, case = entry(route)
    if case.public:
        assert case.other is None  # public routes hold no records
        return
    if isinstance(case.other, NotApplicable):
        assert case.other.reason and not PATH_PARAMETER.search(endpoint.url)
        return
    if callable(case.other):
        case.other(world)
        return
    assert PATH_PARAMETER.search(endpoint.url), f"{endpoint.url} names no record"
    who = insider_of_haidian(endpoint.roles)
    record_id = world.chaoyang[case.other]
    body = case.body(world) if case.body else None
    response = world.call(who, endpoint.method, path_of(endpoint.url, record_id), json=body)
    hidden = assert_error(response, 404, "not_found")
    assert record_id in hidden["details"].values(), hidden
    # as if absent: the answer for an id that exists nowhere reads the same
    absent = assert_error(world.call(who, endpoint.method, path_of(endpoint.url, "no-such-record"), json=body),
                          404, "not_found")
    assert hidden["message"].replace(record_id, "?") == absent["message"].replace("no-such-record", "?")


@by_route
def test_in_its_own_scope(route, world):
    endpoint, case = entry(route)
    response = case.drive(world)
    expected = case.expect or endpoint.status
    assert response.status_code == expected, f"{response.status_code}: {response.text}"
    if expected == 204:
        assert response.content == b""
    elif case.check is None:
        assert response.headers["Content-Type"].startswith("application/json")
        assert isinstance(response.json(), dict)
    if case.check is not None:
        case.check(response)



@pytest.fixture(scope="module")
def served_document(suite):
    return schemathesis.openapi.from_url(f"{suite['base']}/api/v1/openapi.json")


@by_route
def test_its_answer_keeps_to_the_document(route, world, served_document):
    """(d) again: the answer has the status, media type and shape the served OpenAPI document gives it."""
    name, _, endpoint = route
    _, case = entry(route)
    response = case.drive(world)
    assert response.status_code == (case.expect or endpoint.status), f"{response.status_code}: {response.text}"
    served_document.find_operation_by_id(name).validate_response(response)
