"""Figure 7: the Spring Festival condolence batch (春节慰问) for 20,000 honourees on SQLite.

Setup (not timed): a temporary SQLite file (WAL, as the service runs it) migrated with the
welfare service's Alembic history; a fund of 海淀 with the money and the condolence budget for
everyone; a campaign paid from it (national 2,000 yuan, municipal 1,000, district 500).

1. **First run** (aim <= 60 s): from ``WelfareService.run_condolence_campaign`` (``worker_factory``,
   a real unit of work, the registry's roster of 20,000 eligible honourees answered by a stand-in
   without the broker) until the batch is finished, paid by ``condolence.work`` exactly as the
   service's timer calls it (chunks of 500, one transaction each): 20,000 ledger disbursements,
   20,000 ``condolence_paid`` events in the outbox, 20,000 items marked paid.
2. **Re-run** (aim <= 10 s, zero new postings): the same campaign run again until finished: the
   roster asked again, everyone found paid, nobody taken.
"""
import os
import shutil
import tempfile
import time

from nameko.testing.services import worker_factory
from sqlalchemy import func, select

from services.chassis.actor import Actor
from services.chassis.clock import SystemClock
from services.chassis.database import DatabaseEngine, UnitOfWork
from services.chassis.migrations import upgrade
from services.welfare import condolence, invariants
from services.welfare.models import Base
from services.welfare.models.care import CondolenceBatch
from services.welfare.models.ledger import Posting
from services.welfare.service import WelfareService
from services.welfare.tests.money import (
    CONDOLENCE_AMOUNTS,
    condolence_campaign_for_everyone,
)

PEOPLE = 20_000
FIRST_RUN_AIM_S = 60.0
RERUN_AIM_S = 10.0
UNIT = "bj-haidian"
SCOPE = [UNIT, "hd-bank"]
ACTOR = {"account": "bench.finance", "unit_id": UNIT, "roles": ["finance", "officer"], "personal_data": False}
AMOUNTS = CONDOLENCE_AMOUNTS


class StandInRegistry:
    """The registry's two answers the run needs, without the broker."""

    def __init__(self, people):
        levels = ["national"] + ["municipal"] * 8 + ["district"]
        self.rows = [{"honouree_id": f"h{n:05d}", "name": "劳模", "gender": "male", "birth_date": "1970-05-06",
                      "category": "worker", "employment_status": "in_service", "managing_unit_id": "hd-bank",
                      "district_id": UNIT, "honour_levels": [levels[n % 10]], "highest_level": levels[n % 10],
                      "eligible": True} for n in range(people)]

    def scope_of(self, unit_id):
        return SCOPE

    def roster(self, actor, query=None):
        return [dict(row) for row in self.rows]  # a fresh copy each time, as off the wire


def call(engine, registry, method, *args):
    uow = UnitOfWork(engine)
    try:
        result = getattr(worker_factory(WelfareService, db=uow, registry=registry, clock=engine.clock), method)(*args)
    except BaseException:
        uow.rollback()
        raise
    uow.commit()
    return result


def setup(engine):
    return condolence_campaign_for_everyone(engine, Actor(ACTOR["account"], UNIT, ("finance", "officer")), SCOPE,
                                            "hd-bench")


def counted(engine):
    with engine.reading_session() as session:
        postings = session.scalar(select(func.count(Posting.seq)).where(Posting.purpose == "condolence"))
        events = session.scalar(select(func.count()).select_from(engine.outbox)
                                .where(engine.outbox.c.event_type == "condolence_paid"))
    return postings, events


def timed_run(engine, registry, campaign_id):
    """Seconds from the run RPC until its batch is finished; the batch's figures."""
    started = time.perf_counter()
    batch = call(engine, registry, "run_condolence_campaign", ACTOR, campaign_id, {})
    snapshot_s = time.perf_counter() - started
    while True:
        condolence.work(engine, "bench-runner")
        with engine.reading_session() as session:
            state = session.get(CondolenceBatch, batch["id"]).state.value
        if state == "finished":
            break
    seconds = time.perf_counter() - started
    with engine.reading_session() as session:
        final = condolence.batch_view(session.get(CondolenceBatch, batch["id"]))
    return seconds, snapshot_s, final


def run(people=PEOPLE):
    folder = tempfile.mkdtemp(prefix="laomo-bench-welfare-")
    try:
        uri = f"sqlite:///{os.path.join(folder, 'welfare.sqlite3')}"
        upgrade("welfare", uri)
        engine = DatabaseEngine(uri, Base.metadata, "welfare", SystemClock())
        registry = StandInRegistry(people)
        campaign_id = setup(engine)
        first_s, first_snapshot_s, first = timed_run(engine, registry, campaign_id)
        postings, events = counted(engine)
        again_s, again_snapshot_s, again = timed_run(engine, registry, campaign_id)
        postings_after, events_after = counted(engine)
        with engine.reading() as connection:
            violations = invariants.violations(connection)
        engine.dispose()
        return {"people": people, "first_s": first_s, "first_snapshot_s": first_snapshot_s, "first": first,
                "postings": postings, "events": events, "rerun_s": again_s, "rerun_snapshot_s": again_snapshot_s,
                "rerun": again, "new_postings": postings_after - postings, "new_events": events_after - events,
                "chunk": condolence.CHUNK, "violations": violations,
                "db_mb": os.path.getsize(os.path.join(folder, "welfare.sqlite3")) / 1e6}
    finally:
        shutil.rmtree(folder, ignore_errors=True)


# --- what bench/main.py calls --------------------------------------------------------------------

def say(text=""):
    print(text, flush=True)


def section(api, args, results):
    """The section as ``python -m bench --only welfare`` runs it (no broker needed: in process)."""
    say()
    say(f"== 7. Welfare: a condolence batch (春节慰问) for {PEOPLE:,} honourees (SQLite file, WAL; in process)")
    r = run()
    results["welfare"] = r
    f = r["first"]
    say(f"   first run               {r['first_s']:.2f} s  (aim <= {FIRST_RUN_AIM_S:.0f} s; the run RPC's snapshot "
        f"of {f['total']:,} items {r['first_snapshot_s']:.2f} s, then chunks of {r['chunk']})")
    say(f"     {f['paid']:,} paid, {f['failed']} failed, {f['pending']} pending; {r['postings']:,} postings and "
        f"{r['events']:,} condolence_paid events written; {r['people'] / r['first_s']:,.0f} payments/s")
    g = r["rerun"]
    say(f"   re-run                  {r['rerun_s']:.2f} s  (aim <= {RERUN_AIM_S:.0f} s; {g['already_paid']:,} found "
        f"paid, {g['total']} taken, {r['new_postings']} new postings, {r['new_events']} new events)")
    say(f"   ledger invariants: {'hold' if not r['violations'] else r['violations'][:3]}; "
        f"database {r['db_mb']:.0f} MB")


def summary_rows(results, verdict):
    r = results.get("welfare")
    if not r:
        return []
    return [
        (f"Condolence batch, {r['people'] // 1000}k honourees", f"{r['first_s']:.2f}", "s",
         f"<= {FIRST_RUN_AIM_S:.0f}", verdict(r["first_s"] <= FIRST_RUN_AIM_S and r["first"]["paid"] == r["people"])),
        ("Condolence re-run, all paid already", f"{r['rerun_s']:.2f}", "s", f"<= {RERUN_AIM_S:.0f}",
         verdict(r["rerun_s"] <= RERUN_AIM_S and r["new_postings"] == 0)),
        ("  (re-run, new postings)", f"{r['new_postings']}", "postings", "0", verdict(r["new_postings"] == 0)),
    ]
