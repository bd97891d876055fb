"""The association's organs: the council by term with positions, committees, branches, troupes."""
import json
import sys
from datetime import date, timedelta

import pytest
from sqlalchemy.exc import IntegrityError

from services.association.models.organs import OrganSeat
from services.association.responses.organs import OrganOut, OrganPageOut
from services.chassis.errors import Conflict, Forbidden, Invalid, NotFound
from services.chassis.testing import check, run_together

from .conftest import CHAOYANG, CITY, HAIDIAN, NOW

ACTIVE = [{"level": "municipal", "status": "active"}]


def members(association, registry, *ids, unit="hd-bank", who=HAIDIAN):
    for honouree_id in ids:
        registry.add_honouree(honouree_id, unit, name=f"王{honouree_id}", honours=ACTIVE)
        association.join_association(who, {"honouree_id": honouree_id})


def council(association, term=7, kind="council"):
    return association.create_organ(CITY, {"kind": kind, "name": f"北京市劳模协会第{term}届理事会", "term": term})["organ"]


def test_the_council_of_a_term_with_its_positions(association, registry):
    members(association, registry, "h1", "h2", "h3")
    made = check(council(association), OrganOut)
    assert (made["kind"], made["term"], made["unit_id"], made["members"]) == ("council", 7, "bj", [])
    association.add_organ_member(CITY, made["id"], {"honouree_id": "h1", "position": "president"})
    seated = association.add_organ_member(CITY, made["id"], {"honouree_id": "h2", "position": "vice_president"})
    assert [(m["honouree_id"], m["position"]) for m in check(seated, OrganOut)["members"]] == [
        ("h1", "president"), ("h2", "vice_president")]
    with pytest.raises(Conflict) as second:
        association.add_organ_member(CITY, made["id"], {"honouree_id": "h3", "position": "president"})
    assert second.value.details == {"organ_id": made["id"], "position": "president", "honouree_id": "h1"}
    with pytest.raises(Conflict):
        association.add_organ_member(CITY, made["id"], {"honouree_id": "h1", "position": "director"})
    with pytest.raises(Invalid) as wrong:
        association.add_organ_member(CITY, made["id"], {"honouree_id": "h3", "position": "head"})
    assert "position" in wrong.value.details
    with pytest.raises(Conflict) as twice:
        council(association)
    assert twice.value.details["term"] == 7
    assert council(association, kind="standing_council")["kind"] == "standing_council"


def test_only_active_members_take_seats(association, registry):
    members(association, registry, "h1")
    registry.add_honouree("h9", "hd-bank", name="王h9", honours=ACTIVE)  # never joined
    made = council(association)
    with pytest.raises(Conflict) as refused:
        association.add_organ_member(CITY, made["id"], {"honouree_id": "h9", "position": "director"})
    assert refused.value.details == {"honouree_id": "h9", "missing": "membership"}
    association.leave_association(HAIDIAN, association.list_memberships(HAIDIAN)["items"][0]["id"], {"reason": "退会"})
    with pytest.raises(Conflict):
        association.add_organ_member(CITY, made["id"], {"honouree_id": "h1", "position": "director"})


def test_branches_are_the_units_and_the_rest_the_citys(association, registry):
    members(association, registry, "h1")
    members(association, registry, "c1", unit="cy-hotel", who=CHAOYANG)
    branch = check(association.create_organ(HAIDIAN, {"kind": "branch", "name": "海淀区劳模协会分会",
                                                      "unit_id": "bj-haidian"})["organ"], OrganOut)
    association.add_organ_member(HAIDIAN, branch["id"], {"honouree_id": "h1", "position": "head"})
    with pytest.raises(NotFound):
        association.create_organ(HAIDIAN, {"kind": "branch", "name": "越权分会", "unit_id": "bj-chaoyang"})
    with pytest.raises(Forbidden):
        association.create_organ(HAIDIAN, {"kind": "troupe", "name": "合唱团", "troupe_kind": "choir"})
    with pytest.raises(Forbidden):  # 朝阳 gives no seat on 海淀's branch
        association.add_organ_member(CHAOYANG, branch["id"], {"honouree_id": "c1", "position": "member"})
    with pytest.raises(NotFound):  # nor 海淀 to 朝阳's people
        association.add_organ_member(HAIDIAN, branch["id"], {"honouree_id": "c1", "position": "member"})
    choir = association.create_organ(CITY, {"kind": "troupe", "name": "劳模合唱团", "troupe_kind": "choir"})["organ"]
    association.add_organ_member(CITY, choir["id"], {"honouree_id": "c1", "position": "member"})
    committee = association.create_organ(CITY, {"kind": "sector_committee", "name": "教育界别工作委员会",
                                                "sector": "教育"})["organ"]
    page = check(association.list_organs(CHAOYANG), OrganPageOut)  # organs are shared
    assert {o["id"] for o in page["items"]} == {branch["id"], choir["id"], committee["id"]}
    assert association.list_organs(HAIDIAN, {"kind": "troupe"})["items"][0]["members"][0]["honouree_id"] == "c1"
    assert association.get_organ(CHAOYANG, branch["id"])["members"][0]["position"] == "head"


@pytest.mark.parametrize("bad", [
    {"kind": "council", "name": "理事会"},                                   # no term
    {"kind": "troupe", "name": "团", "troupe_kind": "choir", "term": 3},     # a term on a troupe
    {"kind": "sector_committee", "name": "界别"},                            # no sector
    {"kind": "branch", "name": "分会"},                                      # no unit
    {"kind": "council", "name": "理事会", "term": 7, "unit_id": "bj-haidian"},
    {"kind": "guild", "name": "行会"},
])
def test_each_kind_with_its_own_fields(association, registry, bad):
    with pytest.raises(Invalid):
        association.create_organ(CITY, bad)
    assert association.list_organs(CITY)["total"] == 0


def seats(organ):
    return [(m["honouree_id"], m["position"], m["ended_on"]) for m in check(organ, OrganOut)["members"]]


def test_a_seat_ends_with_a_reason_and_its_history_stays(association, registry, clock):
    members(association, registry, "h1", "h2")
    made = council(association)
    association.add_organ_member(CITY, made["id"], {"honouree_id": "h1", "position": "president"})
    with pytest.raises(Invalid) as early:
        association.end_organ_seat(CITY, made["id"], "h1", {"reason": "换届", "ended_on": "2026-01-19"})
    assert "ended_on" in early.value.details
    with pytest.raises(Invalid):
        association.end_organ_seat(CITY, made["id"], "h1", {"reason": "换届", "ended_on": "2026-01-21"})
    with pytest.raises(Invalid):
        association.end_organ_seat(CITY, made["id"], "h1", {"reason": ""})
    with pytest.raises(Forbidden):
        association.end_organ_seat(HAIDIAN, made["id"], "h1", {"reason": "越权"})
    with pytest.raises(NotFound):
        association.end_organ_seat(CITY, made["id"], "h2", {"reason": "无此席位"})
    ended = association.end_organ_seat(CITY, made["id"], "h1", {"reason": "换届"})
    assert seats(ended) == [("h1", "president", "2026-01-20")]
    assert ended["members"][0]["end_reason"] == "换届"
    with pytest.raises(Conflict) as again:
        association.end_organ_seat(CITY, made["id"], "h1", {"reason": "再次"})
    assert again.value.details["ended_on"] == "2026-01-20"
    # the ended president no longer holds the one place
    after = association.add_organ_member(CITY, made["id"], {"honouree_id": "h2", "position": "president"})
    assert seats(after) == [("h1", "president", "2026-01-20"), ("h2", "president", None)]
    with pytest.raises(Conflict):
        association.change_organ_seat(CITY, made["id"], "h1", {"position": "director"})


def test_a_seat_changes_position(association, registry):
    members(association, registry, "h1", "h2")
    made = council(association)
    association.add_organ_member(CITY, made["id"], {"honouree_id": "h1", "position": "president"})
    association.add_organ_member(CITY, made["id"], {"honouree_id": "h2", "position": "director"})
    with pytest.raises(Conflict) as taken:
        association.change_organ_seat(CITY, made["id"], "h2", {"position": "president"})
    assert taken.value.details == {"organ_id": made["id"], "position": "president", "honouree_id": "h1"}
    with pytest.raises(Invalid):
        association.change_organ_seat(CITY, made["id"], "h2", {"position": "head"})
    with pytest.raises(Forbidden):
        association.change_organ_seat(HAIDIAN, made["id"], "h2", {"position": "vice_president"})
    changed = association.change_organ_seat(CITY, made["id"], "h1", {"position": "vice_president"})
    changed = association.change_organ_seat(CITY, made["id"], "h2", {"position": "president"})
    assert seats(changed) == [("h1", "vice_president", None), ("h2", "president", None)]


def test_seats_end_when_the_membership_ends(association, registry):
    members(association, registry, "h1", "h2")
    made = council(association)
    branch = association.create_organ(HAIDIAN, {"kind": "branch", "name": "海淀分会", "unit_id": "bj-haidian"})["organ"]
    for organ, position in ((made, "director"), (branch, "head")):
        association.add_organ_member(CITY, organ["id"], {"honouree_id": "h1", "position": position})
    association.add_organ_member(CITY, made["id"], {"honouree_id": "h2", "position": "director"})
    left = next(m for m in association.list_memberships(HAIDIAN)["items"] if m["honouree_id"] == "h1")
    association.leave_association(HAIDIAN, left["id"], {"reason": "个人原因"})
    assert seats(association.get_organ(CITY, made["id"])) == [("h1", "director", "2026-01-20"),
                                                              ("h2", "director", None)]
    ended = association.get_organ(CITY, branch["id"])["members"][0]
    assert (ended["ended_on"], ended["ended_by_account"]) == ("2026-01-20", HAIDIAN["account"])
    assert "个人原因" in ended["end_reason"]
    revoked = {"event_id": "e-o1", "honour_id": "o1", "honouree_id": "h2", "honour_type": "beijing_model_worker",
               "revocation_id": "r1", "managing_unit_id": "hd-bank", "active_honours_left": 0}
    association.on_honour_revoked(revoked)
    association.on_honour_revoked(revoked)  # a redelivery changes nothing
    association.on_honour_revoked(dict(revoked, event_id="e-o2", honour_id="o2"))  # nor a later revocation
    seat = association.get_organ(CITY, made["id"])["members"][1]
    assert (seat["ended_on"], seat["ended_by_account"]) == ("2026-01-20", "system")
    assert seats(association.get_organ(CITY, made["id"]))[1] == ("h2", "director", "2026-01-20")


def test_a_person_whose_seat_ended_is_seated_again(association, registry, clock):
    members(association, registry, "h1", "h2")
    made = council(association)
    association.add_organ_member(CITY, made["id"], {"honouree_id": "h1", "position": "director"})
    association.end_organ_seat(CITY, made["id"], "h1", {"reason": "换届"})
    clock.set(clock.now() + timedelta(days=30))
    again = association.add_organ_member(CITY, made["id"], {"honouree_id": "h1", "position": "president"})
    assert seats(again) == [("h1", "director", "2026-01-20"), ("h1", "president", None)]
    assert again["members"][1]["since"] == "2026-02-19"
    # two live seats of one person on one organ: still refused, and nothing changes
    with pytest.raises(Conflict) as twice:
        association.add_organ_member(CITY, made["id"], {"honouree_id": "h1", "position": "director"})
    assert twice.value.details == {"organ_id": made["id"], "honouree_id": "h1"}
    assert len(association.rows(OrganSeat, OrganSeat.organ_id == made["id"])) == 2
    # the routes by person act on the live seat; once it ends too, the latest ended one answers 409
    changed = association.change_organ_seat(CITY, made["id"], "h1", {"position": "vice_president"})
    assert seats(changed) == [("h1", "director", "2026-01-20"), ("h1", "vice_president", None)]
    association.add_organ_member(CITY, made["id"], {"honouree_id": "h2", "position": "president"})
    ended = association.end_organ_seat(CITY, made["id"], "h1", {"reason": "辞职"})
    assert seats(ended)[:2] == [("h1", "director", "2026-01-20"), ("h1", "vice_president", "2026-02-19")]
    with pytest.raises(Conflict) as over:
        association.end_organ_seat(CITY, made["id"], "h1", {"reason": "再次"})
    assert over.value.details["ended_on"] == "2026-02-19"
    third = association.add_organ_member(CITY, made["id"], {"honouree_id": "h1", "position": "director"})
    assert [s for s in seats(third) if s[0] == "h1"][-1] == ("h1", "director", None)


def test_the_database_refuses_a_second_live_seat(association, registry):
    """The rule holds below the service too (a race past the organ's lock would meet it): a partial
    unique index over the seats not ended."""
    members(association, registry, "h1")
    made = council(association)
    association.add_organ_member(CITY, made["id"], {"honouree_id": "h1", "position": "director"})
    first = association.rows(OrganSeat)[0]

    def insert(seat_id, ended_on=None):
        with association.engine.engine.begin() as connection:  # behind the service's back
            connection.execute(OrganSeat.__table__.insert().values(
                id=seat_id, organ_id=made["id"], honouree_id="h1", managing_unit_id="hd-bank",
                position="member", since=date(2026, 1, 20), added_by_account="x", added_at=first.added_at,
                ended_on=ended_on))

    with pytest.raises(IntegrityError):
        insert("second-live")
    insert("an-ended-one", ended_on=date(2026, 1, 20))  # ended seats do not count
    assert len(association.rows(OrganSeat)) == 2


def test_seating_again_at_once_from_many_processes_gives_one_live_seat(association, registry):
    """Six processes seat the same person (whose earlier seat ended) on one organ at one signal, on
    SQLite and PostgreSQL: exactly one live seat, the others 409."""
    members(association, registry, "h1")
    made = council(association)
    association.add_organ_member(CITY, made["id"], {"honouree_id": "h1", "position": "director"})
    association.end_organ_seat(CITY, made["id"], "h1", {"reason": "换届"})
    uri = association.engine.engine.url.render_as_string(hide_password=False)
    command = [sys.executable, "-m", "services.association.tests.seater", uri, made["id"], "h1",
               json.dumps(sorted(registry.scope_of("bj"))), NOW.isoformat()]
    answers, _ = run_together([command] * 6)
    assert sorted(json.dumps(a, sort_keys=True) for a in answers) == sorted(
        [json.dumps({"seated": 1})] + [json.dumps({"details": {"honouree_id": "h1", "organ_id": made["id"]},
                                                   "refused": "conflict"}, sort_keys=True)] * 5)
    rows = association.rows(OrganSeat, OrganSeat.organ_id == made["id"])
    assert sorted(r.ended_on is None for r in rows) == [False, True]
