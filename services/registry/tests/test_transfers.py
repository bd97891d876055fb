"""Transfer of management (管理关系转移): asked by one side, decided by the other; never ownerless."""
import pytest

from services.chassis.errors import Conflict, Forbidden, Invalid, NotFound

from .workflows import actions, actor, events, grow, register

BANK, SCHOOL, HOTEL = actor("hd-bank"), actor("hd-school"), actor("cy-hotel")
HAIDIAN, CHAOYANG, CITY, SITE = actor("bj-haidian"), actor("bj-chaoyang"), actor("bj"), actor("js-site")


@pytest.fixture
def registry(registry):
    return grow(registry)


def to(unit_id, mode="by_unit", reason="工作调动"):
    return {"to_unit_id": unit_id, "reason": reason, "management_mode": mode}


def todo(registry, who, **query):
    return registry.list_todo(who, query)["items"]


# --- asked by the managing unit, accepted by the receiving unit --------------------------------

def test_a_transfer_asked_by_the_managing_unit_waits_for_the_receiving_unit(registry):
    record = register(registry, "hd-bank", name="赵六")
    transfer = registry.request_transfer(BANK, record["id"], to("cy-hotel"))
    assert {k: v for k, v in transfer.items() if k not in ("id",)} == {
        "honouree_id": record["id"], "honouree_name": "赵六", "from_unit_id": "hd-bank",
        "to_unit_id": "cy-hotel", "management_mode": "by_unit", "reason": "工作调动", "status": "pending",
        "requested_by_account": "officer@hd-bank", "requested_by_unit_id": "hd-bank",
        "deciding_unit_id": "cy-hotel", "decided_by_account": None, "decision_reason": None,
        "created_at": "2024-05-01T08:30:00+00:00", "decided_at": None}
    [item] = todo(registry, HOTEL)
    assert (item["kind"], item["subject_id"], item["honouree_id"], item["status"]) == (
        "transfer", transfer["id"], record["id"], "open")
    assert "赵六" in item["title"]
    assert todo(registry, BANK) == []
    # until it is accepted the record stays where it is, and the receiving unit does not see it
    assert registry.get_honouree(BANK, record["id"])["managing_unit_id"] == "hd-bank"
    with pytest.raises(NotFound):
        registry.get_honouree(HOTEL, record["id"])
    assert events(registry, "management_transferred") == []


def test_accepting_moves_the_record_and_tells_the_other_services(registry, clock):
    record = register(registry, "hd-bank")
    transfer = registry.request_transfer(BANK, record["id"], to("cy-hotel"))
    clock.advance(days=3)
    accepted = registry.accept_transfer(actor("cy-hotel", "chair@cy-hotel"), transfer["id"])
    assert (accepted["status"], accepted["decided_by_account"], accepted["decided_at"]) == (
        "accepted", "chair@cy-hotel", "2024-05-04T08:30:00+00:00")

    moved = registry.get_honouree(HOTEL, record["id"])
    assert (moved["managing_unit_id"], moved["district_id"], moved["management_mode"], moved["version"]) == (
        "cy-hotel", "bj-chaoyang", "by_unit", record["version"] + 1)
    with pytest.raises(NotFound):  # out of the old side's scope now
        registry.get_honouree(BANK, record["id"])
    assert registry.get_honouree(CHAOYANG, record["id"])["id"] == record["id"]

    [event] = events(registry, "management_transferred")
    assert {k: event[k] for k in ("transfer_id", "honouree_id", "from_unit_id", "to_unit_id",
                                  "management_mode")} == {
        "transfer_id": transfer["id"], "honouree_id": record["id"], "from_unit_id": "hd-bank",
        "to_unit_id": "cy-hotel", "management_mode": "by_unit"}
    assert set(event) == {"transfer_id", "honouree_id", "from_unit_id", "to_unit_id", "management_mode",
                          "event_id", "occurred_at"}
    assert todo(registry, HOTEL)[0]["status"] == "done"


def test_the_audit_trail_of_the_transfer_and_of_the_record(registry):
    record = register(registry, "hd-bank")
    transfer = registry.request_transfer(BANK, record["id"], to("bj-chaoyang", "territorial"))
    registry.accept_transfer(CHAOYANG, transfer["id"])
    trail = registry.audit_trail(CHAOYANG, "transfer", transfer["id"])
    assert actions(trail) == ["requested", "accepted"]
    assert (trail[0]["account"], trail[0]["unit_id"]) == ("officer@hd-bank", "hd-bank")
    assert trail[0]["changes"]["to_unit_id"] == [None, "bj-chaoyang"]
    assert (trail[1]["account"], trail[1]["unit_id"]) == ("officer@bj-chaoyang", "bj-chaoyang")
    assert trail[1]["changes"] == {"status": ["pending", "accepted"]}
    record_trail = registry.audit_trail(CHAOYANG, "honouree", record["id"])
    assert actions(record_trail, "honouree") == ["registered", "transferred"]
    assert actions(record_trail) == ["registered", "requested", "accepted", "transferred"]
    assert record_trail[-1]["changes"] == {
        "district_id": ["bj-haidian", "bj-chaoyang"], "managing_unit_id": ["hd-bank", "bj-chaoyang"],
        "management_mode": ["by_unit", "territorial"], "version": [1, 2]}


def test_a_transfer_to_a_unit_in_no_district_leaves_the_record_without_a_district(registry):
    record = register(registry, "hd-bank")
    transfer = registry.request_transfer(BANK, record["id"], to("js-site", "by_system"))
    registry.accept_transfer(SITE, transfer["id"])
    moved = registry.get_honouree(SITE, record["id"])
    assert (moved["managing_unit_id"], moved["district_id"], moved["management_mode"]) == (
        "js-site", None, "by_system")


# --- asked by the receiving unit, accepted by the managing unit --------------------------------

def test_the_receiving_unit_may_ask_for_a_record_it_cannot_see(registry):
    record = register(registry, "hd-bank")
    with pytest.raises(NotFound):
        registry.get_honouree(HOTEL, record["id"])
    transfer = registry.request_transfer(HOTEL, record["id"], to("cy-hotel"))
    assert (transfer["from_unit_id"], transfer["requested_by_unit_id"], transfer["deciding_unit_id"]) == (
        "hd-bank", "cy-hotel", "hd-bank")
    assert [i["subject_id"] for i in todo(registry, BANK)] == [transfer["id"]]
    assert todo(registry, HOTEL) == []


def test_the_asking_side_cannot_accept_its_own_request(registry):
    record = register(registry, "hd-bank")
    transfer = registry.request_transfer(HOTEL, record["id"], to("cy-hotel"))
    with pytest.raises(Forbidden) as raised:  # else any unit could take any record by its id
        registry.accept_transfer(HOTEL, transfer["id"])
    assert raised.value.details == {"deciding_unit_id": "hd-bank"}
    assert registry.get_honouree(BANK, record["id"])["managing_unit_id"] == "hd-bank"
    registry.accept_transfer(BANK, transfer["id"])
    assert registry.get_honouree(HOTEL, record["id"])["managing_unit_id"] == "cy-hotel"


def test_the_managing_unit_cannot_accept_its_own_request(registry):
    record = register(registry, "hd-bank")
    transfer = registry.request_transfer(BANK, record["id"], to("cy-hotel"))
    with pytest.raises(Forbidden):
        registry.accept_transfer(BANK, transfer["id"])
    with pytest.raises(Forbidden):
        registry.reject_transfer(BANK, transfer["id"], "算了")
    assert registry.list_transfers(BANK, {"status": "pending"})["total"] == 1


# --- who may ask, and what -------------------------------------------------------------------

def test_only_the_two_sides_ask(registry):
    record = register(registry, "hd-bank")
    with pytest.raises(Forbidden) as raised:  # the district above sees the record but is no side
        registry.request_transfer(HAIDIAN, record["id"], to("cy-hotel"))
    assert raised.value.details == {"managing_unit_id": "hd-bank"}
    with pytest.raises(NotFound):  # a third unit that cannot see the record
        registry.request_transfer(SCHOOL, record["id"], to("cy-hotel"))
    with pytest.raises(NotFound):
        registry.request_transfer(HOTEL, "0" * 32, to("cy-hotel"))
    assert registry.list_transfers(BANK, {})["total"] == 0
    assert todo(registry, HOTEL) == []


def test_a_transfer_to_a_unit_that_does_not_exist_is_invalid(registry):
    record = register(registry, "hd-bank")
    with pytest.raises(Invalid) as raised:
        registry.request_transfer(BANK, record["id"], to("hd-atlantis"))
    assert set(raised.value.details) == {"to_unit_id"}
    assert registry.list_transfers(BANK, {})["total"] == 0


def test_a_transfer_to_the_managing_unit_itself_is_invalid(registry):
    record = register(registry, "hd-bank")
    with pytest.raises(Invalid) as raised:
        registry.request_transfer(BANK, record["id"], to("hd-bank"))
    assert set(raised.value.details) == {"to_unit_id"}


def test_one_pending_transfer_per_honouree(registry):
    record = register(registry, "hd-bank")
    first = registry.request_transfer(BANK, record["id"], to("cy-hotel"))
    for who, target in ((BANK, "hd-school"), (SCHOOL, "hd-school"), (BANK, "cy-hotel")):
        with pytest.raises(Conflict) as raised:
            registry.request_transfer(who, record["id"], to(target))
        assert raised.value.details == {"transfer_id": first["id"], "to_unit_id": "cy-hotel"}
    assert registry.list_transfers(BANK, {})["total"] == 1
    registry.reject_transfer(HOTEL, first["id"], "不在本单位工作")
    second = registry.request_transfer(BANK, record["id"], to("hd-school"))
    assert second["status"] == "pending"


def test_a_farmer_moves_only_to_a_district_union(registry):
    farmer = register(registry, "bj-haidian", category="farmer", management_mode="territorial")
    for target in ("cy-hotel", "bj-jianshe", "bj"):
        with pytest.raises(Invalid) as raised:
            registry.request_transfer(HAIDIAN, farmer["id"], to(target, "territorial"))
        assert set(raised.value.details) == {"to_unit_id"}
    transfer = registry.request_transfer(HAIDIAN, farmer["id"], to("bj-chaoyang", "territorial"))
    registry.accept_transfer(CHAOYANG, transfer["id"])
    assert registry.get_honouree(CHAOYANG, farmer["id"])["managing_unit_id"] == "bj-chaoyang"


def test_a_record_corrected_to_farmer_after_the_request_cannot_move_to_a_grassroots_union(registry):
    record = register(registry, "bj-haidian")
    transfer = registry.request_transfer(HAIDIAN, record["id"], to("cy-hotel"))
    registry.correct_honouree(HAIDIAN, record["id"], {"category": "farmer"})
    with pytest.raises(Conflict):
        registry.accept_transfer(HOTEL, transfer["id"])
    assert registry.get_honouree(HAIDIAN, record["id"])["managing_unit_id"] == "bj-haidian"


@pytest.mark.parametrize("data, field", [
    ({"reason": "调动", "management_mode": "by_unit"}, "to_unit_id"),
    (to("CY HOTEL"), "to_unit_id"),
    ({"to_unit_id": "cy-hotel", "management_mode": "by_unit"}, "reason"),
    (to("cy-hotel", reason="  "), "reason"),
    (to("cy-hotel", reason="理" * 1001), "reason"),
    ({"to_unit_id": "cy-hotel", "reason": "调动"}, "management_mode"),
    (to("cy-hotel", mode="by_family"), "management_mode"),
    (dict(to("cy-hotel"), from_unit_id="hd-school"), "from_unit_id"),
], ids=["to-missing", "to-pattern", "reason-missing", "reason-blank", "reason-too-long", "mode-missing",
        "mode-unknown", "unknown-field"])
def test_a_bad_request_is_invalid_naming_the_field(registry, data, field):
    record = register(registry, "hd-bank")
    with pytest.raises(Invalid) as raised:
        registry.request_transfer(BANK, record["id"], data)
    assert set(raised.value.details) == {field}
    assert registry.list_transfers(BANK, {})["total"] == 0


# --- rejecting, deciding once --------------------------------------------------------------

def test_rejecting_keeps_the_reason_and_the_record_where_it_was(registry):
    record = register(registry, "hd-bank")
    transfer = registry.request_transfer(BANK, record["id"], to("cy-hotel"))
    rejected = registry.reject_transfer(HOTEL, transfer["id"], "  此人不在本单位  ")
    assert (rejected["status"], rejected["decision_reason"], rejected["decided_by_account"]) == (
        "rejected", "此人不在本单位", "officer@cy-hotel")
    after = registry.get_honouree(BANK, record["id"])
    assert (after["managing_unit_id"], after["version"]) == ("hd-bank", record["version"])
    assert todo(registry, HOTEL)[0]["status"] == "done"
    trail = registry.audit_trail(BANK, "transfer", transfer["id"])
    assert actions(trail) == ["requested", "rejected"]
    assert trail[-1]["changes"] == {"decision_reason": [None, "此人不在本单位"], "status": ["pending", "rejected"]}
    assert events(registry, "management_transferred") == []


def test_the_side_that_asked_may_take_the_request_back_while_it_waits(registry):
    record = register(registry, "hd-bank")
    transfer = registry.request_transfer(BANK, record["id"], to("cy-hotel"))
    with pytest.raises(Forbidden):  # the receiving side decides; it does not cancel
        registry.cancel_transfer(HOTEL, transfer["id"], "不要了")
    with pytest.raises(Invalid):
        registry.cancel_transfer(BANK, transfer["id"], "   ")
    cancelled = registry.cancel_transfer(BANK, transfer["id"], "本人不再调动")
    assert (cancelled["status"], cancelled["decision_reason"]) == ("cancelled", "本人不再调动")
    assert todo(registry, HOTEL)[0]["status"] == "done"
    assert actions(registry.audit_trail(BANK, "transfer", transfer["id"])) == ["requested", "cancelled"]
    with pytest.raises(Conflict):
        registry.accept_transfer(HOTEL, transfer["id"])
    with pytest.raises(Conflict):
        registry.cancel_transfer(BANK, transfer["id"], "再次")
    again = registry.request_transfer(BANK, record["id"], to("cy-hotel"))  # a new request may follow
    assert again["status"] == "pending"
    assert registry.get_honouree(BANK, record["id"])["managing_unit_id"] == "hd-bank"


@pytest.mark.parametrize("first", ["accept", "reject"])
def test_a_transfer_is_decided_once(registry, first):
    record = register(registry, "hd-bank")
    transfer = registry.request_transfer(BANK, record["id"], to("cy-hotel"))
    if first == "accept":
        registry.accept_transfer(HOTEL, transfer["id"])
    else:
        registry.reject_transfer(HOTEL, transfer["id"], "不同意")
    with pytest.raises(Conflict):
        registry.accept_transfer(HOTEL, transfer["id"])
    with pytest.raises(Conflict):
        registry.reject_transfer(HOTEL, transfer["id"], "再次")
    assert len(events(registry, "management_transferred")) == (1 if first == "accept" else 0)


@pytest.mark.parametrize("reason", ["", "   ", None, 42, "理" * 1001])
def test_a_rejection_needs_a_reason(registry, reason):
    record = register(registry, "hd-bank")
    transfer = registry.request_transfer(BANK, record["id"], to("cy-hotel"))
    with pytest.raises(Invalid) as raised:
        registry.reject_transfer(HOTEL, transfer["id"], reason)
    assert set(raised.value.details) == {"reason"}
    assert registry.list_transfers(HOTEL, {"status": "pending"})["total"] == 1


def test_deciding_a_transfer_one_cannot_see_is_not_found(registry):
    record = register(registry, "hd-bank")
    transfer = registry.request_transfer(BANK, record["id"], to("cy-hotel"))
    for who in (SCHOOL, actor("bj-fengtai")):
        with pytest.raises(NotFound):
            registry.accept_transfer(who, transfer["id"])
        with pytest.raises(NotFound):
            registry.reject_transfer(who, transfer["id"], "不")
    with pytest.raises(Forbidden):  # the district above sees it, but is no side of it
        registry.accept_transfer(HAIDIAN, transfer["id"])
    with pytest.raises(NotFound):
        registry.accept_transfer(HOTEL, "0" * 32)


# --- list_transfers ------------------------------------------------------------------------

def test_each_side_lists_its_transfers_pending_or_decided(registry, clock):
    a = register(registry, "hd-bank", name="甲")
    b = register(registry, "hd-bank", name="乙")
    c = register(registry, "hd-school", name="丙")
    t1 = registry.request_transfer(BANK, a["id"], to("cy-hotel"))
    clock.advance(minutes=1)
    t2 = registry.request_transfer(HOTEL, b["id"], to("cy-hotel"))
    clock.advance(minutes=1)
    t3 = registry.request_transfer(SCHOOL, c["id"], to("bj-chaoyang"))
    registry.accept_transfer(HOTEL, t1["id"])

    def listed(who, **query):
        return [t["id"] for t in registry.list_transfers(who, query)["items"]]

    assert listed(BANK) == [t2["id"], t1["id"]]  # newest first
    assert listed(HOTEL) == [t2["id"], t1["id"]]
    assert listed(HOTEL, status="pending") == [t2["id"]]
    assert listed(HOTEL, status="decided") == [t1["id"]]
    assert listed(HOTEL, status="accepted") == [t1["id"]]
    assert listed(HOTEL, status="rejected") == []
    assert listed(SCHOOL) == [t3["id"]]
    assert listed(HAIDIAN) == []  # above a side, but no side itself
    assert registry.list_transfers(HOTEL, {})["items"][0]["honouree_name"] == "乙"
    page = registry.list_transfers(BANK, {"page_size": 1, "page": 2})
    assert (page["total"], page["pages"], [t["id"] for t in page["items"]]) == (2, 2, [t1["id"]])


@pytest.mark.parametrize("query, field", [
    ({"status": "open"}, "status"), ({"side": "from"}, "side"), ({"page": -1}, "page"),
])
def test_a_bad_transfer_query_is_invalid_naming_the_field(registry, query, field):
    with pytest.raises(Invalid) as raised:
        registry.list_transfers(BANK, query)
    assert set(raised.value.details) == {field}


def test_a_record_always_has_a_managing_unit(registry):
    record = register(registry, "hd-bank")
    transfer = registry.request_transfer(BANK, record["id"], to("cy-hotel"))
    assert registry.get_honouree(CITY, record["id"])["managing_unit_id"] == "hd-bank"
    registry.reject_transfer(HOTEL, transfer["id"], "不同意")
    assert registry.get_honouree(CITY, record["id"])["managing_unit_id"] == "hd-bank"
    transfer = registry.request_transfer(HOTEL, record["id"], to("cy-hotel"))
    registry.accept_transfer(BANK, transfer["id"])
    assert registry.get_honouree(CITY, record["id"])["managing_unit_id"] == "cy-hotel"
