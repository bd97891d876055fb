"""The ledger section: a fund statement over 100,000 postings (aim <= 500 ms), at the service.

One fund on a fresh SQLite file gets 100,000 postings through ``ledger.post`` (appropriations, then
payments, a commitment now and then, over a year of days), then its statement is asked for through
the service's own entrypoint (worker_factory, as an RPC worker would run it): the whole year, a deep
page of it, and one month. Each is timed 20 times; the figure is the slowest.
"""
import os
import shutil
import statistics
import tempfile
import time
from datetime import datetime, timedelta, timezone

from nameko.testing.services import worker_factory

from services.chassis.actor import Actor
from services.chassis.clock import FrozenClock
from services.chassis.database import DatabaseEngine, UnitOfWork
from services.chassis.migrations import upgrade
from services.chassis.registry_double import FakeRegistry
from services.welfare import funds, invariants, ledger
from services.welfare.models import Base
from services.welfare.service import WelfareService

POSTINGS = 100_000
AIM_MS = 500
TIMES = 20
CITY = Actor("bench.finance", "bj", ("finance",))
START = datetime(2025, 1, 1, 1, 0, tzinfo=timezone.utc)


def posting_request(n, turn):
    """The ``n``-th bench posting, the fund's ``turn``-th: an appropriation every 50th, a commitment
    every 7th, a disbursement otherwise."""
    if turn % 50 == 0:
        return {"kind": "appropriation", "amount": 5_000_000}
    if turn % 7 == 0:
        return {"kind": "commitment", "amount": 10_000, "purpose": "hardship_aid"}
    return {"kind": "disbursement", "amount": 20_000, "purpose": "condolence", "honouree_id": f"h{n % 20_000}",
            "reference": "bench"}


def fill(engine, clock, count):
    """``count`` postings on one fund, a year's worth, in transactions of 1,000."""
    with engine.unit_of_work() as uow:
        fund = funds.create(uow, CITY, {"code": "bench-fund", "name": "基准测试基金", "kind": "city_special",
                                        "purposes": ["condolence", "hardship_aid"]}, {"bj"})
        for purpose in ("condolence", "hardship_aid"):
            funds.set_budget(uow, CITY, fund.id, {"year": 2025, "purpose": purpose, "amount": 10**12}, {"bj"})
        fund_id = fund.id
    step = timedelta(seconds=365 * 86400 / count)
    n = 0
    while n < count:
        with engine.unit_of_work() as uow:
            for _ in range(min(1_000, count - n)):
                clock.set(START + step * n)
                request = posting_request(n, n)
                ledger.post(uow, CITY, dict(request, idempotency_key=f"bench-{n}", fund_id=fund_id), year=2025)
                n += 1
    return fund_id


def statement_ms(engine, clock, fund_id, query):
    worker = worker_factory(WelfareService, db=UnitOfWork(engine), clock=clock, registry=FakeRegistry())
    times = []
    for _ in range(TIMES):
        started = time.perf_counter()
        reply = worker.fund_statement(CITY.to_dict(), fund_id, query)
        times.append((time.perf_counter() - started) * 1000)
    return max(times), statistics.median(times), reply


def run(count=POSTINGS):
    directory = tempfile.mkdtemp(prefix="laomo-bench-ledger-")
    uri = f"sqlite:///{os.path.join(directory, 'welfare.sqlite3')}"
    try:
        upgrade("welfare", uri)
        clock = FrozenClock(START)
        engine = DatabaseEngine(uri, Base.metadata, "welfare", clock)
        started = time.perf_counter()
        fund_id = fill(engine, clock, count)
        fill_s = time.perf_counter() - started
        year = {"from": "2025-01-01", "to": "2025-12-31"}
        whole = statement_ms(engine, clock, fund_id, year)
        deep = statement_ms(engine, clock, fund_id, dict(year, page=400, page_size=200))
        month = statement_ms(engine, clock, fund_id, {"from": "2025-06-01", "to": "2025-06-30"})
        with engine.reading() as connection:
            broken = invariants.violations(connection)
        engine.dispose()
        return {"postings": count, "fill_s": fill_s, "lines": whole[2]["total"],
                "whole_max_ms": whole[0], "whole_p50_ms": whole[1], "deep_max_ms": deep[0],
                "deep_p50_ms": deep[1], "month_max_ms": month[0], "month_p50_ms": month[1],
                "invariants": "kept" if not broken else f"{len(broken)} broken"}
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def section(api, args, results):
    """The section as ``python -m bench --only ledger`` runs it (no broker needed: in process)."""
    say = print
    say()
    say(f"== 8. Welfare ledger: a fund statement over {POSTINGS:,} postings (SQLite file, WAL; in process)")
    figures = run()
    results["ledger"] = figures
    say(f"   filled {figures['postings']} postings in {figures['fill_s']:.1f} s; invariants {figures['invariants']}")
    say(f"   statement of the year ({figures['lines']} lines), first page: p50 {figures['whole_p50_ms']:.1f} ms, "
        f"max {figures['whole_max_ms']:.1f} ms")
    say(f"     page 400 of it: p50 {figures['deep_p50_ms']:.1f} ms, max {figures['deep_max_ms']:.1f} ms")
    say(f"     one month: p50 {figures['month_p50_ms']:.1f} ms, max {figures['month_max_ms']:.1f} ms")


def summary_rows(results, verdict):
    figures = results.get("ledger")
    if not figures:
        return []
    worst = max(figures["whole_max_ms"], figures["deep_max_ms"], figures["month_max_ms"])
    return [(f"Fund statement over {figures['postings']} postings (slowest of 3 x {TIMES})", f"{worst:.0f}", "ms",
             f"<= {AIM_MS}", verdict(worst <= AIM_MS and figures["invariants"] == "kept"))]


if __name__ == "__main__":
    print(run())
