"""The volunteer section: the sign-up race (200 concurrent sign-ups for 50 places), and service-hour totals
over 100,000 attendance records (p99 <= 100 ms at the service).

The race. Setup, not timed: a fresh SQLite file (WAL) migrated to the newest revision, one team of 200
volunteers and one published activity with 50 places, made through the service's rules. Timed: 8 processes
sign the 200 up at one signal, each sign-up in a unit of work of its own as a worker runs it; the figure is
the time from the signal to the last answer. It must end with exactly 50 confirmed and 150 waitlisted.

The totals. Setup, not timed: another fresh SQLite file with 5,000 volunteers in 40 teams over the stand-in
tree's units, 2,000 activities over 2025 and 2026 in every category, and 100,000 confirmed attendances (50
per activity), inserted in bulk. Timed: the service's own ``hour_totals`` entrypoint (worker_factory, as an
RPC worker runs it), 30 times each, for eight queries (the city per volunteer, team, unit, category and
year; a year per volunteer; a district per category; a district's one category per volunteer); the
figure is the p99 of the 240.
"""
import os
import shutil
import statistics
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta

from nameko.testing.services import worker_factory

from services.chassis.actor import Actor
from services.chassis.clock import FrozenClock
from services.chassis.database import DatabaseEngine, UnitOfWork, new_id
from services.chassis.migrations import upgrade
from services.chassis.registry_double import FakeRegistry
from services.volunteer import activities, corps
from services.volunteer.models import Base
from services.volunteer.service import VolunteerService
from services.volunteer.tests.race import PROCESSES, race

SIGNUPS = 200
PLACES = 50
RACE_AIM_S = 10
NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
OFFICER = Actor("bench.officer", "bj-haidian", ("officer",))


def setup(engine, scope):
    registry = FakeRegistry()
    with engine.unit_of_work() as uow:
        team = corps.create_team(uow, OFFICER, {"name": "基准测试服务队", "kind": "district", "unit_id": "bj-haidian",
                                                "admits_public": True, "description": ""},
                                 registry.get_unit("bj-haidian"), scope)
        people = [corps.enrol(uow, OFFICER, {"team_id": team.id, "name": f"志愿者{n}", "skills": [],
                                             "availability": []}, scope).id for n in range(SIGNUPS)]
        starts = NOW + timedelta(days=7)
        event = activities.create(uow, OFFICER, {
            "title": "基准测试活动", "category": "community_talk", "place": "社区", "starts_at": starts,
            "ends_at": starts + timedelta(hours=2), "capacity": PLACES, "required_skills": [], "description": ""},
            registry.get_unit("bj-haidian"), scope)
        activities.publish(uow, OFFICER, event.id, scope)
        return people, event.id


def run_race():
    directory = tempfile.mkdtemp(prefix="laomo-bench-volunteer-")
    uri = f"sqlite:///{os.path.join(directory, 'volunteer.sqlite3')}"
    try:
        upgrade("volunteer", uri)
        engine = DatabaseEngine(uri, Base.metadata, "volunteer", FrozenClock(NOW))
        scope = frozenset(FakeRegistry().scope_of("bj-haidian"))
        people, activity_id = setup(engine, scope)
        engine.dispose()
        answers, seconds = race(uri, activity_id, people, scope, NOW.isoformat())
        counted = Counter(a.get("status", "refused") for a in answers)
        return {"signups": SIGNUPS, "places": PLACES, "processes": PROCESSES, "race_s": seconds,
                "confirmed": counted["confirmed"], "waitlisted": counted["waitlisted"],
                "refused": counted["refused"]}
    finally:
        shutil.rmtree(directory, ignore_errors=True)


ATTENDANCES = 100_000
TOTALS_AIM_MS = 100
TIMES = 30
CITY = Actor("bench.city", "bj", ("officer",))
HAIDIAN = Actor("bench.haidian", "bj-haidian", ("officer",))
UNITS = ["bj-haidian", "bj-chaoyang", "bj-jianshe", "bj-direct", "hd-bank", "hd-school", "cy-hotel", "js-site"]
CATEGORIES = ["science_technology", "medical", "culture", "daily_life", "enterprise_talk", "campus_talk",
              "community_talk"]


def fill_attendance(engine, count=ATTENDANCES):
    """Teams, volunteers, activities, sign-ups and confirmed attendances, inserted in bulk."""
    tables = Base.metadata.tables
    start = datetime(2025, 1, 1, 1, 0, tzinfo=UTC)
    teams = [{"id": new_id(), "request_id": None, "name": f"服务队{n}", "kind": "profession", "unit_id": UNITS[n % 8],
              "profession": "综合", "admits_public": True, "description": "", "created_by_account": "bench",
              "created_at": start, "updated_at": start} for n in range(40)]
    people = [{"id": new_id(), "request_id": None, "team_id": teams[n % 40]["id"], "unit_id": teams[n % 40]["unit_id"],
               "kind": "public", "honouree_id": None, "name": f"志愿者{n}", "live_key": None, "status": "active",
               "end_reason": None, "version": 1, "joined_at": start, "ended_at": None, "created_by_account": "bench",
               "updated_at": start} for n in range(5_000)]
    per_activity = 50
    events = []
    for n in range(count // per_activity):
        at = start + timedelta(hours=8 * n)
        events.append({"id": new_id(), "request_id": None, "title": f"活动{n}", "category": CATEGORIES[n % 7],
                       "organiser_unit_id": UNITS[n % 8], "place": "社区", "starts_at": at,
                       "ends_at": at + timedelta(hours=2), "capacity": per_activity, "description": "",
                       "status": "published", "last_seq": per_activity, "version": 2, "created_by_account": "bench",
                       "created_at": start, "published_at": start, "updated_at": start})
    signups, attendances = [], []
    for n, event in enumerate(events):
        for k in range(per_activity):
            person = people[(n * per_activity + k * 97) % len(people)]
            signup_id = new_id()
            signups.append({"id": signup_id, "request_id": None, "activity_id": event["id"],
                            "volunteer_id": person["id"], "person_key": f"v:{person['id']}", "live_key": None,
                            "status": "confirmed", "seq": k + 1, "starts_at": event["starts_at"],
                            "ends_at": event["ends_at"], "signed_up_at": start, "promoted_at": None,
                            "cancelled_at": None, "cancel_reason": None, "created_by_account": "bench",
                            "updated_at": start})
            minutes = 60 + (n + k) % 120
            attendances.append({"id": new_id(), "signup_id": signup_id, "activity_id": event["id"],
                                "volunteer_id": person["id"], "person_key": f"v:{person['id']}",
                                "team_id": person["team_id"], "unit_id": person["unit_id"],
                                "organiser_unit_id": event["organiser_unit_id"], "category": event["category"],
                                "year": (event["starts_at"] + timedelta(hours=8)).year, "status": "confirmed",
                                "checked_in_at": event["starts_at"],
                                "checked_out_at": event["starts_at"] + timedelta(minutes=minutes),
                                "proposed_minutes": minutes, "confirmed_minutes": minutes,
                                "confirmed_by_account": "bench", "confirmed_at": event["ends_at"],
                                "updated_at": event["ends_at"]})
    with engine.engine.begin() as connection:
        for name, rows in (("teams", teams), ("volunteers", people), ("activities", events), ("signups", signups),
                           ("attendances", attendances)):
            for i in range(0, len(rows), 5_000):
                connection.execute(tables[name].insert(), rows[i:i + 5_000])
        connection.exec_driver_sql("ANALYZE")
    return len(attendances)


TOTAL_QUERIES = [
    (CITY, {"group_by": "volunteer"}), (CITY, {"group_by": "team"}), (CITY, {"group_by": "unit"}),
    (CITY, {"group_by": "category"}), (CITY, {"group_by": "year"}), (CITY, {"group_by": "volunteer", "year": 2026}),
    (HAIDIAN, {"group_by": "category"}), (HAIDIAN, {"group_by": "volunteer", "category": "medical", "year": 2025}),
]


def run_totals(count=ATTENDANCES):
    directory = tempfile.mkdtemp(prefix="laomo-bench-volunteer-")
    uri = f"sqlite:///{os.path.join(directory, 'volunteer.sqlite3')}"
    try:
        upgrade("volunteer", uri)
        clock = FrozenClock(NOW)
        engine = DatabaseEngine(uri, Base.metadata, "volunteer", clock)
        started = time.perf_counter()
        filled = fill_attendance(engine, count)
        fill_s = time.perf_counter() - started
        registry = FakeRegistry()
        times, minutes = [], None
        for actor, query in TOTAL_QUERIES:
            for _ in range(TIMES):
                worker = worker_factory(VolunteerService, db=UnitOfWork(engine), clock=clock, registry=registry)
                began = time.perf_counter()
                reply = worker.hour_totals(actor.to_dict(), query)
                times.append((time.perf_counter() - began) * 1000)
                if actor is CITY and query == {"group_by": "unit"}:
                    minutes = reply["total_minutes"]
        engine.dispose()
        times.sort()
        return {"attendances": filled, "fill_s": fill_s, "p50_ms": statistics.median(times),
                "p99_ms": times[int(len(times) * 0.99) - 1], "max_ms": times[-1], "calls": len(times),
                "total_minutes": minutes}
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def section(api, args, results):
    """The section as ``python -m bench --only volunteer`` runs it (no broker needed: in processes)."""
    say = print
    say()
    say(f"== 10. Volunteer corps: {SIGNUPS} concurrent sign-ups for {PLACES} places (SQLite file, WAL; "
        f"{PROCESSES} processes)")
    figures = run_race()
    results["volunteer"] = figures
    say(f"   race over in {figures['race_s']:.2f} s: {figures['confirmed']} confirmed, {figures['waitlisted']} "
        f"waitlisted, {figures['refused']} refused")
    say(f"   service-hour totals over {ATTENDANCES:,} attendance records (SQLite file; in process)")
    totals = run_totals()
    results["volunteer_totals"] = totals
    say(f"   filled {totals['attendances']} attendances in {totals['fill_s']:.1f} s; {totals['calls']} calls: "
        f"p50 {totals['p50_ms']:.1f} ms, p99 {totals['p99_ms']:.1f} ms, max {totals['max_ms']:.1f} ms")


def summary_rows(results, verdict):
    rows = []
    totals = results.get("volunteer_totals")
    figures = results.get("volunteer")
    if not figures:
        return rows
    right = figures["confirmed"] == PLACES and figures["waitlisted"] == SIGNUPS - PLACES and not figures["refused"]
    name = (f"{SIGNUPS} concurrent sign-ups for {PLACES} places ({figures['confirmed']} confirmed, "
            f"{figures['waitlisted']} waitlisted)")
    rows.append((name, f"{figures['race_s']:.2f}", "s", f"<= {RACE_AIM_S}",
                 verdict(right and figures["race_s"] <= RACE_AIM_S)))
    if totals:
        rows.append((f"Service-hour totals over {totals['attendances']} attendances, p99", f"{totals['p99_ms']:.0f}",
                     "ms", f"<= {TOTALS_AIM_MS}", verdict(totals["p99_ms"] <= TOTALS_AIM_MS)))
    return rows


if __name__ == "__main__":
    print(run_race())
    print(run_totals())
