"""Real-name membership (实名入会): who may join, leaving, ending on revocation, the member list."""
from datetime import UTC, datetime, timedelta

import pytest

from services.association.models.membership import Membership
from services.association.responses.membership import (
    MembershipHistoryEntryOut,
    MembershipOut,
    MembershipPageOut,
)
from services.chassis.database import UnitOfWork
from services.chassis.errors import Conflict, Invalid, NotFound
from services.chassis.events import DUPLICATE
from services.chassis.testing import check

from .conftest import BANK, CHAOYANG, CITY, HAIDIAN

ACTIVE = [{"level": "municipal", "status": "active"}]
REVOKED = [{"level": "municipal", "status": "revoked"}]


def revoked(honouree_id, left=0, honour_id="honour-1", event_id=None):
    return {"event_id": event_id or f"e-{honour_id}", "honour_id": honour_id, "honouree_id": honouree_id,
            "honour_type": "beijing_model_worker", "revocation_id": "rev-1", "managing_unit_id": "hd-bank",
            "active_honours_left": left}


def person(registry, honouree_id="h1", unit="hd-bank", honours=ACTIVE, district="bj-haidian", **fields):
    return registry.add_honouree(honouree_id, unit, name=f"王{honouree_id}", honours=honours,
                                 district_id=district, **fields)


def joined(association, who=HAIDIAN, honouree_id="h1", **extra):
    return association.join_association(who, dict({"honouree_id": honouree_id}, **extra))["membership"]


def test_a_living_honouree_with_an_active_honour_joins(association, registry):
    person(registry)
    reply = association.join_association(BANK, {"honouree_id": "h1", "note": "本人申请入会"})
    assert reply["created"] is True
    made = check(reply["membership"], MembershipOut)
    assert made["status"] == "active" and made["honouree_name"] == "王h1"
    assert made["joined_on"] == "2026-01-20" and made["managing_unit_id"] == "hd-bank"
    assert made["district_id"] == "bj-haidian" and made["joined_by_account"] == "bank.officer"
    assert association.events("member_joined") == [{"membership_id": made["id"], "honouree_id": "h1",
                                                    "managing_unit_id": "hd-bank", "joined_on": "2026-01-20"}]
    assert association.get_membership(HAIDIAN, made["id"]) == made


@pytest.mark.parametrize(("honours", "status", "missing"), [
    (REVOKED, "in_service", "active_honour"),
    ([], "retired", "active_honour"),
    (ACTIVE, "deceased", "alive"),
])
def test_no_membership_without_a_living_honouree_with_an_active_honour(association, registry, honours, status,
                                                                          missing):
    person(registry, honours=honours, employment_status=status)
    with pytest.raises(Conflict) as refused:
        association.join_association(HAIDIAN, {"honouree_id": "h1"})
    assert refused.value.details == {"honouree_id": "h1", "missing": missing}
    assert association.rows(Membership) == [] and association.events("member_joined") == []


def test_the_roster_is_asked_for_the_one_person_eligible_or_not(association, registry):
    person(registry)
    joined(association)
    assert ("roster", ("honouree_ids",)) in registry.calls


def test_a_person_out_of_scope_or_unknown_is_not_found(association, registry):
    person(registry, "c1", unit="cy-hotel", district="bj-chaoyang")
    for honouree_id in ("c1", "nobody"):
        with pytest.raises(NotFound) as missing:
            association.join_association(HAIDIAN, {"honouree_id": honouree_id})
        assert missing.value.details == {"honouree_id": honouree_id}
    assert joined(association, CHAOYANG, "c1")["status"] == "active"


def test_bad_input_is_refused_and_changes_nothing(association, registry):
    person(registry)
    for bad in ({}, {"honouree_id": ""}, {"honouree_id": "h1", "request_id": "x" * 65}, {"honouree_id": "h1",
                                                                                           "extra": 1}):
        with pytest.raises(Invalid):
            association.join_association(HAIDIAN, bad)
    assert association.rows(Membership) == []


def test_one_active_membership_and_retries_return_the_first(association, registry):
    person(registry)
    first = association.join_association(HAIDIAN, {"honouree_id": "h1", "request_id": "req-1"})
    again = association.join_association(HAIDIAN, {"honouree_id": "h1", "request_id": "req-1"})
    assert again == dict(first, created=False)
    with pytest.raises(Conflict) as twice:
        association.join_association(HAIDIAN, {"honouree_id": "h1"})
    assert twice.value.details["membership_id"] == first["membership"]["id"]
    assert len(association.rows(Membership)) == 1


def test_leaving_keeps_the_reason_and_allows_joining_again(association, registry, clock):
    person(registry)
    made = joined(association)
    with pytest.raises(Invalid):
        association.leave_association(HAIDIAN, made["id"], {"reason": "  "})
    clock.set(clock.now() + timedelta(days=3))
    left = check(association.leave_association(BANK, made["id"], {"reason": "本人申请退会"}), MembershipOut)
    assert left["status"] == "left" and left["end_reason"] == "本人申请退会" and left["version"] == 2
    assert left["ended_by_account"] == "bank.officer" and left["ended_at"].startswith("2026-01-23")
    with pytest.raises(Conflict) as twice:
        association.leave_association(HAIDIAN, made["id"], {"reason": "再次退会"})
    assert twice.value.details == {"membership_id": made["id"], "status": "left"}
    assert association.events("membership_ended") == [{
        "membership_id": made["id"], "honouree_id": "h1", "managing_unit_id": "hd-bank", "cause": "left",
        "honour_id": None, "revocation_id": None}]
    again = joined(association)
    assert again["id"] != made["id"] and again["status"] == "active"


def test_another_districts_membership_is_not_found_and_unchanged(association, registry):
    person(registry, "c1", unit="cy-hotel", district="bj-chaoyang")
    theirs = joined(association, CHAOYANG, "c1")
    for call in (lambda: association.get_membership(HAIDIAN, theirs["id"]),
                 lambda: association.leave_association(HAIDIAN, theirs["id"], {"reason": "越权"}),
                 lambda: association.membership_history(HAIDIAN, theirs["id"])):
        with pytest.raises(NotFound) as hidden:
            call()
        assert hidden.value.details == {"membership_id": theirs["id"]}
    assert association.get_membership(CHAOYANG, theirs["id"]) == theirs
    assert association.list_memberships(HAIDIAN)["total"] == 0
    with pytest.raises(NotFound):
        association.list_memberships(HAIDIAN, {"unit_id": "bj-chaoyang"})


def test_the_last_honour_revoked_ends_the_membership_once_with_the_reason(association, registry, clock):
    person(registry)
    made = joined(association)
    kept = association.on_honour_revoked(revoked("h1", left=1, event_id="e-partial"))
    assert kept == {"honouree_id": "h1", "ended": None}
    assert association.get_membership(HAIDIAN, made["id"])["status"] == "active"
    clock.set(clock.now() + timedelta(hours=1))
    assert association.on_honour_revoked(revoked("h1")) == {"honouree_id": "h1", "ended": made["id"]}
    ended = association.get_membership(HAIDIAN, made["id"])
    assert ended["status"] == "ended" and ended["end_reason"] == "所有荣誉已撤销 (no active honour left)"
    assert ended["honour_id"] == "honour-1" and ended["revocation_id"] == "rev-1"
    assert ended["ended_by_account"] == "system" and ended["version"] == 2
    uow = UnitOfWork(association.engine)  # redelivered: the chassis' inbox answers, the rules are not run
    assert association.worker(uow).on_honour_revoked(revoked("h1")) is DUPLICATE
    uow.commit()
    # sent again under a new id (a redelivery of the same id is the chassis inbox's): nothing changes
    assert association.on_honour_revoked(revoked("h1", event_id="e-again")) == {"honouree_id": "h1", "ended": None}
    assert association.get_membership(HAIDIAN, made["id"]) == ended
    assert [e["cause"] for e in association.events("membership_ended")] == ["honour_revoked"]
    with pytest.raises(Conflict):
        association.leave_association(HAIDIAN, made["id"], {"reason": "退会"})


def test_a_revocation_for_someone_who_left_keeps_the_leaving_reason(association, registry):
    person(registry)
    made = joined(association)
    association.leave_association(HAIDIAN, made["id"], {"reason": "本人申请退会"})
    assert association.on_honour_revoked(revoked("h1"))["ended"] is None
    assert association.get_membership(HAIDIAN, made["id"])["end_reason"] == "本人申请退会"


def test_history_tells_who_did_what(association, registry):
    person(registry)
    made = joined(association, BANK)
    association.on_honour_revoked(revoked("h1"))
    trail = association.membership_history(CITY, made["id"])
    for entry in trail:
        check(entry, MembershipHistoryEntryOut)
    assert [(e["action"], e["account"]) for e in trail] == [("joined", "bank.officer"), ("ended", "system")]
    assert trail[1]["changes"]["status"] == ["active", "ended"]


def test_a_transfer_moves_the_membership_out_of_the_old_scope(association, registry):
    person(registry)
    made = joined(association)
    association.on_management_transferred({"event_id": "t-1", "transfer_id": "t1", "honouree_id": "h1",
                                           "from_unit_id": "hd-bank", "to_unit_id": "cy-hotel",
                                           "management_mode": "by_unit"})
    registry.honourees["h1"].update(managing_unit_id="cy-hotel", district_id="bj-chaoyang")  # as the registry did
    with pytest.raises(NotFound):
        association.get_membership(HAIDIAN, made["id"])
    moved = association.get_membership(CHAOYANG, made["id"])
    assert (moved["managing_unit_id"], moved["district_id"]) == ("cy-hotel", "bj-chaoyang")
    assert association.list_memberships(CITY, {"district_id": "bj-chaoyang"})["items"] == [moved]
    trail = association.membership_history(CITY, made["id"])
    assert trail[-1]["action"] == "transferred" and trail[-1]["changes"]["managing_unit_id"] == ["hd-bank",
                                                                                                  "cy-hotel"]


def test_the_member_list_filters_and_pages(association, registry, clock):
    start = datetime(2024, 6, 1, 2, 0, tzinfo=UTC)
    people = [("h1", "hd-bank", "bj-haidian"), ("h2", "hd-school", "bj-haidian"), ("h3", "bj-haidian", "bj-haidian"),
              ("c1", "cy-hotel", "bj-chaoyang"), ("j1", "js-site", "bj-fengtai")]
    made = {}
    for n, (honouree_id, unit, district) in enumerate(people):
        person(registry, honouree_id, unit=unit, district=district)
        clock.set(start + timedelta(days=200 * n))
        made[honouree_id] = joined(association, CITY, honouree_id)
    association.leave_association(CITY, made["h2"]["id"], {"reason": "本人申请退会"})

    def ids(who=CITY, **query):
        page = check(association.list_memberships(who, query), MembershipPageOut)
        return [m["honouree_id"] for m in page["items"]]

    assert ids() == ["j1", "c1", "h3", "h2", "h1"]  # newest first
    assert ids(status="active") == ["j1", "c1", "h3", "h1"]
    assert ids(status="left") == ["h2"]
    assert ids(unit_id="bj-haidian") == ["h3", "h2", "h1"]
    assert ids(unit_id="bj-jianshe") == ["j1", "h2"]  # both trees: 海淀职业学校 is 建设工会's too
    assert ids(district_id="bj-chaoyang") == ["c1"]
    assert ids(joined_year=2024) == ["h2", "h1"]
    assert ids(joined_year=2025) == ["h3"]
    assert ids(joined_year=2024, status="active", unit_id="hd-school") == []
    assert ids(honouree_id="h1") == ["h1"]
    assert ids(HAIDIAN) == ["h3", "h2", "h1"]
    assert ids(BANK) == ["h1"]
    page = association.list_memberships(CITY, {"page": 2, "page_size": 2})
    assert [m["honouree_id"] for m in page["items"]] == ["h3", "h2"]
    assert (page["total"], page["pages"]) == (5, 3)
    assert page["items"][0]["honouree_name"] == "王h3"
    for bad in ({"status": "gone"}, {"joined_year": "2025x"}, {"page_size": 500}, {"unit_id": "BJ!"}):
        with pytest.raises(Invalid):
            association.list_memberships(CITY, bad)


def test_an_empty_page_asks_the_registry_for_no_names(association, registry):
    assert association.list_memberships(HAIDIAN)["items"] == []
    assert not [c for c in registry.calls if c[0] == "roster"]


def test_members_in_good_standing_are_a_gauge(association, registry):
    from services.association.gauges import figures

    def members():
        with association.engine.reading_session() as session:
            [(name, _, _, value)] = figures(session, association.engine.clock.today())
        assert name == "laomo_association_members_active"
        return value

    person(registry, "h1")
    person(registry, "h2")
    first = joined(association, honouree_id="h1")
    joined(association, honouree_id="h2")
    assert members() == 2
    association.leave_association(BANK, first["id"], {"reason": "本人申请退会"})
    assert members() == 1
