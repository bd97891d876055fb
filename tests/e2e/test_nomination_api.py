"""The nomination service over HTTP (劳模评选): from a district's nomination to the honour in the registry.

The whole path is driven through the gateway only: a campaign, quotas, a nomination, the unit's
steps (deeds report, vote, party approval), the recommendation to the city, both reviews, the three
public notices (their windows passed by moving laomo's clock, never by waiting), conferral, and the
registry's record of the honour. Then every refusal: a skipped step, a notice closed early, an
unresolved objection, a quota used up, a failed vote, the public's view of a notice, objections
without a token and their rate limit.

The default tree has no grassroots units, so districts nominate (organisational channel).
"""
import hashlib
import itertools
import os
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from services.chassis.id_numbers import make_id_number
from services.chassis.testing import wait_for

AREA = "110106"  # the ID numbers this module makes (丰台), apart from the other e2e modules' numbers
_serial = itertools.count(1)
_years = (2100 - n for n in itertools.count())  # campaigns: one per honour type and year; from 2100 down
HOUR = 3600


# --- laomo's clock, moved forward only (tokens live 8 hours: keep the moves small) -----------------

class Clock:
    """The suite's FileClock file: seconds added to real time. Moves forward; ``restore`` puts it back."""

    def __init__(self, path):
        self.path = Path(path)
        self.saved = self.path.read_text(encoding="utf-8") if self.path.exists() else None
        try:
            self.offset = float(self.saved) if self.saved is not None else 0.0
        except ValueError:  # an instant: not what these tests expect
            raise AssertionError(f"the clock file holds {self.saved!r}, not an offset") from None
        self._stamp = 0

    def now(self):
        return datetime.now(UTC) + timedelta(seconds=self.offset)

    def today(self):
        return (self.now() + timedelta(hours=8)).date()

    def advance(self, seconds):
        self.offset += seconds
        self._write(repr(self.offset))

    def restore(self):
        if self.saved is None:
            self.path.unlink(missing_ok=True)
        else:
            self._write(self.saved)

    def _write(self, text):
        """Atomically, with a modification time of its own (the services re-read on a new one)."""
        temporary = self.path.with_name(f".{self.path.name}.{uuid.uuid4().hex}")
        temporary.write_text(text, encoding="utf-8")
        self._stamp = max(time.time_ns(), self._stamp + 1_000_000)
        os.utime(temporary, ns=(self._stamp, self._stamp))
        os.replace(temporary, self.path)


# --- inputs ----------------------------------------------------------------------------------------

def candidate(name, area=AREA, **extra):
    n = next(_serial)
    born = date(1975, 1, 1) + timedelta(days=n * 7)
    data = {"name": name, "gender": "male", "ethnicity": "汉族", "birth_date": born.isoformat(),
            "id_number": make_id_number(area, born, n % 1000), "category": "worker", "front_line": True,
            "employer": "北京城建集团", "position": "钢筋工", "phone": "13811112222", "address": "北京市丰台区某路2号"}
    data.update(extra)
    return data


def attachment(name="事迹材料.pdf"):
    content = uuid.uuid4().bytes
    return {"name": name, "size": len(content), "sha256": hashlib.sha256(content).hexdigest(),
            "content_type": "application/pdf"}


def nomination_body(name, area=AREA, **extra):
    return dict({"channel": "organisational", "candidate": candidate(name, area),
                 "deeds_summary": "扎根一线二十年，带出一支过硬班组。", "deeds": "该同志长期在施工一线……（事迹全文）",
                 "attachments": [attachment()]}, **extra)


def timetable(today):
    day = timedelta(days=1)
    return {"open": {"start": (today - 30 * day).isoformat(), "end": (today + 30 * day).isoformat()},
            "reviewing": {"start": (today + 31 * day).isoformat(), "end": (today + 60 * day).isoformat()},
            "notice": {"start": (today + 61 * day).isoformat(), "end": (today + 90 * day).isoformat()},
            "conferral_on": (today + 100 * day).isoformat()}


def yesterday():
    return (date.today() - timedelta(days=1)).isoformat()


def deeds_report():
    return {"reported_on": yesterday(), "audience_size": 80, "minutes": "事迹报告会记录……"}


def vote(participants=60, votes_for=50, votes_against=5, votes_abstain=5):
    return {"held_on": yesterday(), "meeting": "workers_representatives_congress", "participants": participants,
            "votes_for": votes_for, "votes_against": votes_against, "votes_abstain": votes_abstain}


def party_approval(committee="中共北京市海淀区总工会委员会"):
    return {"committee": committee, "approved_on": yesterday(), "document": "海工党〔2026〕1号"}


PASSED = {"outcome": "passed", "findings": "基本情况属实"}
SECOND = {"outcome": "passed", "findings": "事迹材料翔实"}
RECOMMEND = {"opinion": "同意推荐"}


# --- the procedure over HTTP -------------------------------------------------------------------------

class Flow:
    """The procedure's steps over HTTP, as the accounts of ``apis``; asserts each status."""

    def __init__(self, apis, clock):
        self.apis, self.clock = apis, clock

    def ok(self, who, method, path, status=200, **kwargs):
        response = self.apis[who].request(method, path, **kwargs)
        assert response.status_code == status, f"{method} {path} as {who}: {response.status_code} {response.text}"
        return response.json() if response.content else None

    def call(self, who, method, path, **kwargs):
        return self.apis[who].request(method, path, **kwargs)

    def campaign(self, quotas=None, total_quota=20, state="open"):
        """A campaign of the city (its officer creates it, its reviewer moves it), with quotas for districts."""
        while True:
            response = self.call("city.officer", "POST", "/campaigns", json={
                "honour_type": "beijing_model_worker", "year": next(_years),
                "title": f"北京市劳动模范评选{uuid.uuid4().hex[:6]}", "total_quota": total_quota,
                "timetable": timetable(self.clock.today()), "targets": {"front_line_min": 10}})
            if response.status_code != 409:  # that year's campaign exists (another module's): the next
                break
        assert response.status_code == 201, response.text
        campaign = response.json()
        allocations = [{"unit_id": u, "quota": q} for u, q in
                       (quotas or {"bj-haidian": 5, "bj-chaoyang": 5}).items()]
        self.ok("city.officer", "POST", f"/campaigns/{campaign['id']}/quotas", json={"allocations": allocations})
        if state != "draft":
            campaign = self.move(campaign, "open")
        return campaign

    def move(self, campaign, state, status=200):
        return self.ok("city.reviewer", "POST", f"/campaigns/{campaign['id']}/state", status, json={"state": state})

    def nominate(self, campaign, who="haidian.officer", name=None, area=AREA):
        return self.ok(who, "POST", f"/campaigns/{campaign['id']}/nominations", 201,
                       json=nomination_body(name or f"候选{uuid.uuid4().hex[:4]}", area))

    def step(self, who, nomination, step, body, status=200):
        return self.ok(who, "POST", f"/nominations/{nomination['id']}/{step}", status, json=body)

    def through_unit(self, nomination, who="haidian.officer"):
        self.step(who, nomination, "deeds-report", deeds_report())
        self.step(who, nomination, "democratic-recommendation", vote())
        return self.step(who, nomination, "party-approval", party_approval())

    def at_the_city(self, campaign, who="haidian.officer", area=AREA, name=None):
        nomination = self.nominate(campaign, who, name, area)
        self.through_unit(nomination, who)
        reached = self.step(who, nomination, "recommend", RECOMMEND)
        assert reached["current_unit_id"] == "bj", reached
        return reached

    def reviewed(self, nomination):
        review = self.step("city.reviewer", nomination, "preliminary-review", PASSED)
        assert review["nomination"]["id"] == nomination["id"]
        return self.step("city.reviewer", nomination, "second-review", SECOND)

    def open_notice(self, campaign, level, who, nominations, seconds=HOUR, status=201):
        start = self.clock.now()
        return self.ok(who, "POST", f"/campaigns/{campaign['id']}/notices", status, json={
            "level": level, "title": f"{level} 公示", "starts_at": start.isoformat(),
            "ends_at": (start + timedelta(seconds=seconds)).isoformat(),
            "nomination_ids": [n["id"] for n in nominations]})

    def through_notices(self, campaign, nominations, district="haidian.officer", seconds=120):
        """The unit, district and city-wide notices, each closed once its window has passed (by the clock)."""
        for level, who in (("unit", district), ("second_tier", district), ("city", "city.officer")):
            notice = self.open_notice(campaign, level, who, nominations, seconds)
            self.clock.advance(seconds + 1)
            closed = self.ok(who, "POST", f"/notices/{notice['id']}/close")
            assert closed["status"] == "closed", closed


@pytest.fixture(scope="module")
def clock(suite):
    clock = Clock(suite["var"] / "clock")
    yield clock
    clock.restore()


@pytest.fixture(scope="module")
def flow(apis, clock):
    return Flow(apis, clock)


def missing_step(response, status=409):
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error", "message", "details"}, body
    return body["details"].get("missing_step"), body


# --- the whole path ----------------------------------------------------------------------------------

def test_from_a_district_nomination_to_the_honour_in_the_registry(flow, apis, clock):
    campaign = flow.campaign()
    name = f"劳模{uuid.uuid4().hex[:6]}"
    nomination = flow.nominate(campaign, name=name)
    assert nomination["nominating_unit_id"] == "bj-haidian" and nomination["status"] == "in_progress"
    flow.through_unit(nomination)
    at_city = flow.step("haidian.officer", nomination, "recommend", RECOMMEND)
    assert at_city["current_unit_id"] == "bj"
    quotas = flow.ok("haidian.officer", "GET", f"/campaigns/{campaign['id']}/quotas")["items"]
    assert any(q["unit_id"] == "bj-haidian" and q["used"] == 1 for q in quotas), quotas

    flow.move(campaign, "reviewing")
    flow.reviewed(nomination)
    flow.move(campaign, "notice")
    flow.through_notices(campaign, [nomination])

    conferred = flow.step("city.reviewer", nomination, "confer", {"decided_on": yesterday(),
                                                                   "document": "京政发〔2026〕1号"})
    assert conferred["status"] == "conferred", conferred
    assert [s["step"] for s in conferred["steps"]][-1] == "conferral"

    # the registry enters the honour from the nomination_conferred event: seen over HTTP
    def entered():
        page = flow.ok("city.officer", "GET", "/honourees", params={"name": name})
        return page if page["total"] else None

    page = wait_for(entered, timeout=30, interval=0.2, message="the honour in the registry")
    assert page["total"] == 1, page
    honouree = flow.ok("city.officer", "GET", f"/honourees/{page['items'][0]['id']}")
    assert honouree["managing_unit_id"] == "bj-haidian"
    assert [(h["honour_type"], h["year"]) for h in honouree["honours"]] == [("beijing_model_worker",
                                                                               campaign["year"])]
    assert honouree["honours"][0]["nomination_id"] == nomination["id"]

    audit = flow.ok("city.auditor", "GET", f"/nominations/{nomination['id']}/audit")["items"]
    assert audit, audit
    flow.move(campaign, "closed")


# --- refusals ----------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def open_campaign(flow):
    return flow.campaign(quotas={"bj-haidian": 2, "bj-chaoyang": 2})


def test_a_skipped_step_is_refused_naming_it(flow, open_campaign):
    nomination = flow.nominate(open_campaign)
    step, body = missing_step(flow.call("haidian.officer", "POST", f"/nominations/{nomination['id']}/recommend",
                                        json=RECOMMEND))
    assert step == "deeds_report", body
    flow.step("haidian.officer", nomination, "deeds-report", deeds_report())
    step, body = missing_step(flow.call("haidian.officer", "POST",
                                        f"/nominations/{nomination['id']}/party-approval", json=party_approval()))
    assert step == "democratic_recommendation", body


def test_a_failed_vote_ends_the_nomination(flow, open_campaign):
    nomination = flow.nominate(open_campaign)
    flow.step("haidian.officer", nomination, "deeds-report", deeds_report())
    failed = flow.step("haidian.officer", nomination, "democratic-recommendation",
                       vote(participants=60, votes_for=30, votes_against=20, votes_abstain=10))
    assert failed["status"] == "not_recommended", failed
    assert failed["steps"][-1]["step"] == "democratic_recommendation", failed["steps"][-1]
    assert failed["steps"][-1]["outcome"] == "failed", failed["steps"][-1]
    response = flow.call("haidian.officer", "POST", f"/nominations/{nomination['id']}/party-approval",
                         json=party_approval())
    assert response.status_code == 409, response.text


def test_a_used_up_quota_is_refused(flow, open_campaign):
    # 朝阳 holds 2: two alive at the city, the third refused
    for _ in range(2):
        flow.at_the_city(open_campaign, who="chaoyang.officer")
    third = flow.nominate(open_campaign, who="chaoyang.officer")
    flow.through_unit(third, who="chaoyang.officer")
    response = flow.call("chaoyang.officer", "POST", f"/nominations/{third['id']}/recommend", json=RECOMMEND)
    assert response.status_code == 409, response.text
    details = response.json()["details"]
    assert details["unit_id"] == "bj-chaoyang" and details["quota"] == 2 and details["used"] == 2, details


@pytest.fixture(scope="module")
def on_notice(flow):
    """A campaign at its notices with two nominations of 海淀 past both reviews."""
    campaign = flow.campaign()
    nominations = [flow.at_the_city(campaign) for _ in range(2)]
    flow.move(campaign, "reviewing")
    for nomination in nominations:
        flow.reviewed(nomination)
    flow.move(campaign, "notice")
    return campaign, nominations


def test_a_notice_closes_only_after_its_window(flow, on_notice):
    campaign, (nomination, _) = on_notice
    notice = flow.open_notice(campaign, "unit", "haidian.officer", [nomination], seconds=600)
    step, body = missing_step(flow.call("haidian.officer", "POST", f"/notices/{notice['id']}/close"))
    assert step == "window_end", body
    # conferral before the notices passed: refused, naming the step waited for
    step, body = missing_step(flow.call("city.reviewer", "POST", f"/nominations/{nomination['id']}/confer",
                                        json={"decided_on": yesterday()}))
    assert step == "unit_notice", body
    flow.clock.advance(601)
    assert flow.ok("haidian.officer", "POST", f"/notices/{notice['id']}/close")["status"] == "closed"


def test_the_public_sees_no_personal_data_and_objects_without_a_token(flow, on_notice, suite):
    campaign, (_, nomination) = on_notice
    public = type(flow.apis["admin"])(suite["base"])  # an Api without a token
    notice = flow.open_notice(campaign, "unit", "haidian.officer", [nomination], seconds=3 * HOUR)
    page = public.get("/public/notices", params={"campaign_id": campaign["id"]})
    assert page.status_code == 200, page.text
    listed = next(n for n in page.json()["items"] if n["id"] == notice["id"])
    assert [c["nomination_id"] for c in listed["candidates"]] == [nomination["id"]], listed
    assert set(listed["candidates"][0]) == {"nomination_id", "name", "unit", "deeds_summary"}
    full = flow.ok("city.officer", "GET", f"/nominations/{nomination['id']}")  # with the personal-data right
    for secret in (full["candidate"]["id_number"], full["candidate"]["phone"], full["candidate"]["address"]):
        assert secret and secret not in page.text
    assert "id_number" not in page.text and "phone" not in page.text and "contact" not in page.text

    # a fresh hour for this address's rate limit (5 an hour), with the window still open
    flow.clock.advance(2 * HOUR)
    lodged = public.post(f"/public/notices/{notice['id']}/objections",
                         json={"nomination_id": nomination["id"], "grounds": "事迹与实际不符", "contact": "13900002222"})
    assert lodged.status_code == 201, lodged.text
    receipt = lodged.json()
    assert receipt["status"] == "open" and "13900002222" not in lodged.text

    # past the window, the unresolved objection keeps the notice open
    flow.clock.advance(HOUR + 1)
    step, body = missing_step(flow.call("haidian.officer", "POST", f"/notices/{notice['id']}/close"))
    assert step == "objection_resolution" and body["details"]["open_objections"] == [receipt["id"]], body
    objection = flow.ok("haidian.officer", "GET", f"/objections/{receipt['id']}")
    assert objection["contact"] != "13900002222"  # 海淀's officer holds no personal-data right
    resolved = flow.ok("haidian.reviewer", "POST", f"/objections/{receipt['id']}/resolve",
                       json={"outcome": "dismissed", "reasons": "经核实，事迹属实"})
    assert resolved["status"] == "dismissed"
    assert flow.ok("haidian.officer", "POST", f"/notices/{notice['id']}/close")["status"] == "closed"


def test_objections_from_one_address_are_rate_limited(flow, suite):
    campaign = flow.campaign()
    nomination = flow.at_the_city(campaign)
    flow.move(campaign, "reviewing")
    flow.reviewed(nomination)
    flow.move(campaign, "notice")
    notice = flow.open_notice(campaign, "unit", "haidian.officer", [nomination], seconds=2 * HOUR)
    public = type(flow.apis["admin"])(suite["base"])
    flow.clock.advance(HOUR + 60)  # a fresh hour for this address
    path = f"/public/notices/{notice['id']}/objections"
    for n in range(5):
        response = public.post(path, json={"nomination_id": nomination["id"], "grounds": f"异议{n}"})
        assert response.status_code == 201, response.text
    limited = public.post(path, json={"nomination_id": nomination["id"], "grounds": "第六条异议"})
    assert limited.status_code == 429, limited.text
    assert set(limited.json()) == {"error", "message", "details"}
    assert int(limited.headers["Retry-After"]) >= 1
    # an unknown candidate is not on the notice (before any rate limit)
    unknown = public.post(path, json={"nomination_id": "no-such-nomination", "grounds": "异议"})
    assert unknown.status_code == 404, unknown.text
