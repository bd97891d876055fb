"""The association section: the member list of 20,000 with filters (aim: p99 <= 50 ms), at the service.

20,000 memberships over the stand-in registry's units (services/chassis/registry_double.py), joined
over twelve years, some left or ended, are written straight into a fresh SQLite file migrated with
the service's own history; then ``list_memberships`` is asked through the service's own entrypoint
(worker_factory, as an RPC worker would run it) by the city and by a district, with the filters
(status, unit, district, joined year) alone and together, and a deep page. Each query is timed
100 times; the figure is the p99 over all of them.

The registry is a stand-in that holds the 20,000 people by id: the roster question the list asks
(the names of the page's 50 members, by id) costs it next to nothing, so the figure is the
association's own work (the registry's answer is its own bench's).
"""
import os
import random
import shutil
import statistics
import tempfile
import time
from datetime import UTC, date, datetime, timedelta

from nameko.testing.services import worker_factory

from services.association.models import Base
from services.association.models.membership import Membership, MembershipStatus
from services.association.service import AssociationService
from services.chassis import union_tree
from services.chassis.actor import Actor
from services.chassis.clock import FrozenClock
from services.chassis.database import DatabaseEngine, UnitOfWork, new_id
from services.chassis.migrations import upgrade
from services.chassis.registry_double import FakeRegistry

MEMBERS = 20_000
AIM_MS = 50
TIMES = 100
NOW = datetime(2026, 6, 1, 2, 0, tzinfo=UTC)
CITY = Actor("bench.officer", "bj", ("officer",))
HAIDIAN = Actor("bench.haidian", "bj-haidian", ("officer",))
# (managing unit, its district) of the stand-in tree
UNITS = [("hd-bank", "bj-haidian"), ("hd-school", "bj-haidian"), ("bj-haidian", "bj-haidian"),
         ("cy-hotel", "bj-chaoyang"), ("bj-chaoyang", "bj-chaoyang"), ("js-site", None), ("bj-direct", None)]
QUERIES = [
    ("city, first page", CITY, {}),
    ("city, active", CITY, {"status": "active"}),
    ("city, unit bj-haidian, joined 2020", CITY, {"unit_id": "bj-haidian", "joined_year": 2020}),
    ("city, district bj-chaoyang, active, joined 2024", CITY,
     {"district_id": "bj-chaoyang", "status": "active", "joined_year": 2024}),
    ("city, left, page 2 of 200", CITY, {"status": "left", "page": 2, "page_size": 200}),
    ("city, page 80 of 200 (deep)", CITY, {"page": 80, "page_size": 200}),
    ("district, active, unit hd-school", HAIDIAN, {"status": "active", "unit_id": "hd-school"}),
]


class IndexedRegistry(FakeRegistry):
    """The stand-in registry, answering the roster by id from a dict (what the real one does with an index)."""

    def roster(self, actor, query=None):
        query = query or {}
        scope = set(self.scope_of(actor["unit_id"]))
        rows = []
        for honouree_id in sorted(query.get("honouree_ids") or ()):
            record = self.honourees.get(honouree_id)
            if record is None or record["managing_unit_id"] not in scope:
                continue
            rows.append({"honouree_id": honouree_id, "name": record["name"], "gender": record["gender"],
                         "birth_date": record["birth_date"], "category": record["category"],
                         "employment_status": record["employment_status"],
                         "managing_unit_id": record["managing_unit_id"], "district_id": record.get("district_id"),
                         "honour_levels": ["municipal"], "highest_level": "municipal", "eligible": True})
        return rows


def fill(engine, registry, count):
    """``count`` memberships of as many people, joined 2015-2026; about 7% left and 3% ended."""
    pick = random.Random(20150109)
    rows = []
    for n in range(count):
        unit, district = UNITS[n % len(UNITS)]
        honouree_id = f"h{n:06d}"
        registry.honourees[honouree_id] = {"name": f"会员{n}", "gender": "male", "birth_date": "1965-01-01",
                                           "category": "worker", "employment_status": "in_service",
                                           "managing_unit_id": unit, "district_id": district, "honours": []}
        joined = date(2015, 1, 1) + timedelta(days=pick.randrange(11 * 365 + 100))
        roll = pick.random()
        status = MembershipStatus.LEFT if roll < 0.07 else MembershipStatus.ENDED if roll < 0.10 \
            else MembershipStatus.ACTIVE
        at = datetime(joined.year, joined.month, joined.day, 2, tzinfo=UTC)
        rows.append({"id": new_id(), "request_id": None, "honouree_id": honouree_id,
                     "live_honouree_id": honouree_id if status is MembershipStatus.ACTIVE else None,
                     "managing_unit_id": unit, "district_id": district, "status": status, "joined_on": joined,
                     "joined_year": joined.year, "note": None, "joined_by_account": "bench", "joined_by_unit_id": "bj",
                     "end_reason": None if status is MembershipStatus.ACTIVE else "基准测试",
                     "ended_at": None if status is MembershipStatus.ACTIVE else at + timedelta(days=30),
                     "ended_by_account": None if status is MembershipStatus.ACTIVE else "bench",
                     "honour_id": None, "revocation_id": None, "version": 1, "created_at": at, "updated_at": at})
    with engine.unit_of_work() as uow:
        uow.session.execute(Membership.__table__.insert(), rows)


def run(count=MEMBERS):
    directory = tempfile.mkdtemp(prefix="laomo-bench-association-")
    uri = f"sqlite:///{os.path.join(directory, 'association.sqlite3')}"
    try:
        upgrade("association", uri)
        clock = FrozenClock(NOW)
        engine = DatabaseEngine(uri, Base.metadata, "association", clock)
        union_tree._scopes.clear()
        registry = IndexedRegistry()
        started = time.perf_counter()
        fill(engine, registry, count)
        fill_s = time.perf_counter() - started
        worker = worker_factory(AssociationService, db=UnitOfWork(engine), clock=clock, registry=registry)
        every, per_query = [], []
        for label, actor, query in QUERIES:
            times, reply = [], None
            for _ in range(TIMES):
                began = time.perf_counter()
                reply = worker.list_memberships(actor.to_dict(), query)
                times.append((time.perf_counter() - began) * 1000)
            assert reply["items"] and all(m["honouree_name"] for m in reply["items"]), label
            every += times
            per_query.append((label, reply["total"], statistics.median(times), max(times)))
        engine.dispose()
        every.sort()
        return {"members": count, "fill_s": fill_s, "p99_ms": every[int(len(every) * 0.99) - 1],
                "p50_ms": statistics.median(every), "queries": per_query}
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def section(api, args, results):
    """The section as ``python -m bench --only association`` runs it (no broker needed: in process)."""
    say = print
    say()
    say(f"== 9. Association: the member list of {MEMBERS:,} with filters (SQLite file, WAL; in process)")
    figures = run()
    results["association"] = figures
    say(f"   filled {figures['members']} memberships in {figures['fill_s']:.1f} s")
    for label, total, p50, worst in figures["queries"]:
        say(f"   {label} ({total} match): p50 {p50:.1f} ms, max {worst:.1f} ms")
    say(f"   all {len(figures['queries'])} x {TIMES}: p50 {figures['p50_ms']:.1f} ms, p99 {figures['p99_ms']:.1f} ms")


def summary_rows(results, verdict):
    figures = results.get("association")
    if not figures:
        return []
    return [(f"Member list of {figures['members']:,} with filters, service, p99", f"{figures['p99_ms']:.1f}", "ms",
             f"<= {AIM_MS}", verdict(figures["p99_ms"] <= AIM_MS)),
            ("  (member list, p50)", f"{figures['p50_ms']:.1f}", "ms", "", "")]


if __name__ == "__main__":
    section(None, None, {})
