"""Birthday greetings (生日慰问): who in the caller's scope has a birthday soon, and who was greeted.

Who is greeted comes from the registry's roster: the eligible honourees (an active honour, alive).
"Soon" is the next ``days`` days from today's Beijing date, today included. Someone born on 29
February is greeted on 28 February in a common year. A greeting is marked once per honouree and
year (the year of the birthday greeted): marking it again returns the first mark, unchanged.
"""
import calendar
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from services.chassis.audit import record_change
from services.chassis.database import new_id
from services.chassis.errors import Conflict, Invalid

from .models.cards import BirthdayGreeting


def birthday_in(birth_date, year):
    """The day ``birth_date``'s birthday falls on in ``year`` (29 Feb → 28 Feb in a common year)."""
    if birth_date.month == 2 and birth_date.day == 29 and not calendar.isleap(year):
        return date(year, 2, 28)
    return birth_date.replace(year=year)


def next_birthday(birth_date, today):
    """The first birthday on or after ``today``."""
    this_year = birthday_in(birth_date, today.year)
    return this_year if this_year >= today else birthday_in(birth_date, today.year + 1)


def upcoming(rows, today, days):
    """The honourees of ``rows`` (roster rows) who are eligible and whose next birthday is within
    ``days`` days from ``today`` (today included), soonest first."""
    end = today + timedelta(days=days)
    found = []
    for row in rows:
        if not row["eligible"] or not row.get("birth_date"):
            continue
        born = date.fromisoformat(row["birth_date"])
        birthday = next_birthday(born, today)
        if birthday < end:
            found.append({"honouree_id": row["honouree_id"], "name": row["name"],
                          "managing_unit_id": row["managing_unit_id"], "birthday": birthday.isoformat(),
                          "days_until": (birthday - today).days, "turns": birthday.year - born.year})
    found.sort(key=lambda item: (item["birthday"], item["honouree_id"]))
    return found


def with_greetings(session, found, greeted=None):
    """``found`` (from :func:`upcoming`) each with its birthday's greeting, if marked; ``greeted``:
    keep only those greeted (True) or not yet (False)."""
    wanted = {(item["honouree_id"], int(item["birthday"][:4])) for item in found}
    marks = {}
    ids = sorted({honouree_id for honouree_id, _ in wanted})
    for start in range(0, len(ids), 500):  # bounded IN lists, however many birthdays the window holds
        query = select(BirthdayGreeting).where(BirthdayGreeting.honouree_id.in_(ids[start:start + 500]))
        for greeting in session.scalars(query):
            if (greeting.honouree_id, greeting.year) in wanted:
                marks[(greeting.honouree_id, greeting.year)] = greeting
    result = []
    for item in found:
        greeting = marks.get((item["honouree_id"], int(item["birthday"][:4])))
        if greeted is None or greeted == (greeting is not None):
            result.append(dict(item, greeted=greeting is not None, greeting=view(greeting) if greeting else None))
    return result


def greeting_year(row, today, year):
    """The year of the birthday a greeting marks: the one given (last, this or next year), or that of
    the honouree's next birthday."""
    if year is None:
        return next_birthday(date.fromisoformat(row["birth_date"]), today).year
    if not today.year - 1 <= year <= today.year + 1:
        raise Invalid("a greeting is for last year's, this year's or next year's birthday",
                      {"year": [f"from {today.year - 1} to {today.year + 1}"]})
    return year


def mark(uow, actor, row, data):
    """Mark the greeting of ``row``'s honouree (in scope) sent; returns (greeting, new)."""
    session, clock = uow.session, uow.database.clock
    if not row["eligible"]:
        why = "is deceased" if row["employment_status"] == "deceased" else "holds no active honour"
        raise Conflict(f"no birthday greeting: the honouree {why}",
                       {"honouree_id": row["honouree_id"],
                        "missing": "alive" if row["employment_status"] == "deceased" else "active_honour"})
    year = greeting_year(row, clock.today(), data.get("year"))
    earlier = first_mark(session, row["honouree_id"], year)
    if earlier is not None:
        return earlier, False
    greeting = BirthdayGreeting(
        id=new_id(), honouree_id=row["honouree_id"], year=year,
        birthday=birthday_in(date.fromisoformat(row["birth_date"]), year), note=data.get("note"),
        greeted_by_account=actor.account, greeted_by_unit_id=actor.unit_id, greeted_at=clock.now())
    try:
        with session.begin_nested():
            session.add(greeting)
    except IntegrityError:  # marked by someone else in between: theirs is the mark
        earlier = first_mark(session, row["honouree_id"], year)
        if earlier is None:
            raise
        return earlier, False
    record_change(uow, actor, "birthday_greeting", greeting.id, "marked", None,
                  {"honouree_id": greeting.honouree_id, "year": year, "note": greeting.note})
    return greeting, True


def first_mark(session, honouree_id, year):
    return session.scalar(select(BirthdayGreeting).where(BirthdayGreeting.honouree_id == honouree_id,
                                                         BirthdayGreeting.year == year))


def view(greeting):
    return {"id": greeting.id, "honouree_id": greeting.honouree_id, "year": greeting.year,
            "birthday": greeting.birthday.isoformat(), "note": greeting.note,
            "greeted_by_account": greeting.greeted_by_account, "greeted_by_unit_id": greeting.greeted_by_unit_id,
            "greeted_at": greeting.greeted_at.isoformat()}
