"""The three public notices and the objections lodged during them."""
import json
from datetime import timedelta

import pytest
from sqlalchemy import text

from services.chassis.errors import (
    Conflict,
    Forbidden,
    Invalid,
    NotFound,
    TooManyRequests,
)

from .flows import (
    BANK,
    CHAOYANG,
    CITY,
    HAIDIAN,
    actor,
    at_the_city,
    notice_data,
    open_campaign,
    person,
    reviewed,
    through_notice,
)

ADDRESS = "203.0.113.7"
GROUNDS = {"grounds": "该候选人事迹有夸大之处，请核实。", "contact": "13911112222"}


@pytest.fixture
def slate(nomination):
    """A campaign in notice with two nominations from the bank, both due for the unit notice."""
    campaign = open_campaign(nomination)
    first = at_the_city(nomination, campaign, candidate=person(name="李秀英"))
    second = at_the_city(nomination, campaign, candidate=person(name="张建华"))
    nomination.transition_campaign(CITY, campaign["id"], "reviewing")
    for nominated in (first, second):
        reviewed(nomination, nominated)
    nomination.transition_campaign(CITY, campaign["id"], "notice")
    return campaign, [first["id"], second["id"]]


@pytest.fixture
def notice(nomination, slate, clock):
    campaign, ids = slate
    return nomination.open_notice(BANK, campaign["id"], notice_data("unit", ids, clock, days=5, title="海淀银行公示"))


def lodge(nomination, notice, nomination_id, address=ADDRESS, **data):
    return nomination.lodge_objection(notice["id"], nomination_id, dict(GROUNDS, **data), address)


# --- opening and closing ------------------------------------------------------------------------

def test_a_notice_lists_its_candidates_and_puts_them_on_notice(nomination, slate, notice, clock):
    campaign, ids = slate
    assert notice["level"] == "unit" and notice["status"] == "open" and notice["unit_id"] == "hd-bank"
    assert notice["unit_name"] == "海淀银行工会"
    assert notice["entries"] == [{"nomination_id": i, "status": "listed"} for i in ids]
    nominated = nomination.get_nomination(BANK, ids[0])
    assert nominated["notice_id"] == notice["id"] and nominated["stage"] == "unit_notice"
    assert nominated["steps"][-1]["step"] == "unit_notice_opened"
    assert nomination.list_notices(HAIDIAN, campaign["id"], {"status": "open"})["total"] == 1


def test_notices_come_in_order_and_a_candidate_is_on_one_at_a_time(nomination, slate, notice, clock):
    campaign, ids = slate
    with pytest.raises(Conflict) as raised:
        nomination.open_notice(HAIDIAN, campaign["id"], notice_data("second_tier", ids[:1], clock))
    assert raised.value.details == {"step": "second_tier_notice", "stage": "unit_notice",
                                    "missing_step": "unit_notice", "nomination_id": ids[0]}
    with pytest.raises(Conflict):
        nomination.open_notice(BANK, campaign["id"], notice_data("unit", ids[:1], clock))


def test_the_city_wide_notice_is_the_organisers_and_notices_need_the_notice_state(nomination, slate, clock):
    campaign, ids = slate
    with pytest.raises(Forbidden):
        nomination.open_notice(HAIDIAN, campaign["id"], notice_data("city", ids, clock))
    with pytest.raises(Invalid) as raised:  # another district cannot list them: it does not see them
        nomination.open_notice(CHAOYANG, campaign["id"], notice_data("unit", ids, clock))
    assert set(raised.value.details["nomination_ids"]) == set(ids)
    with pytest.raises(Invalid):
        nomination.open_notice(BANK, campaign["id"], dict(notice_data("unit", ids, clock),
                                                          ends_at=(clock.now() - timedelta(days=1)).isoformat(),
                                                          starts_at=(clock.now() - timedelta(days=3)).isoformat()))
    other = open_campaign(nomination, year=2026)
    with pytest.raises(Conflict) as raised:
        nomination.open_notice(CITY, other["id"], notice_data("city", ids, clock))
    assert raised.value.details == {"state": "open", "expected_state": ["notice"]}


def test_a_notice_cannot_close_before_its_end_by_the_clock(nomination, notice, clock):
    clock.advance(days=5, seconds=-1)
    with pytest.raises(Conflict) as raised:
        nomination.close_notice(BANK, notice["id"])
    assert raised.value.details == {"ends_at": notice["ends_at"], "now": clock.now().isoformat(),
                                    "missing_step": "window_end"}
    clock.advance(seconds=1)
    assert nomination.close_notice(BANK, notice["id"])["status"] == "closed"


def test_closing_moves_every_listed_candidate_on(nomination, slate, notice, clock):
    _, ids = slate
    clock.advance(days=5)
    with pytest.raises(Forbidden):
        nomination.close_notice(HAIDIAN, notice["id"])
    closed = nomination.close_notice(BANK, notice["id"])
    assert closed["entries"] == [{"nomination_id": i, "status": "passed"} for i in ids]
    nominated = nomination.get_nomination(BANK, ids[0])
    assert (nominated["stage"], nominated["notice_id"]) == ("second_tier_notice", None)
    assert nominated["steps"][-1]["step"] == "unit_notice"
    assert nominated["steps"][-1]["evidence"]["notice_id"] == notice["id"]
    with pytest.raises(Conflict):
        nomination.close_notice(BANK, notice["id"])


def test_after_all_three_notices_the_candidate_waits_for_conferral(nomination, slate, clock):
    campaign, ids = slate
    for level, by in (("unit", BANK), ("second_tier", HAIDIAN), ("city", CITY)):
        through_notice(nomination, clock, level, by, ids)
    assert {nomination.get_nomination(CITY, i)["stage"] for i in ids} == {"conferral"}


# --- objections ---------------------------------------------------------------------------------

def test_anyone_lodges_an_objection_during_the_window_and_gets_a_receipt(nomination, slate, notice):
    _, ids = slate
    receipt = lodge(nomination, notice, ids[0])
    assert set(receipt) == {"id", "notice_id", "nomination_id", "status", "lodged_at"}
    assert receipt["status"] == "open"
    trail = nomination.audit_trail(CITY, "objection", receipt["id"])
    assert trail[0]["account"] == "public" and trail[0]["changes"]["contact"] == [None, "***"]
    assert ADDRESS not in json.dumps(trail) and "13911112222" not in json.dumps(trail)


def test_an_objection_before_the_window_or_after_it_is_refused(nomination, slate, clock):
    campaign, ids = slate
    later = notice_data("unit", ids, clock)
    later["starts_at"] = (clock.now() + timedelta(days=1)).isoformat()
    later["ends_at"] = (clock.now() + timedelta(days=6)).isoformat()
    notice = nomination.open_notice(BANK, campaign["id"], later)
    with pytest.raises(NotFound):
        lodge(nomination, notice, ids[0])
    clock.advance(days=6)
    with pytest.raises(Conflict) as raised:
        lodge(nomination, notice, ids[0])
    assert raised.value.details == {"ends_at": later["ends_at"]}


def test_an_objection_names_a_candidate_on_the_notice(nomination, notice):
    with pytest.raises(NotFound):
        lodge(nomination, notice, "somebody-else")
    with pytest.raises(NotFound):
        nomination.lodge_objection("no-notice", "x", GROUNDS, ADDRESS)
    with pytest.raises(Invalid):
        nomination.lodge_objection(notice["id"], notice["entries"][0]["nomination_id"], {"grounds": ""}, ADDRESS)
    with pytest.raises(Invalid):
        nomination.lodge_objection(notice["id"], notice["entries"][0]["nomination_id"], GROUNDS, "")


def test_at_most_five_objections_per_address_per_hour(nomination, slate, notice, clock):
    _, ids = slate
    for minute in range(5):
        lodge(nomination, notice, ids[minute % 2])
        clock.advance(minutes=10)
    with pytest.raises(TooManyRequests) as raised:  # 50 minutes after the first
        lodge(nomination, notice, ids[0])
    assert raised.value.details == {"retry_after": 10 * 60 + 1}
    lodge(nomination, notice, ids[0], address="198.51.100.9")  # another address is not held up
    clock.advance(minutes=10)
    lodge(nomination, notice, ids[0])  # the first has left the hour
    with pytest.raises(TooManyRequests):
        lodge(nomination, notice, ids[0])


def test_objections_dated_after_now_do_not_count_against_the_hour(nomination, slate, notice, clock):
    _, ids = slate
    start = clock.now()
    clock.advance(minutes=30)
    for _ in range(5):
        lodge(nomination, notice, ids[0])
    clock.set(start)  # the clock is set back half an hour: those five lie ahead of it
    lodge(nomination, notice, ids[1])


def test_the_same_request_id_lodges_once(nomination, slate, notice):
    _, ids = slate
    first = lodge(nomination, notice, ids[0], request_id="obj-1")
    assert lodge(nomination, notice, ids[0], request_id="obj-1") == first
    assert nomination.list_objections(BANK)["total"] == 1


def test_an_unresolved_objection_keeps_the_notice_open(nomination, slate, notice, clock):
    _, ids = slate
    receipt = lodge(nomination, notice, ids[0])
    clock.advance(days=5)
    with pytest.raises(Conflict) as raised:
        nomination.close_notice(BANK, notice["id"])
    assert raised.value.details == {"open_objections": [receipt["id"]], "missing_step": "objection_resolution"}
    dismissed = nomination.resolve_objection(BANK, receipt["id"], {"outcome": "dismissed",
                                                                  "reasons": "经调查，反映问题不属实"})
    assert dismissed["status"] == "dismissed" and dismissed["resolution_reasons"] == "经调查，反映问题不属实"
    assert dismissed["resolved_by_unit_id"] == "hd-bank"
    closed = nomination.close_notice(BANK, notice["id"])
    assert closed["status"] == "closed"
    assert nomination.get_nomination(BANK, ids[0])["steps"][-1]["evidence"]["objections_dismissed"] == 1


def test_an_upheld_objection_withdraws_the_candidate(nomination, slate, notice, clock):
    _, ids = slate
    receipt = lodge(nomination, notice, ids[0])
    with pytest.raises(Forbidden):  # the publishing unit resolves it
        nomination.resolve_objection(HAIDIAN, receipt["id"], {"outcome": "upheld", "reasons": "属实"})
    with pytest.raises(NotFound):
        nomination.resolve_objection(CHAOYANG, receipt["id"], {"outcome": "upheld", "reasons": "属实"})
    upheld = nomination.resolve_objection(BANK, receipt["id"], {"outcome": "upheld", "reasons": "反映问题属实"})
    assert upheld["status"] == "upheld"
    withdrawn = nomination.get_nomination(BANK, ids[0])
    assert withdrawn["status"] == "withdrawn" and withdrawn["notice_id"] is None
    assert withdrawn["steps"][-1]["evidence"] == {"reasons": "反映问题属实", "objection_id": receipt["id"]}
    with pytest.raises(Conflict):
        nomination.resolve_objection(BANK, receipt["id"], {"outcome": "dismissed", "reasons": "again"})
    with pytest.raises(NotFound):  # no longer listed: no more objections to it
        lodge(nomination, notice, ids[0])
    clock.advance(days=5)
    closed = nomination.close_notice(BANK, notice["id"])
    assert closed["entries"] == [{"nomination_id": ids[0], "status": "withdrawn"},
                                 {"nomination_id": ids[1], "status": "passed"}]
    assert nomination.get_nomination(BANK, ids[0])["stage"] == "unit_notice"  # it went no further
    trail = [e["action"] for e in nomination.audit_trail(BANK, "nomination", ids[0])]
    assert trail[-3:] == ["lodged", "withdrawn", "resolved"]


def test_the_contact_is_sealed_and_shown_only_with_the_personal_data_right(nomination, slate, notice):
    _, ids = slate
    receipt = lodge(nomination, notice, ids[0])
    assert nomination.get_objection(BANK, receipt["id"])["contact"] == "***"
    assert nomination.get_objection(actor("hd-bank", personal_data=True), receipt["id"])["contact"] == "13911112222"
    listed = nomination.list_objections(HAIDIAN, {"status": "open"})
    assert [o["id"] for o in listed["items"]] == [receipt["id"]]
    assert listed["items"][0]["contact"] == "***"
    assert nomination.list_objections(CHAOYANG)["total"] == 0
    with nomination.engine.reading() as connection:
        row = connection.execute(text("SELECT * FROM objections")).one()._mapping
    stored = " ".join(str(v) for v in row.values())
    assert "13911112222" not in stored and ADDRESS not in stored


# --- the public list ----------------------------------------------------------------------------

def test_the_public_list_shows_name_unit_and_deeds_summary_only(nomination, slate, notice, clock):
    _, ids = slate
    page = nomination.public_notices()
    assert page["total"] == 1
    (item,) = page["items"]
    assert item["title"] == "海淀银行公示" and item["open_for_objections"] is True
    assert item["candidates"] == [
        {"nomination_id": ids[0], "name": "李秀英", "unit": "海淀银行", "deeds_summary": "扎根一线二十年，服务群众零投诉。"},
        {"nomination_id": ids[1], "name": "张建华", "unit": "海淀银行", "deeds_summary": "扎根一线二十年，服务群众零投诉。"}]
    receipt = lodge(nomination, notice, ids[0])
    everything = json.dumps(nomination.public_notices(), ensure_ascii=False)
    for secret in ("110108", "1978", "13800000000", "13911112222", "某路", "birth", "id_number", "contact"):
        assert secret not in everything
    nomination.resolve_objection(BANK, receipt["id"], {"outcome": "dismissed", "reasons": "不属实"})
    clock.advance(days=5)
    nomination.close_notice(BANK, notice["id"])
    assert nomination.public_notices()["total"] == 0


def test_the_public_list_leaves_out_withdrawn_candidates_and_future_notices(nomination, slate, notice, clock):
    campaign, ids = slate
    receipt = lodge(nomination, notice, ids[0])
    nomination.resolve_objection(BANK, receipt["id"], {"outcome": "upheld", "reasons": "属实"})
    (item,) = nomination.public_notices({"campaign_id": campaign["id"]})["items"]
    assert [c["nomination_id"] for c in item["candidates"]] == [ids[1]]
    assert nomination.public_notices({"level": "city"})["total"] == 0


def test_open_objections_are_a_gauge_until_resolved(nomination, slate, notice):
    from services.nomination.gauges import figures

    def open_objections():
        with nomination.engine.reading_session() as session:
            [(name, _, labels, value)] = figures(session, nomination.engine.clock.today())
        assert (name, labels) == ("laomo_objections_open", {})
        return value

    _, ids = slate
    first, second = lodge(nomination, notice, ids[0]), lodge(nomination, notice, ids[0])
    assert open_objections() == 2
    nomination.resolve_objection(BANK, first["id"], {"outcome": "dismissed", "reasons": "经调查，反映问题不属实"})
    assert open_objections() == 1 and second["status"] == "open"
