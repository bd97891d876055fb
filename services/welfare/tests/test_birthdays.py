"""Birthday greetings (生日慰问): the window from today's Beijing date (across a year end, 29 February),
who is listed (eligible, in scope), and greetings marked once per honouree and year."""
from datetime import date, datetime, timezone

import eventlet
import pytest
from sqlalchemy import select

from services.chassis.errors import Conflict, Invalid, NotFound
from services.chassis.testing import check
from services.welfare import birthdays
from services.welfare.models.cards import BirthdayGreeting
from services.welfare.responses.cards import BirthdayPageOut, GreetingOut

from .conftest import BANK, CHAOYANG, CITY, HAIDIAN

ACTIVE = [{"level": "municipal", "status": "active"}]


def born(registry, honouree_id, birth_date, unit="bj-haidian", honours=ACTIVE, **fields):
    registry.add_honouree(honouree_id, unit, name=f"劳模{honouree_id}", honours=list(honours),
                          birth_date=birth_date, **fields)


def listed(welfare, actor=HAIDIAN, **query):
    return [(b["honouree_id"], b["birthday"], b["turns"]) for b in welfare.upcoming_birthdays(actor, query)["items"]]


# --- the calendar -------------------------------------------------------------------------------

def test_a_29_february_birthday_falls_on_28_february_in_a_common_year():
    leapling = date(1960, 2, 29)
    assert birthdays.birthday_in(leapling, 2027) == date(2027, 2, 28)
    assert birthdays.birthday_in(leapling, 2028) == date(2028, 2, 29)
    assert birthdays.next_birthday(leapling, date(2027, 2, 28)) == date(2027, 2, 28)
    assert birthdays.next_birthday(leapling, date(2027, 3, 1)) == date(2028, 2, 29)
    assert birthdays.next_birthday(date(1970, 5, 6), date(2026, 5, 6)) == date(2026, 5, 6)
    assert birthdays.next_birthday(date(1970, 5, 6), date(2026, 5, 7)) == date(2027, 5, 6)


# --- the list -----------------------------------------------------------------------------------

def test_the_default_window_is_thirty_days_from_today_included(welfare, registry):
    # today: Tuesday 20 January 2026 in Beijing
    born(registry, "today", "1970-01-20")
    born(registry, "yesterday", "1970-01-19")
    born(registry, "day30", "1965-02-18")  # 29 days on: the last day of the 30
    born(registry, "day31", "1965-02-19")
    page = check(welfare.upcoming_birthdays(HAIDIAN), BirthdayPageOut)
    assert [(b["honouree_id"], b["birthday"], b["days_until"], b["turns"]) for b in page["items"]] == [
        ("today", "2026-01-20", 0, 56), ("day30", "2026-02-18", 29, 61)]
    assert listed(welfare, days=1) == [("today", "2026-01-20", 56)]
    assert [b[0] for b in listed(welfare, days=366)] == ["today", "day30", "day31", "yesterday"]
    assert listed(welfare, days=366)[-1] == ("yesterday", "2027-01-19", 57)


def test_the_window_runs_across_the_year_end(welfare, registry, clock):
    clock.set(datetime(2026, 12, 20, 2, 0, tzinfo=timezone.utc))  # 20 December 2026, Beijing
    born(registry, "dec", "1960-12-25")
    born(registry, "jan", "1958-01-05")
    born(registry, "late", "1958-01-25")
    born(registry, "past", "1958-12-19")
    assert listed(welfare) == [("dec", "2026-12-25", 66), ("jan", "2027-01-05", 69)]
    # a greeting marked now for the January birthday is next year's (the birthday's year)
    greeting = welfare.mark_birthday_greeting(HAIDIAN, "jan", {})["greeting"]
    assert greeting["year"] == 2027 and greeting["birthday"] == "2027-01-05"
    assert [b["greeted"] for b in welfare.upcoming_birthdays(HAIDIAN)["items"]] == [False, True]


def test_the_day_is_beijings_not_utcs(welfare, registry, clock):
    born(registry, "h1", "1970-01-21")
    clock.set(datetime(2026, 1, 20, 15, 30, tzinfo=timezone.utc))  # 23:30 on the 20th in Beijing
    assert listed(welfare, days=1) == []
    clock.set(datetime(2026, 1, 20, 16, 30, tzinfo=timezone.utc))  # 00:30 on the 21st in Beijing
    assert listed(welfare, days=1) == [("h1", "2026-01-21", 56)]


def test_29_february_birthdays_are_greeted_on_28_february_in_common_years(welfare, registry, clock):
    born(registry, "leap", "1960-02-29")
    born(registry, "feb28", "1961-02-28")
    clock.set(datetime(2027, 2, 28, 2, 0, tzinfo=timezone.utc))
    assert listed(welfare, days=1) == [("feb28", "2027-02-28", 66), ("leap", "2027-02-28", 67)]
    clock.set(datetime(2027, 3, 1, 2, 0, tzinfo=timezone.utc))  # past it: next in 2028, on the 29th
    assert ("leap", "2028-02-29", 68) in listed(welfare, days=366)
    clock.set(datetime(2028, 2, 28, 2, 0, tzinfo=timezone.utc))  # a leap year: not on the 28th
    assert listed(welfare, days=1) == [("feb28", "2028-02-28", 67)]
    assert listed(welfare, days=2) == [("feb28", "2028-02-28", 67), ("leap", "2028-02-29", 68)]
    greeting = welfare.mark_birthday_greeting(HAIDIAN, "leap", {})["greeting"]
    assert (greeting["year"], greeting["birthday"]) == (2028, "2028-02-29")


def test_only_eligible_honourees_in_scope_are_listed(welfare, registry):
    born(registry, "ok", "1970-01-25", unit="hd-bank")
    born(registry, "revoked", "1970-01-25", honours=[{"level": "district", "status": "revoked"}])
    born(registry, "gone", "1970-01-25", employment_status="deceased")
    born(registry, "cy", "1970-01-25", unit="cy-hotel")
    assert [b[0] for b in listed(welfare)] == ["ok"]
    assert [b[0] for b in listed(welfare, BANK)] == ["ok"]
    assert [b[0] for b in listed(welfare, CHAOYANG)] == ["cy"]
    assert [b[0] for b in listed(welfare, CITY)] == ["cy", "ok"]


def test_a_bad_window_is_invalid(welfare):
    for query in ({"days": 0}, {"days": 367}, {"days": "many"}, {"greeted": "maybe"}, {"page_size": 0}, {"x": 1}):
        with pytest.raises(Invalid):
            welfare.upcoming_birthdays(HAIDIAN, query)


def test_the_list_pages_and_filters_by_greeted(welfare, registry):
    for n in range(5):
        born(registry, f"h{n}", f"1970-01-{21 + n}")
    welfare.mark_birthday_greeting(HAIDIAN, "h1", {})
    welfare.mark_birthday_greeting(HAIDIAN, "h3", {})
    assert [b[0] for b in listed(welfare, greeted=True)] == ["h1", "h3"]
    assert [b[0] for b in listed(welfare, greeted=False)] == ["h0", "h2", "h4"]
    page = welfare.upcoming_birthdays(HAIDIAN, {"page": 2, "page_size": 2})
    assert [b["honouree_id"] for b in page["items"]] == ["h2", "h3"] and page["total"] == 5 and page["pages"] == 3


# --- marking greetings --------------------------------------------------------------------------

def test_a_greeting_is_marked_once_per_honouree_and_year(welfare, registry, clock):
    born(registry, "h1", "1970-01-25", unit="hd-bank")
    first = welfare.mark_birthday_greeting(BANK, "h1", {"note": "送蛋糕和贺卡"})
    assert first["created"] is True
    greeting = check(first["greeting"], GreetingOut)
    assert greeting == {"id": greeting["id"], "honouree_id": "h1", "year": 2026, "birthday": "2026-01-25",
                        "note": "送蛋糕和贺卡", "greeted_by_account": "bank.officer", "greeted_by_unit_id": "hd-bank",
                        "greeted_at": "2026-01-20T02:00:00+00:00"}
    clock.advance(hours=2)
    again = welfare.mark_birthday_greeting(HAIDIAN, "h1", {"year": 2026, "note": "又送一次"})
    assert again == {"greeting": greeting, "created": False}  # the first mark, unchanged
    [item] = welfare.upcoming_birthdays(HAIDIAN)["items"]
    assert item["greeted"] is True and item["greeting"] == greeting
    assert len(welfare.rows(BirthdayGreeting)) == 1
    # last year's birthday is another year's greeting
    assert welfare.mark_birthday_greeting(HAIDIAN, "h1", {"year": 2025})["created"] is True
    with welfare.engine.reading() as connection:
        log = welfare.engine.metadata.tables["audit_log"]
        actions = connection.execute(select(log.c.entity, log.c.action, log.c.account)).all()
    assert actions == [("birthday_greeting", "marked", "bank.officer"), ("birthday_greeting", "marked",
                                                                          "haidian.officer")]


def test_marking_outside_the_scope_or_for_the_ineligible_is_refused(welfare, registry):
    born(registry, "cy", "1970-01-25", unit="cy-hotel")
    born(registry, "gone", "1970-01-25", employment_status="deceased")
    born(registry, "h1", "1970-01-25")
    for honouree_id in ("cy", "nobody", "x" * 40):
        with pytest.raises(NotFound) as raised:
            welfare.mark_birthday_greeting(HAIDIAN, honouree_id, {})
        assert raised.value.details == {"honouree_id": honouree_id}
    with pytest.raises(Conflict) as raised:
        welfare.mark_birthday_greeting(HAIDIAN, "gone", {})
    assert raised.value.details == {"honouree_id": "gone", "missing": "alive"}
    for data in ({"year": 2024}, {"year": 2028}, {"year": "2026"}, {"note": ""}, {"when": "now"}):
        with pytest.raises(Invalid):
            welfare.mark_birthday_greeting(HAIDIAN, "h1", data)
    assert welfare.rows(BirthdayGreeting) == []


def test_concurrent_marks_make_one_greeting(welfare, registry):
    born(registry, "h1", "1970-01-25")
    pool = eventlet.GreenPool(6)
    results = list(pool.imap(lambda n: welfare.mark_birthday_greeting(HAIDIAN, "h1", {"note": f"第{n}次"}),
                             range(6)))
    assert sum(r["created"] for r in results) == 1
    assert len({r["greeting"]["id"] for r in results}) == 1
    assert len(welfare.rows(BirthdayGreeting)) == 1
