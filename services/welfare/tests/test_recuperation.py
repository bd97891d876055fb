"""Recuperation (疗休养): plans, batches, allocation (priority, capacity, overlap), outcomes, the
overdue list by the clock, plan progress, scope, bad input and retries.

The clock stands at 2026-01-20 (Beijing): "the last two years" run from 2024-01-20.
"""
import contextlib
from datetime import UTC, date, datetime

import pytest

from services.chassis.actor import SYSTEM
from services.chassis.errors import Conflict, Invalid, NotFound
from services.chassis.testing import check
from services.welfare import recuperation as rules
from services.welfare.models.recuperation import (
    RecuperationAllocation,
    RecuperationBatch,
    RecuperationPlace,
    RecuperationPlan,
)
from services.welfare.responses import recuperation as out

from .conftest import BANK, CHAOYANG, CITY, HAIDIAN

ACTIVE = [{"level": "municipal", "status": "active"}]


def honourees(registry, *specs):
    """``(id, unit)`` or ``(id, unit, fields)``: eligible, in-service honourees unless fields say otherwise."""
    for spec in specs:
        honouree_id, unit_id, extra = (*spec, {})[:3]
        extra = dict(extra)
        registry.add_honouree(honouree_id, unit_id, name=f"劳模{honouree_id}", honours=extra.pop("honours", ACTIVE),
                              **extra)


@contextlib.contextmanager
def only(registry, *ids):
    """For a while, every honouree but ``ids`` counts as retired (out of recuperation's roster)."""
    kept = {h: r["employment_status"] for h, r in registry.honourees.items()}
    for h, record in registry.honourees.items():
        if h not in ids:
            record["employment_status"] = "retired"
    try:
        yield
    finally:
        for h, status in kept.items():
            registry.honourees[h]["employment_status"] = status


def plan(welfare, by=CITY, first_year=2022, **extra):
    return welfare.create_recuperation_plan(by, dict({"name": "北京市劳模疗休养五年计划", "first_year": first_year},
                                                     **extra))


def batch(welfare, plan_id, start, end, capacity=10, by=CITY, **extra):
    data = {"destination": "北戴河", "start_date": start, "end_date": end, "capacity": capacity,
            "kind": "with_family"}
    data.update(extra)
    return welfare.create_recuperation_batch(by, plan_id, data)


def attended(welfare, registry, plan_id, honouree_id, start, end, by=CITY):
    """``honouree_id`` went on a batch of ``start``..``end`` (allocated alone, then attended)."""
    made = batch(welfare, plan_id, start, end, capacity=1, by=by)
    with only(registry, honouree_id):
        run = welfare.allocate_recuperation_batch(by, made["id"])
    assert [p["honouree_id"] for p in run["allocated"]] == [honouree_id]
    welfare.record_recuperation_outcome(by, run["allocated"][0]["id"], {"status": "attended"})
    return made


def allocated_ids(run):
    return [p["honouree_id"] for p in run["allocated"]]


# --- the rules in plain Python -------------------------------------------------------------------

def test_the_allocation_order():
    cutoff = date(2024, 1, 20)
    last = {"recent": date(2025, 5, 1), "old": date(2023, 6, 1), "older": date(2022, 1, 1),
            "just-in": date(2024, 1, 21), "just-out": date(2024, 1, 20)}
    ids = ["recent", "old", "never-b", "older", "never-a", "just-in", "just-out"]
    assert rules.allocation_order(ids, last, cutoff) == [
        "never-a", "never-b", "older", "old", "just-out", "just-in", "recent"]


def test_choose_skips_overlaps_and_those_already_in_the_batch_and_stops_at_the_free_places():
    cutoff = date(2024, 1, 20)
    taken = {"busy": [(date(2026, 6, 5), date(2026, 6, 12))], "later": [(date(2026, 7, 1), date(2026, 7, 5))]}
    chosen, skipped = rules.choose(["a", "busy", "later", "in", "b", "c"], taken, {"in"},
                                   date(2026, 6, 1), date(2026, 6, 7), 4, cutoff)
    # busy and later hold (recent) places: they come last; busy's overlaps this batch
    assert chosen == ["a", "b", "c", "later"] and skipped == 1
    chosen, skipped = rules.choose(["a", "busy", "later"], taken, set(), date(2026, 6, 1), date(2026, 6, 7), 1,
                                   cutoff)
    assert chosen == ["a"] and skipped == 0  # stopped before it met the overlap


def test_two_years_before():
    assert rules.two_years_before(date(2026, 1, 20)) == date(2024, 1, 20)
    assert rules.two_years_before(date(2028, 2, 29)) == date(2026, 2, 28)


# --- plans and batches ---------------------------------------------------------------------------

def test_a_plan_runs_five_years_with_12000_places_by_default_and_a_retry_returns_it(welfare):
    made = check(plan(welfare, first_year=2026, request_id="plan-1"), out.RecuperationPlanOut)
    assert (made["first_year"], made["last_year"], made["places"], made["unit_id"]) == (2026, 2030, 12000, "bj")
    assert plan(welfare, first_year=2027, request_id="plan-1") == made
    assert len(welfare.rows(RecuperationPlan)) == 1
    assert plan(welfare, places=300)["places"] == 300
    assert len(welfare.rows(RecuperationPlan)) == 2
    with pytest.raises(Conflict):  # another unit's request_id shows it nothing
        plan(welfare, by=HAIDIAN, request_id="plan-1")
    assert len(welfare.rows(RecuperationPlan)) == 2


@pytest.mark.parametrize("data", [
    {"name": "", "first_year": 2026},
    {"name": "计划", "first_year": 1999},
    {"name": "计划", "first_year": 2026, "places": 0},
    {"name": "计划", "first_year": "2026"},
    {"name": "计划"},
    {"name": "计划", "first_year": 2026, "surprise": 1},
])
def test_a_bad_plan_is_refused_and_changes_nothing(welfare, data):
    with pytest.raises(Invalid):
        welfare.create_recuperation_plan(CITY, data)
    assert welfare.rows(RecuperationPlan) == []


@pytest.mark.parametrize(("changes", "field"), [
    ({"start_date": "2031-01-05", "end_date": "2031-01-10"}, "start_date"),   # after the plan's years
    ({"start_date": "2030-12-28", "end_date": "2031-01-03"}, "end_date"),
    ({"start_date": "2026-05-10", "end_date": "2026-05-01"}, "end_date"),     # ends before it starts
    ({"start_date": "2026-05-01", "end_date": "2026-09-01"}, "end_date"),     # too long
    ({"kind": "by_trade"}, "trade"),                                          # a trade batch names its trade
    ({"trade": "建筑业"}, "trade"),                                            # a family batch has none
    ({"kind": "on_foot"}, "kind"),
    ({"capacity": 0}, "capacity"),
    ({"capacity": 13000}, "capacity"),                                        # more than the plan's places
    ({"destination": "   "}, "destination"),
])
def test_a_bad_batch_is_refused_and_changes_nothing(welfare, changes, field):
    made = plan(welfare, first_year=2026)
    with pytest.raises(Invalid) as refused:
        batch(welfare, made["id"], "2026-05-01", "2026-05-07", **changes)
    assert field in refused.value.details
    assert welfare.rows(RecuperationBatch) == []


def test_a_batch_by_trade_and_a_retry(welfare):
    made = plan(welfare, first_year=2026)
    first = check(batch(welfare, made["id"], "2026-05-01", "2026-05-07", kind="by_trade", trade="建筑业",
                        request_id="b-1"), out.RecuperationBatchOut)
    assert (first["kind"], first["trade"], first["free"], first["plan_id"]) == ("by_trade", "建筑业", 10, made["id"])
    assert first["places"] == {"allocated": 0, "attended": 0, "declined": 0, "cancelled": 0}
    assert batch(welfare, made["id"], "2026-06-01", "2026-06-07", request_id="b-1")["id"] == first["id"]
    assert len(welfare.rows(RecuperationBatch)) == 1
    theirs = plan(welfare, by=HAIDIAN, first_year=2026)
    with pytest.raises(Conflict):  # the request_id of another plan's batch
        batch(welfare, theirs["id"], "2026-05-01", "2026-05-07", by=HAIDIAN, request_id="b-1")
    assert len(welfare.rows(RecuperationBatch)) == 1
    page = check(welfare.list_recuperation_batches(CITY, made["id"]), out.RecuperationBatchPageOut)
    assert [b["id"] for b in page["items"]] == [first["id"]]


# --- allocation ----------------------------------------------------------------------------------

def test_allocation_puts_first_those_longest_without_a_recuperation(welfare, registry):
    honourees(registry, ("h-recent", "hd-bank"), ("h-old", "hd-bank"), ("h-older", "cy-hotel"),
              ("h-never-2", "js-site"), ("h-never-1", "bj-direct"))
    made = plan(welfare)
    attended(welfare, registry, made["id"], "h-recent", "2025-05-01", "2025-05-07")   # within two years
    attended(welfare, registry, made["id"], "h-old", "2023-06-01", "2023-06-07")
    attended(welfare, registry, made["id"], "h-older", "2022-03-01", "2022-03-07")
    summer = batch(welfare, made["id"], "2026-07-01", "2026-07-07", capacity=4)
    run = check(welfare.allocate_recuperation_batch(CITY, summer["id"]), out.RecuperationAllocationOut)
    assert allocated_ids(run) == ["h-never-1", "h-never-2", "h-older", "h-old"]
    assert run["batch"]["free"] == 0 and run["batch"]["places"]["allocated"] == 4
    assert run["skipped_overlapping"] == 0
    # the one left out comes first in the next batch
    autumn = batch(welfare, made["id"], "2026-09-01", "2026-09-07", capacity=1)
    assert allocated_ids(welfare.allocate_recuperation_batch(CITY, autumn["id"])) == ["h-recent"]


def test_only_eligible_in_service_honourees_of_the_callers_scope_are_allocated(welfare, registry):
    honourees(registry, ("h-ok", "hd-bank"), ("h-retired", "hd-bank", {"employment_status": "retired"}),
              ("h-dead", "hd-bank", {"employment_status": "deceased"}),
              ("h-revoked", "hd-bank", {"honours": [{"level": "municipal", "status": "revoked"}]}),
              ("h-chaoyang", "cy-hotel"), ("h-school", "hd-school"))
    made = plan(welfare, by=HAIDIAN, first_year=2026)
    spring = batch(welfare, made["id"], "2026-04-01", "2026-04-07", by=HAIDIAN)
    run = welfare.allocate_recuperation_batch(HAIDIAN, spring["id"])
    assert sorted(allocated_ids(run)) == ["h-ok", "h-school"]


def test_capacity_is_kept_and_a_freed_place_is_filled_by_the_next_run(welfare, registry):
    honourees(registry, *[(f"h-{n}", "hd-bank") for n in range(1, 6)])
    made = plan(welfare, first_year=2026)
    spring = batch(welfare, made["id"], "2026-04-01", "2026-04-07", capacity=2)
    first = welfare.allocate_recuperation_batch(CITY, spring["id"])
    assert allocated_ids(first) == ["h-1", "h-2"]
    again = welfare.allocate_recuperation_batch(CITY, spring["id"])
    assert again["allocated"] == [] and again["batch"]["free"] == 0
    declined = welfare.record_recuperation_outcome(CITY, first["allocated"][0]["id"],
                                                   {"status": "declined", "note": "身体原因"})
    assert (declined["status"], declined["note"]) == ("declined", "身体原因")
    assert welfare.get_recuperation_batch(CITY, spring["id"])["free"] == 1
    refill = welfare.allocate_recuperation_batch(CITY, spring["id"])
    assert allocated_ids(refill) == ["h-3"]  # not h-1 again: nobody twice in one batch
    welfare.record_recuperation_outcome(CITY, refill["allocated"][0]["id"], {"status": "cancelled"})
    assert allocated_ids(welfare.allocate_recuperation_batch(CITY, spring["id"])) == ["h-4"]
    places = welfare.rows(RecuperationPlace, RecuperationPlace.batch_id == spring["id"])
    assert sorted(p.honouree_id for p in places) == ["h-1", "h-2", "h-3", "h-4"]
    listed = check(welfare.list_recuperation_places(CITY, spring["id"], {"status": "allocated"}),
                   out.RecuperationPlacePageOut)
    assert sorted(p["honouree_id"] for p in listed["items"]) == ["h-2", "h-4"]


def test_the_plans_places_bound_the_allocation(welfare, registry):
    honourees(registry, *[(f"h-{n}", "hd-bank") for n in range(1, 6)])
    made = plan(welfare, first_year=2026, places=3)
    spring = batch(welfare, made["id"], "2026-04-01", "2026-04-07", capacity=2)
    summer = batch(welfare, made["id"], "2026-07-01", "2026-07-07", capacity=2)
    assert len(welfare.allocate_recuperation_batch(CITY, spring["id"])["allocated"]) == 2
    assert len(welfare.allocate_recuperation_batch(CITY, summer["id"])["allocated"]) == 1
    progress = check(welfare.recuperation_plan_progress(CITY, made["id"]), out.RecuperationProgressOut)
    assert progress["total"]["used"] == 3 and progress["total"]["remaining"] == 0


def test_a_place_in_an_overlapping_batch_is_skipped_unless_it_was_freed(welfare, registry):
    honourees(registry, ("h-a", "hd-bank"), ("h-b", "hd-bank"), ("h-c", "hd-bank"))
    made = plan(welfare, first_year=2026)
    first = batch(welfare, made["id"], "2026-06-01", "2026-06-07", capacity=2)
    welfare.allocate_recuperation_batch(CITY, first["id"])  # h-a, h-b
    overlapping = batch(welfare, made["id"], "2026-06-07", "2026-06-12", capacity=3)
    run = welfare.allocate_recuperation_batch(CITY, overlapping["id"])
    assert allocated_ids(run) == ["h-c"] and run["skipped_overlapping"] == 2
    # h-a cancels the first batch: no longer held there, so the overlapping one takes h-a
    place_a = next(p for p in welfare.list_recuperation_places(CITY, first["id"])["items"] if p["honouree_id"] == "h-a")
    welfare.record_recuperation_outcome(CITY, place_a["id"], {"status": "cancelled"})
    run = welfare.allocate_recuperation_batch(CITY, overlapping["id"])
    assert allocated_ids(run) == ["h-a"] and run["skipped_overlapping"] == 1
    # a batch after the first is no overlap
    later = batch(welfare, made["id"], "2026-06-13", "2026-06-20", capacity=3)
    run = welfare.allocate_recuperation_batch(CITY, later["id"])
    assert sorted(allocated_ids(run)) == ["h-a", "h-b", "h-c"] and run["skipped_overlapping"] == 0


def test_an_allocation_retry_answers_as_the_first_run(welfare, registry):
    ids = [f"h-{c}" for c in "abcdef"]
    honourees(registry, *[(h, "hd-bank") for h in ids])
    made = plan(welfare, first_year=2026)
    spring = batch(welfare, made["id"], "2026-04-01", "2026-04-07", capacity=5)
    first = welfare.allocate_recuperation_batch(CITY, spring["id"], {"request_id": "alloc-1"})
    assert allocated_ids(first) == ids[:5]
    retry = welfare.allocate_recuperation_batch(CITY, spring["id"], {"request_id": "alloc-1"})
    assert retry == first  # the same places, in the same (priority) order
    assert [p["honouree_id"] for p in welfare.list_recuperation_places(CITY, spring["id"])["items"]] == ids[:5]
    assert len(welfare.rows(RecuperationPlace)) == 5 and len(welfare.rows(RecuperationAllocation)) == 1
    summer = batch(welfare, made["id"], "2026-07-01", "2026-07-07", capacity=1)
    with pytest.raises(Conflict):
        welfare.allocate_recuperation_batch(CITY, summer["id"], {"request_id": "alloc-1"})
    with pytest.raises(Invalid):
        welfare.allocate_recuperation_batch(CITY, summer["id"], {"request_id": ""})
    assert len(welfare.rows(RecuperationPlace)) == 5


# --- outcomes ------------------------------------------------------------------------------------

def test_outcomes_move_one_way_and_attended_waits_for_the_start(welfare, registry, clock):
    honourees(registry, ("h-a", "hd-bank"))
    made = plan(welfare, first_year=2026)
    spring = batch(welfare, made["id"], "2026-04-01", "2026-04-07")
    place = welfare.allocate_recuperation_batch(CITY, spring["id"])["allocated"][0]
    with pytest.raises(Conflict) as early:
        welfare.record_recuperation_outcome(CITY, place["id"], {"status": "attended"})
    assert early.value.details == {"start_date": "2026-04-01"}
    for bad in ({"status": "allocated"}, {"status": "gone"}, {}, {"status": "declined", "note": ""}):
        with pytest.raises(Invalid):
            welfare.record_recuperation_outcome(CITY, place["id"], bad)
    assert welfare.rows(RecuperationPlace)[0].status.value == "allocated"
    clock.set(datetime(2026, 4, 1, 1, 0, tzinfo=UTC))  # 09:00 on the first day in Beijing
    went = check(welfare.record_recuperation_outcome(CITY, place["id"], {"status": "attended"}),
                 out.RecuperationPlaceOut)
    assert went["status"] == "attended"
    assert welfare.record_recuperation_outcome(CITY, place["id"], {"status": "attended"}) == went  # a retry
    with pytest.raises(Conflict):
        welfare.record_recuperation_outcome(CITY, place["id"], {"status": "declined"})
    trail = check(welfare.recuperation_batch_audit(CITY, spring["id"]), out.RecuperationAuditEntryOut, many=True)
    assert [(e["entity"], e["action"]) for e in trail] == [
        ("recuperation_batch", "created"), ("recuperation_place", "allocated"), ("recuperation_place", "attended")]
    assert trail[-1]["changes"]["status"] == ["allocated", "attended"]
    assert trail[-1]["account"] == "city.finance"


# --- the overdue list and progress ---------------------------------------------------------------

def test_the_overdue_list_follows_the_clock(welfare, registry, clock):
    honourees(registry, ("h-went", "hd-bank"), ("h-never", "hd-bank"), ("h-long-ago", "hd-bank"),
              ("h-allocated", "hd-bank"), ("h-retired", "hd-bank", {"employment_status": "retired"}),
              ("h-revoked", "hd-bank", {"honours": [{"level": "municipal", "status": "revoked"}]}))
    made = plan(welfare)
    attended(welfare, registry, made["id"], "h-went", "2024-02-20", "2024-03-01")
    attended(welfare, registry, made["id"], "h-long-ago", "2023-05-01", "2023-05-07")
    summer = batch(welfare, made["id"], "2026-07-01", "2026-07-07", capacity=1)
    with only(registry, "h-allocated"):
        welfare.allocate_recuperation_batch(CITY, summer["id"])  # allocated, not yet attended: still overdue
    page = check(welfare.recuperation_overdue(CITY), out.RecuperationOverduePageOut)
    assert [(i["honouree_id"], i["last_attended_end"]) for i in page["items"]] == [
        ("h-allocated", None), ("h-never", None), ("h-long-ago", "2023-05-07")]
    assert page["items"][0]["name"] == "劳模h-allocated" and page["items"][0]["managing_unit_id"] == "hd-bank"
    clock.set(datetime(2026, 3, 2, 2, 0, tzinfo=UTC))  # two years after 2024-03-01 have passed
    page = welfare.recuperation_overdue(CITY, {"page": 2, "page_size": 3})
    assert page["total"] == 4 and page["pages"] == 2
    assert [i["honouree_id"] for i in page["items"]] == ["h-went"]
    assert welfare.recuperation_overdue(HAIDIAN)["total"] == 4
    assert welfare.recuperation_overdue(CHAOYANG)["total"] == 0
    with pytest.raises(Invalid):
        welfare.recuperation_overdue(CITY, {"page_size": 0})


def test_plan_progress_per_year_and_in_total(welfare, registry, clock):
    honourees(registry, *[(f"h-{n}", "hd-bank") for n in range(1, 5)])
    made = plan(welfare, first_year=2025, places=100)
    early = batch(welfare, made["id"], "2025-05-01", "2025-05-07", capacity=2)
    late = batch(welfare, made["id"], "2026-08-01", "2026-08-07", capacity=5)
    first = welfare.allocate_recuperation_batch(CITY, early["id"])
    welfare.record_recuperation_outcome(CITY, first["allocated"][0]["id"], {"status": "attended"})
    welfare.record_recuperation_outcome(CITY, first["allocated"][1]["id"], {"status": "declined"})
    welfare.allocate_recuperation_batch(CITY, late["id"])
    progress = welfare.recuperation_plan_progress(CITY, made["id"])
    years = {row["year"]: row for row in progress["years"]}
    assert sorted(years) == [2025, 2026, 2027, 2028, 2029]
    assert years[2025] == {"year": 2025, "batches": 1, "capacity": 2, "allocated": 0, "attended": 1, "used": 1}
    assert years[2026] == {"year": 2026, "batches": 1, "capacity": 5, "allocated": 4, "attended": 0, "used": 4}
    assert years[2027]["batches"] == 0
    assert progress["total"] == {"batches": 2, "capacity": 7, "allocated": 4, "attended": 1, "used": 5,
                                 "places": 100, "remaining": 95}


# --- scope ---------------------------------------------------------------------------------------

def test_another_districts_plans_batches_and_places_are_absent(welfare, registry):
    honourees(registry, ("h-cy", "cy-hotel"))
    made = plan(welfare, by=CHAOYANG, first_year=2026)
    theirs = batch(welfare, made["id"], "2026-04-01", "2026-04-07", by=CHAOYANG)
    place = welfare.allocate_recuperation_batch(CHAOYANG, theirs["id"])["allocated"][0]
    calls = [
        lambda: welfare.get_recuperation_plan(HAIDIAN, made["id"]),
        lambda: welfare.recuperation_plan_progress(HAIDIAN, made["id"]),
        lambda: welfare.list_recuperation_batches(HAIDIAN, made["id"]),
        lambda: batch(welfare, made["id"], "2026-05-01", "2026-05-07", by=HAIDIAN),
        lambda: welfare.get_recuperation_batch(HAIDIAN, theirs["id"]),
        lambda: welfare.allocate_recuperation_batch(HAIDIAN, theirs["id"]),
        lambda: welfare.list_recuperation_places(HAIDIAN, theirs["id"]),
        lambda: welfare.recuperation_batch_audit(HAIDIAN, theirs["id"]),
        lambda: welfare.record_recuperation_outcome(HAIDIAN, place["id"], {"status": "declined"}),
    ]
    for call in calls:
        with pytest.raises(NotFound):
            call()
    hidden = pytest.raises(NotFound, welfare.get_recuperation_batch, HAIDIAN, theirs["id"]).value
    absent = pytest.raises(NotFound, welfare.get_recuperation_batch, HAIDIAN, "nope").value
    assert hidden.message.replace(theirs["id"], "?") == absent.message.replace("nope", "?")
    assert welfare.list_recuperation_plans(HAIDIAN)["items"] == []
    assert [p["id"] for p in welfare.list_recuperation_plans(CITY)["items"]] == [made["id"]]  # the city sees below
    assert welfare.list_recuperation_plans(BANK)["total"] == 0
    assert welfare.rows(RecuperationPlace)[0].status.value == "allocated"
    assert len(welfare.rows(RecuperationBatch)) == 1
    check(welfare.list_recuperation_plans(CITY), out.RecuperationPlanPageOut)
    check(welfare.get_recuperation_plan(CITY, made["id"]), out.RecuperationPlanOut)


def test_the_revocation_cascade_cancels_only_places_not_yet_begun(welfare, registry):
    honourees(registry, ("h-a", "hd-bank"))
    made = plan(welfare, first_year=2025)
    went = attended(welfare, registry, made["id"], "h-a", "2025-05-01", "2025-05-07")
    running = batch(welfare, made["id"], "2026-01-18", "2026-01-24")
    coming = batch(welfare, made["id"], "2026-06-01", "2026-06-07")
    welfare.allocate_recuperation_batch(CITY, running["id"])
    welfare.allocate_recuperation_batch(CITY, coming["id"])
    for expected in ([coming["id"]], []):  # a second time changes nothing
        with welfare.engine.unit_of_work() as uow:
            cancelled = [p.batch_id for p in rules.cancel_future_places(uow, SYSTEM, "h-a", date(2026, 1, 20))]
        assert cancelled == expected
    by_batch = {p.batch_id: p.status.value for p in welfare.rows(RecuperationPlace)}
    assert by_batch == {went["id"]: "attended", running["id"]: "allocated", coming["id"]: "cancelled"}
    assert welfare.get_recuperation_batch(CITY, coming["id"])["free"] == 10
