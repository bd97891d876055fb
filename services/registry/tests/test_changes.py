"""Major-change reports (重大变化报告), escalated one tier up, and the units' to-do lists (待办)."""
from datetime import date, datetime, timezone

import pytest

from services.chassis.errors import Conflict, Forbidden, Invalid, NotFound

from .workflows import actions, actor, events, grow, register

BANK, HAIDIAN, CITY = actor("hd-bank"), actor("bj-haidian"), actor("bj")
SITE, JIANSHE = actor("js-site"), actor("bj-jianshe")


@pytest.fixture
def registry(registry):
    return grow(registry)


def illness(**extra):
    return dict({"kind": "serious_illness", "occurred_on": "2024-04-20", "description": "住院治疗"}, **extra)


def todo(registry, who, **query):
    return registry.list_todo(who, query)["items"]


# --- report_change -----------------------------------------------------------------------------

def test_a_report_is_recorded_and_escalated_to_the_parent_unit(registry):
    record = register(registry, "hd-bank", name="李四")
    report = registry.report_change(BANK, record["id"], illness())
    assert {k: v for k, v in report.items() if k != "id"} == {
        "honouree_id": record["id"], "kind": "serious_illness", "occurred_on": "2024-04-20",
        "description": "住院治疗", "reported_by_account": "officer@hd-bank",
        "reported_by_unit_id": "hd-bank", "escalated_to_unit_id": "bj-haidian", "status": "open",
        "acknowledged_by": None, "created_at": "2024-05-01T08:30:00+00:00", "acknowledged_at": None,
        "transfer": None}
    [item] = todo(registry, HAIDIAN)
    assert {k: item[k] for k in ("unit_id", "kind", "subject_id", "honouree_id", "status", "done_at")} == {
        "unit_id": "bj-haidian", "kind": "change_report", "subject_id": report["id"],
        "honouree_id": record["id"], "status": "open", "done_at": None}
    assert "李四" in item["title"] and "serious illness" in item["title"]
    assert todo(registry, BANK) == [] and todo(registry, CITY) == []  # only the next tier up
    after = registry.get_honouree(BANK, record["id"])
    assert (after["employment_status"], after["version"]) == ("in_service", record["version"])


def test_the_event_names_the_report_and_the_units_and_carries_no_personal_data(registry):
    record = register(registry, "hd-bank", name="李四")
    report = registry.report_change(BANK, record["id"], illness())
    [event] = events(registry, "major_change_reported")
    assert set(event) == {"report_id", "honouree_id", "kind", "managing_unit_id", "escalated_to_unit_id",
                          "event_id", "occurred_at"}
    assert {k: event[k] for k in ("report_id", "honouree_id", "kind", "managing_unit_id", "escalated_to_unit_id")} == {
        "report_id": report["id"], "honouree_id": record["id"], "kind": "serious_illness",
        "managing_unit_id": "hd-bank", "escalated_to_unit_id": "bj-haidian"}
    assert "住院" not in str(event) and "李四" not in str(event)


def test_the_report_is_in_the_audit_trail(registry):
    record = register(registry, "hd-bank")
    report = registry.report_change(BANK, record["id"], illness())
    [entry] = registry.audit_trail(HAIDIAN, "change_report", report["id"])
    assert (entry["action"], entry["account"], entry["unit_id"]) == ("reported", "officer@hd-bank", "hd-bank")
    assert entry["changes"]["kind"] == [None, "serious_illness"]
    assert entry["changes"]["escalated_to_unit_id"] == [None, "bj-haidian"]


@pytest.mark.parametrize("unit_id, escalated_to", [
    ("bj-haidian", "bj"),     # a district reports to the city
    ("bj", "bj"),             # the city federation is the top: its own reports stay with it
    ("js-site", "bj-jianshe"),  # a grassroots union of a system reports to the system
])
def test_the_next_tier_up(registry, unit_id, escalated_to):
    record = register(registry, unit_id)
    report = registry.report_change(actor(unit_id), record["id"], illness())
    assert report["escalated_to_unit_id"] == escalated_to
    assert [i["subject_id"] for i in todo(registry, actor(escalated_to))] == [report["id"]]
    assert events(registry, "major_change_reported")[0]["escalated_to_unit_id"] == escalated_to


def test_a_death_marks_the_record_deceased_through_the_audited_correction(registry):
    record = register(registry, "hd-bank")
    registry.report_change(BANK, record["id"], {"kind": "death", "occurred_on": "2024-04-30",
                                                "description": "病故"})
    after = registry.get_honouree(BANK, record["id"])
    assert (after["employment_status"], after["version"]) == ("deceased", record["version"] + 1)
    trail = registry.audit_trail(BANK, "honouree", record["id"])
    assert actions(trail, "honouree") == ["registered", "corrected"]
    assert actions(trail, "change_report") == ["reported"]
    assert trail[-1]["changes"] == {"employment_status": ["in_service", "deceased"]}
    assert [e["fields"] for e in events(registry, "honouree_updated")] == [["employment_status"]]
    assert registry.overdue_verifications(BANK, {})["total"] == 0  # no verification for the dead


def test_a_second_death_report_is_a_conflict(registry):
    record = register(registry, "hd-bank")
    registry.report_change(BANK, record["id"], {"kind": "death", "description": "病故"})
    with pytest.raises(Conflict):
        registry.report_change(BANK, record["id"], {"kind": "death", "description": "病故"})
    assert len(todo(registry, HAIDIAN)) == 1
    assert len(events(registry, "major_change_reported")) == 1


def test_leaving_the_employer_opens_a_transfer_to_the_district_union(registry):
    record = register(registry, "hd-bank", name="王五")
    report = registry.report_change(BANK, record["id"], {
        "kind": "left_employer", "occurred_on": "2024-04-01", "description": "辞职"})
    after = registry.get_honouree(BANK, record["id"])
    assert after["employment_status"] == "left_employer"
    assert after["managing_unit_id"] == "hd-bank"  # still managed until the district accepts
    transfer = report["transfer"]
    assert {k: transfer[k] for k in ("honouree_id", "from_unit_id", "to_unit_id", "management_mode",
                                     "status", "deciding_unit_id")} == {
        "honouree_id": record["id"], "from_unit_id": "hd-bank", "to_unit_id": "bj-haidian",
        "management_mode": "territorial", "status": "pending", "deciding_unit_id": "bj-haidian"}
    assert report["id"] in transfer["reason"]
    assert {(i["kind"], i["subject_id"]) for i in todo(registry, HAIDIAN)} == {
        ("change_report", report["id"]), ("transfer", transfer["id"])}
    assert [t["id"] for t in registry.list_transfers(BANK, {"status": "pending"})["items"]] == [transfer["id"]]

    registry.accept_transfer(HAIDIAN, transfer["id"])
    moved = registry.get_honouree(HAIDIAN, record["id"])
    assert (moved["managing_unit_id"], moved["management_mode"]) == ("bj-haidian", "territorial")


def test_leaving_the_employer_while_the_district_already_manages_the_record(registry):
    record = register(registry, "bj-haidian", management_mode="by_unit")
    report = registry.report_change(HAIDIAN, record["id"], {"kind": "left_employer", "description": "辞职"})
    assert report["transfer"] is None
    after = registry.get_honouree(HAIDIAN, record["id"])
    assert (after["employment_status"], after["management_mode"]) == ("left_employer", "territorial")
    assert registry.list_transfers(HAIDIAN, {})["total"] == 0


def test_leaving_the_employer_without_a_district_union_is_invalid_and_records_nothing(registry):
    record = register(registry, "js-site")  # a system's grassroots union, in no district
    with pytest.raises(Invalid) as raised:
        registry.report_change(SITE, record["id"], {"kind": "left_employer", "description": "辞职"})
    assert set(raised.value.details) == {"kind"}
    assert "district" in raised.value.message
    assert registry.get_honouree(SITE, record["id"])["employment_status"] == "in_service"
    assert todo(registry, JIANSHE) == []
    assert events(registry, "major_change_reported") == []


def test_leaving_the_employer_with_another_transfer_pending_is_a_conflict(registry):
    record = register(registry, "hd-bank")
    pending = registry.request_transfer(BANK, record["id"], {
        "to_unit_id": "hd-school", "reason": "调动", "management_mode": "by_unit"})
    with pytest.raises(Conflict) as raised:
        registry.report_change(BANK, record["id"], {"kind": "left_employer", "description": "辞职"})
    assert raised.value.details["transfer_id"] == pending["id"]
    assert registry.get_honouree(BANK, record["id"])["employment_status"] == "in_service"
    assert [i["kind"] for i in todo(registry, HAIDIAN)] == []


def test_leaving_the_employer_with_the_district_transfer_already_pending_reuses_it(registry):
    record = register(registry, "hd-bank")
    pending = registry.request_transfer(BANK, record["id"], {
        "to_unit_id": "bj-haidian", "reason": "转属地", "management_mode": "territorial"})
    report = registry.report_change(BANK, record["id"], {"kind": "left_employer", "description": "辞职"})
    assert report["transfer"]["id"] == pending["id"]
    assert registry.list_transfers(BANK, {})["total"] == 1


@pytest.mark.parametrize("status", ["left_employer", "deceased"])
def test_leaving_the_employer_again_is_a_conflict(registry, status):
    record = register(registry, "hd-bank", employment_status=status)
    with pytest.raises(Conflict):
        registry.report_change(BANK, record["id"], {"kind": "left_employer", "description": "辞职"})
    assert registry.list_transfers(BANK, {})["total"] == 0


def test_only_the_managing_unit_reports(registry):
    record = register(registry, "hd-bank")
    with pytest.raises(Forbidden) as raised:
        registry.report_change(HAIDIAN, record["id"], illness())
    assert raised.value.details == {"managing_unit_id": "hd-bank"}
    with pytest.raises(NotFound):
        registry.report_change(actor("hd-school"), record["id"], illness())
    with pytest.raises(NotFound):
        registry.report_change(BANK, "0" * 32, illness())
    assert todo(registry, HAIDIAN) == []


@pytest.mark.parametrize("data, field", [
    ({"description": "住院"}, "kind"),
    (illness(kind="divorce"), "kind"),
    (illness(description=None), "description"),
    ({"kind": "serious_illness"}, "description"),
    (illness(description="   "), "description"),
    (illness(description="字" * 2001), "description"),
    (illness(occurred_on="April 20"), "occurred_on"),
    (illness(occurred_on="2024-05-02"), "occurred_on"),  # tomorrow in Beijing
    (illness(phone="13800000000"), "phone"),
], ids=["kind-missing", "kind-unknown", "description-null", "description-missing", "description-blank",
        "description-too-long", "date-unreadable", "date-in-the-future", "unknown-field"])
def test_a_bad_report_is_invalid_naming_the_field(registry, data, field):
    record = register(registry, "hd-bank")
    with pytest.raises(Invalid) as raised:
        registry.report_change(BANK, record["id"], data)
    assert set(raised.value.details) == {field}
    assert todo(registry, HAIDIAN) == []


def test_a_change_of_today_in_beijing_is_not_in_the_future(registry, clock):
    clock.set(datetime(2024, 5, 1, 20, 0, tzinfo=timezone.utc))  # 04:00 on 2 May in Beijing
    record = register(registry, "hd-bank")
    report = registry.report_change(BANK, record["id"], illness(occurred_on="2024-05-02"))
    assert report["occurred_on"] == date(2024, 5, 2).isoformat()


# --- acknowledge_change ------------------------------------------------------------------------

def test_the_unit_reported_to_acknowledges_and_its_to_do_item_is_done(registry, clock):
    record = register(registry, "hd-bank")
    report = registry.report_change(BANK, record["id"], illness())
    clock.advance(days=2)
    acknowledged = registry.acknowledge_change(actor("bj-haidian", "chief@bj-haidian"), report["id"])
    assert (acknowledged["status"], acknowledged["acknowledged_by"], acknowledged["acknowledged_at"]) == (
        "acknowledged", "chief@bj-haidian", "2024-05-03T08:30:00+00:00")
    [item] = todo(registry, HAIDIAN)
    assert (item["status"], item["done_at"]) == ("done", "2024-05-03T08:30:00+00:00")
    assert todo(registry, HAIDIAN, status="open") == []
    trail = registry.audit_trail(HAIDIAN, "change_report", report["id"])
    assert actions(trail) == ["reported", "acknowledged"]
    assert trail[-1]["changes"]["status"] == ["open", "acknowledged"]
    assert trail[-1]["account"] == "chief@bj-haidian"


def test_acknowledging_twice_is_a_conflict(registry):
    record = register(registry, "hd-bank")
    report = registry.report_change(BANK, record["id"], illness())
    registry.acknowledge_change(HAIDIAN, report["id"])
    with pytest.raises(Conflict):
        registry.acknowledge_change(HAIDIAN, report["id"])


def test_only_the_unit_reported_to_acknowledges(registry):
    record = register(registry, "hd-bank")
    report = registry.report_change(BANK, record["id"], illness())
    for who in (BANK, CITY):  # both see the record, neither is the unit reported to
        with pytest.raises(Forbidden) as raised:
            registry.acknowledge_change(who, report["id"])
        assert raised.value.details == {"escalated_to_unit_id": "bj-haidian"}
    with pytest.raises(NotFound):
        registry.acknowledge_change(actor("bj-chaoyang"), report["id"])
    with pytest.raises(NotFound):
        registry.acknowledge_change(HAIDIAN, "0" * 32)
    assert todo(registry, HAIDIAN)[0]["status"] == "open"


# --- list_todo ---------------------------------------------------------------------------------

def test_the_to_do_list_is_the_units_own_filtered_and_paged(registry, clock):
    reports = []
    for name in ("甲", "乙", "丙"):
        record = register(registry, "hd-bank", name=name)
        reports.append(registry.report_change(BANK, record["id"], illness()))
        clock.advance(minutes=1)
    registry.acknowledge_change(HAIDIAN, reports[1]["id"])
    everything = registry.list_todo(HAIDIAN, {})
    assert [i["subject_id"] for i in everything["items"]] == [r["id"] for r in reports]  # oldest first
    assert [i["subject_id"] for i in todo(registry, HAIDIAN, status="open")] == [reports[0]["id"], reports[2]["id"]]
    assert [i["subject_id"] for i in todo(registry, HAIDIAN, status="done")] == [reports[1]["id"]]
    assert todo(registry, HAIDIAN, kind="transfer") == []
    page = registry.list_todo(HAIDIAN, {"page": 2, "page_size": 2})
    assert (page["total"], page["pages"], [i["subject_id"] for i in page["items"]]) == (3, 2, [reports[2]["id"]])
    assert registry.list_todo(CITY, {})["total"] == 0  # the city's list is the city's own


@pytest.mark.parametrize("query, field", [
    ({"status": "closed"}, "status"), ({"kind": "birthday"}, "kind"), ({"unit_id": "bj"}, "unit_id"),
    ({"page_size": 0}, "page_size"),
])
def test_a_bad_to_do_query_is_invalid_naming_the_field(registry, query, field):
    with pytest.raises(Invalid) as raised:
        registry.list_todo(HAIDIAN, query)
    assert set(raised.value.details) == {field}
