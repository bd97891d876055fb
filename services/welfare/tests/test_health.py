"""Health check-ups (个性化体检): one a year per honouree, results sealed and masked, the overdue list by
the clock, coverage per unit, scope, bad input and retries.

The clock stands at 2026-01-20 (Beijing).
"""
import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from services.chassis.errors import Conflict, Invalid, NotFound
from services.chassis.schemas import HIDDEN
from services.chassis.testing import check
from services.welfare.models.health import HealthCheckUp
from services.welfare.responses import health as out
from services.welfare.service import WelfareService

from .conftest import BANK, CHAOYANG, CITY, HAIDIAN

ACTIVE = [{"level": "municipal", "status": "active"}]
RESULTS = "血压 150/95，建议复查；空腹血糖 6.8"
CLEAR = dict(CITY, personal_data=True)
HAIDIAN_CLEAR = dict(HAIDIAN, personal_data=True)


def honourees(registry, *specs):
    for spec in specs:
        honouree_id, unit_id, extra = (*spec, {})[:3]
        extra = dict(extra)
        registry.add_honouree(honouree_id, unit_id, name=f"劳模{honouree_id}", honours=extra.pop("honours", ACTIVE),
                              **extra)


def check_up(welfare, honouree_id, checked_on="2026-01-10", by=HAIDIAN, **extra):
    data = {"honouree_id": honouree_id, "checked_on": checked_on, "institution": "北京市劳模健康管理中心",
            "results": RESULTS}
    data.update(extra)
    return welfare.record_health_check_up(by, data)


def audit_rows(welfare):
    log = welfare.engine.metadata.tables["audit_log"]
    with welfare.engine.reading() as connection:
        return connection.execute(select(log).order_by(log.c.id)).all()


def test_results_are_sealed_and_shown_only_with_the_personal_data_right(welfare, registry, sealer):
    honourees(registry, ("h-a", "hd-bank"))
    masked = check(check_up(welfare, "h-a"), out.HealthCheckUpOut)
    assert masked["results"] == HIDDEN
    assert (masked["year"], masked["checked_on"], masked["honouree_id"]) == (2026, "2026-01-10", "h-a")
    row = welfare.rows(HealthCheckUp)[0]
    assert RESULTS not in row.results_sealed and sealer.unseal(row.results_sealed) == RESULTS
    assert welfare.get_health_check_up(HAIDIAN, masked["id"])["results"] == HIDDEN
    assert welfare.get_health_check_up(HAIDIAN_CLEAR, masked["id"])["results"] == RESULTS
    assert welfare.get_health_check_up(CLEAR, masked["id"])["results"] == RESULTS
    assert welfare.list_health_check_ups(CITY)["items"][0]["results"] == HIDDEN
    assert welfare.list_health_check_ups(CLEAR)["items"][0]["results"] == RESULTS
    # the audit trail says the results were set, never what they are; no event carries them
    trail = check(welfare.health_check_up_audit(CLEAR, masked["id"]), out.HealthAuditEntryOut, many=True)
    assert [(e["action"], e["changes"]["results"]) for e in trail] == [("recorded", [None, HIDDEN])]
    assert all(RESULTS not in row.changes and "血压" not in row.changes for row in audit_rows(welfare))
    outbox = welfare.engine.outbox
    with welfare.engine.reading() as connection:
        assert all("血压" not in payload for payload in connection.execute(select(outbox.c.payload)).scalars())


def test_the_results_are_kept_out_of_the_rpc_log():
    entrypoint = next(iter(WelfareService.record_health_check_up.nameko_entrypoints))
    assert entrypoint.sensitive_arguments == ("data.results",)


def test_one_check_up_a_year_and_a_retry_returns_the_first(welfare, registry, clock):
    honourees(registry, ("h-a", "hd-bank"))
    first = check_up(welfare, "h-a", request_id="hc-1")
    assert check_up(welfare, "h-a", checked_on="2026-01-15", request_id="hc-1") == first
    with pytest.raises(Conflict) as twice:
        check_up(welfare, "h-a", checked_on="2026-01-15")
    assert twice.value.details == {"check_up_id": first["id"], "year": 2026}
    with pytest.raises(Conflict):
        check_up(welfare, "h-a", checked_on="2026-01-19", request_id="hc-2")
    registry.add_honouree("h-b", "hd-bank", honours=ACTIVE)
    with pytest.raises(Conflict):  # the same request_id for someone else
        check_up(welfare, "h-b", request_id="hc-1")
    with pytest.raises(NotFound):  # a retry from outside the scope shows nothing
        check_up(welfare, "h-a", by=CHAOYANG, request_id="hc-1")
    last_year = check_up(welfare, "h-a", checked_on="2025-11-03")
    assert last_year["year"] == 2025
    clock.set(datetime(2027, 2, 1, 2, 0, tzinfo=UTC))
    assert check_up(welfare, "h-a", checked_on="2027-01-30")["year"] == 2027
    assert len(welfare.rows(HealthCheckUp)) == 3
    assert len(audit_rows(welfare)) == 3


@pytest.mark.parametrize(("changes", "field"), [
    ({"checked_on": "2026-01-21"}, "checked_on"),  # tomorrow in Beijing
    ({"checked_on": "2026-13-01"}, "checked_on"),
    ({"institution": ""}, "institution"),
    ({"results": "  "}, "results"),
    ({"results": "x" * 20_001}, "results"),
    ({"honouree_id": ""}, "honouree_id"),
    ({"request_id": "x" * 65}, "request_id"),
    ({"blood_type": "A"}, "blood_type"),
])
def test_bad_input_is_refused_and_changes_nothing(welfare, registry, changes, field):
    honourees(registry, ("h-a", "hd-bank"))
    with pytest.raises(Invalid) as refused:
        check_up(welfare, **dict({"honouree_id": "h-a"}, **changes))
    assert field in refused.value.details
    assert welfare.rows(HealthCheckUp) == [] and audit_rows(welfare) == []


def test_only_an_eligible_honouree_in_scope_is_checked(welfare, registry):
    honourees(registry, ("h-cy", "cy-hotel"), ("h-dead", "hd-bank", {"employment_status": "deceased"}),
              ("h-revoked", "hd-bank", {"honours": [{"level": "municipal", "status": "revoked"}]}),
              ("h-retired", "hd-bank", {"employment_status": "retired"}))
    with pytest.raises(NotFound):
        check_up(welfare, "h-cy")
    with pytest.raises(NotFound):
        check_up(welfare, "h-nobody")
    for ineligible in ("h-dead", "h-revoked"):
        with pytest.raises(Conflict):
            check_up(welfare, ineligible)
    assert welfare.rows(HealthCheckUp) == []
    assert check_up(welfare, "h-retired")["honouree_id"] == "h-retired"  # retired people are checked too


def test_another_districts_check_ups_are_absent(welfare, registry):
    honourees(registry, ("h-cy", "cy-hotel"), ("h-hd", "hd-bank"))
    theirs = check_up(welfare, "h-cy", by=CHAOYANG)
    ours = check_up(welfare, "h-hd")
    for call in (welfare.get_health_check_up, welfare.health_check_up_audit):
        hidden = pytest.raises(NotFound, call, HAIDIAN_CLEAR, theirs["id"]).value
        absent = pytest.raises(NotFound, call, HAIDIAN_CLEAR, "nope").value
        assert hidden.details == {"check_up_id": theirs["id"]}
        assert hidden.message.replace(theirs["id"], "?") == absent.message.replace("nope", "?")
    assert [c["id"] for c in welfare.list_health_check_ups(HAIDIAN)["items"]] == [ours["id"]]
    assert welfare.list_health_check_ups(HAIDIAN, {"honouree_id": "h-cy"})["items"] == []
    assert welfare.list_health_check_ups(BANK)["total"] == 1
    assert welfare.list_health_check_ups(CITY, {"year": "2026"})["total"] == 2
    assert welfare.list_health_check_ups(CITY, {"year": 2025})["total"] == 0
    page = check(welfare.list_health_check_ups(CITY, {"honouree_id": "h-cy"}), out.HealthCheckUpPageOut)
    assert [c["id"] for c in page["items"]] == [theirs["id"]]
    with pytest.raises(Invalid):
        welfare.list_health_check_ups(CITY, {"year": "last"})
    # a transfer of management moves the check-ups with the honouree: the registry decides, at each call
    registry.honourees["h-cy"]["managing_unit_id"] = "hd-bank"
    assert welfare.get_health_check_up(HAIDIAN, theirs["id"])["id"] == theirs["id"]


def test_who_is_overdue_follows_the_clocks_year(welfare, registry, clock):
    honourees(registry, ("h-done", "hd-bank"), ("h-last-year", "hd-bank"), ("h-never", "hd-school"),
              ("h-retired", "hd-bank", {"employment_status": "retired"}),
              ("h-revoked", "hd-bank", {"honours": [{"level": "municipal", "status": "revoked"}]}),
              ("h-cy", "cy-hotel"))
    check_up(welfare, "h-done", checked_on="2026-01-05")
    check_up(welfare, "h-last-year", checked_on="2025-06-01")
    page = check(welfare.health_check_ups_overdue(HAIDIAN), out.HealthOverduePageOut)
    assert [(i["honouree_id"], i["last_checked_on"]) for i in page["items"]] == [
        ("h-never", None), ("h-retired", None), ("h-last-year", "2025-06-01")]
    assert page["items"][0] == {"honouree_id": "h-never", "name": "劳模h-never", "managing_unit_id": "hd-school",
                                "last_checked_on": None}
    assert welfare.health_check_ups_overdue(CITY)["total"] == 4  # and 朝阳's
    assert welfare.health_check_ups_overdue(CHAOYANG)["total"] == 1
    clock.set(datetime(2027, 1, 1, 0, 0, tzinfo=UTC))  # 08:00 on New Year's Day in Beijing
    page = welfare.health_check_ups_overdue(HAIDIAN, {"page": 2, "page_size": 2})
    assert (page["total"], page["pages"]) == (4, 2)
    assert [i["honouree_id"] for i in page["items"]] == ["h-last-year", "h-done"]
    with pytest.raises(Invalid):
        welfare.health_check_ups_overdue(HAIDIAN, {"page": 0})


def test_coverage_per_managing_unit(welfare, registry):
    honourees(registry, ("h-1", "hd-bank"), ("h-2", "hd-bank"), ("h-3", "hd-bank"), ("h-4", "hd-school"),
              ("h-5", "cy-hotel"), ("h-gone", "hd-bank", {"honours": [{"level": "district", "status": "revoked"}]}))
    check_up(welfare, "h-1")
    check_up(welfare, "h-4")
    check_up(welfare, "h-2", checked_on="2025-12-30")  # last year's: not this year's coverage
    coverage = check(welfare.health_check_up_coverage(HAIDIAN), out.HealthCoverageOut)
    assert coverage == {"year": 2026, "units": [
        {"unit_id": "hd-bank", "unit_name": "海淀银行工会", "eligible": 3, "checked": 1, "ratio": 0.3333},
        {"unit_id": "hd-school", "unit_name": "海淀职业学校工会", "eligible": 1, "checked": 1, "ratio": 1.0}],
        "total": {"eligible": 4, "checked": 2, "ratio": 0.5}}
    city = welfare.health_check_up_coverage(CITY)
    assert [u["unit_id"] for u in city["units"]] == ["cy-hotel", "hd-bank", "hd-school"]
    assert city["total"] == {"eligible": 5, "checked": 2, "ratio": 0.4}
    assert welfare.health_check_up_coverage(HAIDIAN, {"year": 2025})["total"] == {"eligible": 4, "checked": 1,
                                                                                  "ratio": 0.25}
    assert welfare.health_check_up_coverage(BANK, {"year": "2030"})["total"] == {"eligible": 3, "checked": 0,
                                                                                 "ratio": 0.0}
    with pytest.raises(Invalid):
        welfare.health_check_up_coverage(BANK, {"year": 1900})
    assert json.dumps(coverage, ensure_ascii=False)  # plain JSON
