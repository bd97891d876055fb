"""The corps' teams and volunteers: scope, eligibility, who may join, retries, changes, ends."""
import pytest

from services.chassis.errors import Conflict, Invalid, NotFound
from services.chassis.testing import check
from services.volunteer.models.corps import Volunteer
from services.volunteer.responses.corps import (
    TeamOut,
    TeamPageOut,
    VolunteerOut,
    VolunteerPageOut,
)

from .conftest import BANK, CHAOYANG, CITY, HAIDIAN

ACTIVE = [{"level": "municipal", "status": "active"}]


def district_team(volunteer, actor=HAIDIAN, unit_id="bj-haidian", **extra):
    return volunteer.create_team(actor, {"name": "海淀劳模志愿服务队", "kind": "district", "unit_id": unit_id,
                                         **extra})


def honouree(registry, honouree_id="h1", unit_id="hd-bank", honours=ACTIVE, **fields):
    registry.add_honouree(honouree_id, unit_id, name=f"劳模{honouree_id}", honours=honours, **fields)
    return honouree_id


def test_a_district_team_belongs_to_a_district_union(volunteer):
    team = district_team(volunteer, description="服务海淀")
    check(team, TeamOut)
    assert team["kind"] == "district" and team["unit_id"] == "bj-haidian" and team["active_volunteers"] == 0
    assert team["admits_public"] is False and team["profession"] is None
    with pytest.raises(Invalid) as refused:
        district_team(volunteer, CITY, unit_id="bj-jianshe")
    assert "unit_id" in refused.value.details
    with pytest.raises(Invalid) as refused:
        district_team(volunteer, unit_id="bj-chaoyang")  # outside 海淀's scope: as if there were none
    assert refused.value.details == {"unit_id": ["no unit 'bj-chaoyang'"]}
    with pytest.raises(Invalid):
        district_team(volunteer, profession="医疗卫生")


def test_a_profession_team_names_its_profession_and_retries_return_the_first(volunteer):
    data = {"name": "医疗卫生服务队", "kind": "profession", "unit_id": "bj", "profession": "医疗卫生",
            "admits_public": True, "request_id": "team-1"}
    with pytest.raises(Invalid) as refused:
        volunteer.create_team(CITY, dict(data, profession=None))
    assert "profession" in refused.value.details
    first = volunteer.create_team(CITY, data)
    assert volunteer.create_team(CITY, data)["id"] == first["id"]
    assert first["profession"] == "医疗卫生" and first["admits_public"] is True
    assert volunteer.list_teams(CITY)["total"] == 1


def test_teams_are_seen_in_scope_only(volunteer):
    haidian = district_team(volunteer)
    chaoyang = district_team(volunteer, CHAOYANG, unit_id="bj-chaoyang")
    with pytest.raises(NotFound):
        volunteer.get_team(HAIDIAN, chaoyang["id"])
    with pytest.raises(NotFound):
        volunteer.update_team(HAIDIAN, chaoyang["id"], {"name": "改名"})
    assert volunteer.get_team(CHAOYANG, chaoyang["id"])["name"] == "海淀劳模志愿服务队"
    page = volunteer.list_teams(HAIDIAN)
    check(page, TeamPageOut)
    assert [t["id"] for t in page["items"]] == [haidian["id"]]
    assert {t["id"] for t in volunteer.list_teams(CITY)["items"]} == {haidian["id"], chaoyang["id"]}
    assert [t["id"] for t in volunteer.list_teams(CITY, {"unit_id": "bj-chaoyang"})["items"]] == [chaoyang["id"]]
    with pytest.raises(NotFound):
        volunteer.list_teams(HAIDIAN, {"unit_id": "bj-chaoyang"})
    assert volunteer.list_teams(BANK)["total"] == 0  # a team of the district is above the bank's union
    changed = volunteer.update_team(HAIDIAN, haidian["id"], {"admits_public": True, "name": "海淀服务队"})
    assert changed["admits_public"] is True and changed["name"] == "海淀服务队"


def test_an_eligible_honouree_joins_with_skills_and_availability(volunteer, registry):
    team = district_team(volunteer)
    h = honouree(registry)
    joined = volunteer.enrol_volunteer(HAIDIAN, {
        "team_id": team["id"], "honouree_id": h, "skills": ["first_aid", "computer_repair"],
        "availability": [{"weekday": 6, "period": "morning"}, {"weekday": 2, "period": "evening"},
                         {"weekday": 2, "period": "morning"}]})
    check(joined, VolunteerOut)
    assert joined["kind"] == "honouree" and joined["name"] == "劳模h1" and joined["status"] == "active"
    assert joined["skills"] == ["computer_repair", "first_aid"]
    assert joined["availability"] == [{"weekday": 2, "period": "morning"}, {"weekday": 2, "period": "evening"},
                                      {"weekday": 6, "period": "morning"}]
    assert volunteer.get_team(HAIDIAN, team["id"])["active_volunteers"] == 1
    with pytest.raises(Conflict) as twice:
        volunteer.enrol_volunteer(HAIDIAN, {"team_id": team["id"], "honouree_id": h})
    assert twice.value.details["volunteer_id"] == joined["id"]


def test_who_may_not_join(volunteer, registry):
    team = district_team(volunteer)
    revoked = honouree(registry, "h2", honours=[{"level": "municipal", "status": "revoked"}])
    dead = honouree(registry, "h3", employment_status="deceased")
    elsewhere = honouree(registry, "h4", unit_id="cy-hotel")
    with pytest.raises(Conflict) as refused:
        volunteer.enrol_volunteer(HAIDIAN, {"team_id": team["id"], "honouree_id": revoked})
    assert refused.value.details["missing"] == "active_honour"
    with pytest.raises(Conflict) as refused:
        volunteer.enrol_volunteer(HAIDIAN, {"team_id": team["id"], "honouree_id": dead})
    assert refused.value.details["missing"] == "alive"
    with pytest.raises(NotFound):
        volunteer.enrol_volunteer(HAIDIAN, {"team_id": team["id"], "honouree_id": elsewhere})
    with pytest.raises(Conflict) as refused:  # the team admits honourees only
        volunteer.enrol_volunteer(HAIDIAN, {"team_id": team["id"], "name": "张三"})
    assert refused.value.details == {"team_id": team["id"], "missing": "admits_public"}
    with pytest.raises(Invalid):  # both, or neither
        volunteer.enrol_volunteer(HAIDIAN, {"team_id": team["id"], "name": "张三", "honouree_id": "h1"})
    with pytest.raises(Invalid):
        volunteer.enrol_volunteer(HAIDIAN, {"team_id": team["id"]})
    with pytest.raises(Invalid):
        volunteer.enrol_volunteer(HAIDIAN, {"team_id": team["id"], "name": "张三", "skills": ["a", "Bad"]})
    chaoyang = district_team(volunteer, CHAOYANG, unit_id="bj-chaoyang", admits_public=True)
    with pytest.raises(NotFound):
        volunteer.enrol_volunteer(HAIDIAN, {"team_id": chaoyang["id"], "name": "张三"})
    assert volunteer.rows(Volunteer) == []


def test_other_people_join_a_team_that_admits_them_and_retries_return_the_first(volunteer):
    team = district_team(volunteer, admits_public=True)
    data = {"team_id": team["id"], "name": "张三", "skills": ["legal_advice"], "request_id": "v-1"}
    first = volunteer.enrol_volunteer(HAIDIAN, data)
    assert first["kind"] == "public" and first["honouree_id"] is None and first["name"] == "张三"
    assert volunteer.enrol_volunteer(HAIDIAN, data)["id"] == first["id"]
    assert len(volunteer.rows(Volunteer)) == 1


def test_skills_and_availability_change_and_a_membership_ends_with_its_history(volunteer, registry):
    team = district_team(volunteer)
    joined = volunteer.enrol_volunteer(HAIDIAN, {"team_id": team["id"], "honouree_id": honouree(registry),
                                                 "skills": ["first_aid", "singing"],
                                                 "availability": [{"weekday": 1, "period": "morning"}]})
    changed = volunteer.update_volunteer(HAIDIAN, joined["id"], {
        "skills": ["singing", "teaching"], "availability": [{"weekday": 1, "period": "morning"},
                                                            {"weekday": 3, "period": "afternoon"}]})
    assert changed["skills"] == ["singing", "teaching"]
    assert changed["availability"] == [{"weekday": 1, "period": "morning"}, {"weekday": 3, "period": "afternoon"}]
    assert volunteer.get_volunteer(HAIDIAN, joined["id"]) == changed
    with pytest.raises(NotFound):
        volunteer.get_volunteer(CHAOYANG, joined["id"])
    with pytest.raises(NotFound):
        volunteer.end_volunteer(CHAOYANG, joined["id"], {"reason": "x"})
    ended = volunteer.end_volunteer(HAIDIAN, joined["id"], {"reason": "本人申请退出"})
    assert ended["status"] == "ended" and ended["end_reason"] == "本人申请退出" and ended["ended_at"]
    with pytest.raises(Conflict):
        volunteer.end_volunteer(HAIDIAN, joined["id"], {"reason": "again"})
    with pytest.raises(Conflict):
        volunteer.update_volunteer(HAIDIAN, joined["id"], {"skills": []})
    # the ended membership stays; the honouree may join again
    again = volunteer.enrol_volunteer(HAIDIAN, {"team_id": team["id"], "honouree_id": "h1"})
    assert again["id"] != joined["id"]
    page = volunteer.list_volunteers(HAIDIAN, {"team_id": team["id"]})
    check(page, VolunteerPageOut)
    assert sorted(v["status"] for v in page["items"]) == ["active", "ended"]  # joined at the same (frozen) time
    assert volunteer.list_volunteers(HAIDIAN, {"status": "active"})["total"] == 1
    assert volunteer.list_volunteers(HAIDIAN, {"skill": "teaching"})["total"] == 1
    assert volunteer.list_volunteers(CHAOYANG)["total"] == 0


def test_active_volunteers_are_a_gauge(volunteer):
    from services.volunteer.gauges import figures

    from .helpers import member, team

    def volunteers():
        with volunteer.engine.reading_session() as session:
            [(name, _, _, value)] = figures(session, volunteer.engine.clock.today())
        assert name == "laomo_volunteers_active"
        return value

    made = team(volunteer, HAIDIAN, "bj-haidian")
    first = member(volunteer, HAIDIAN, made["id"])
    member(volunteer, HAIDIAN, made["id"])
    assert volunteers() == 2
    volunteer.end_volunteer(HAIDIAN, first["id"], {"reason": "本人申请退出"})
    assert volunteers() == 1
