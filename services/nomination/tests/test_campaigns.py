"""Campaigns: creating, changing a draft, explicit state transitions, and quotas down the tiers."""
import pytest

from services.chassis.errors import Conflict, Forbidden, Invalid, NotFound

from .flows import (
    BANK,
    CHAOYANG,
    CITY,
    HAIDIAN,
    QUOTAS,
    TARGETS,
    TIMETABLE,
    at_the_city,
    campaign_data,
    nominate,
    open_campaign,
    reviewed,
)


def test_a_campaign_starts_in_draft_organised_by_the_creating_unit(nomination):
    campaign = nomination.create_campaign(CITY, campaign_data())
    assert campaign["state"] == "draft"
    assert campaign["organiser_unit_id"] == "bj"
    assert campaign["honour_type"] == "beijing_model_worker" and campaign["year"] == 2025
    # the honour type's level and conferring body, from the registry's catalogue
    assert campaign["level"] == "municipal" and campaign["conferring_body"] == "北京市人民政府"
    assert campaign["timetable"] == TIMETABLE
    assert campaign["targets"]["front_line_min"] == 40 and campaign["targets"]["leader_cadre_max"] == 20
    assert campaign["targets"]["intermediary_organisation_min"] is None
    assert campaign["entry_level"] == "second_tier" and campaign["revocation_bar_years"] == 5
    assert nomination.get_campaign(BANK, campaign["id"])["quotas"] == []  # every actor sees campaigns
    assert nomination.list_campaigns(HAIDIAN)["total"] == 1


def test_the_same_request_id_creates_one_campaign(nomination):
    first = nomination.create_campaign(CITY, campaign_data(request_id="req-1"))
    assert nomination.create_campaign(CITY, campaign_data(request_id="req-1")) == first
    assert nomination.list_campaigns(CITY)["total"] == 1


def test_one_campaign_per_honour_and_year(nomination):
    first = nomination.create_campaign(CITY, campaign_data())
    with pytest.raises(Conflict) as raised:
        nomination.create_campaign(CITY, campaign_data(title="again"))
    assert raised.value.details == {"campaign_id": first["id"]}
    nomination.create_campaign(CITY, campaign_data(year=2026))


def test_an_unknown_honour_type_or_a_bad_timetable_is_invalid(nomination):
    with pytest.raises(Invalid) as raised:
        nomination.create_campaign(CITY, campaign_data(honour_type="golden_spoon"))
    assert set(raised.value.details) == {"honour_type"}
    shuffled = dict(TIMETABLE, reviewing={"start": "2025-05-01", "end": "2025-06-30"})
    with pytest.raises(Invalid) as raised:
        nomination.create_campaign(CITY, campaign_data(timetable=shuffled))
    assert set(raised.value.details["timetable"]) == {"reviewing"}
    with pytest.raises(Invalid) as raised:
        nomination.create_campaign(CITY, campaign_data(targets=dict(TARGETS, front_line_min=120)))
    assert set(raised.value.details["targets"]) == {"front_line_min"}


def test_a_draft_changes_only_by_its_organiser_and_only_while_draft(nomination):
    campaign = nomination.create_campaign(CITY, campaign_data())
    with pytest.raises(Forbidden):
        nomination.update_campaign(HAIDIAN, campaign["id"], {"title": "改名"})
    changed = nomination.update_campaign(CITY, campaign["id"], {"title": "改名", "version": 1})
    assert changed["title"] == "改名" and changed["version"] == 2
    with pytest.raises(Conflict) as raised:
        nomination.update_campaign(CITY, campaign["id"], {"title": "再改", "version": 1})
    assert raised.value.details == {"version": 2}
    nomination.transition_campaign(CITY, campaign["id"], "open")
    with pytest.raises(Conflict) as raised:
        nomination.update_campaign(CITY, campaign["id"], {"title": "开放后改名"})
    assert raised.value.details["state"] == "open"
    trail = nomination.audit_trail(CITY, "campaign", campaign["id"])
    assert [e["action"] for e in trail] == ["created", "changed", "moved_to_open"]
    assert trail[1]["changes"]["title"] == [campaign["title"], "改名"]
    assert trail[1]["account"] == "zhao.city" and trail[1]["unit_id"] == "bj"


def test_states_move_one_at_a_time_by_the_organiser(nomination):
    campaign = nomination.create_campaign(CITY, campaign_data())
    with pytest.raises(Conflict) as raised:
        nomination.transition_campaign(CITY, campaign["id"], "reviewing")
    assert raised.value.details == {"state": "draft", "expected_state": "open", "missing_step": "open"}
    with pytest.raises(Forbidden):
        nomination.transition_campaign(HAIDIAN, campaign["id"], "open")
    with pytest.raises(Invalid):
        nomination.transition_campaign(CITY, campaign["id"], "finished")
    with pytest.raises(NotFound):
        nomination.transition_campaign(CITY, "nope", "open")
    for state in ("open", "reviewing", "notice", "closed"):
        assert nomination.transition_campaign(CITY, campaign["id"], state)["state"] == state
    with pytest.raises(Conflict):
        nomination.transition_campaign(CITY, campaign["id"], "open")


def test_moving_to_reviewing_lapses_nominations_still_below_the_city(nomination):
    campaign = open_campaign(nomination)
    arrived = at_the_city(nomination, campaign)
    below = nominate(nomination, campaign)  # still at the bank
    nomination.transition_campaign(CITY, campaign["id"], "reviewing")
    assert nomination.get_nomination(CITY, below["id"])["status"] == "lapsed"
    lapsed = nomination.get_nomination(BANK, below["id"])
    assert lapsed["steps"][-1]["step"] == "lapsed" and lapsed["steps"][-1]["unit_id"] == "bj"
    assert lapsed["ended_at"] is not None
    assert nomination.get_nomination(CITY, arrived["id"])["status"] == "in_progress"


def test_notices_wait_until_every_review_is_decided(nomination):
    campaign = open_campaign(nomination)
    arrived = at_the_city(nomination, campaign)
    nomination.transition_campaign(CITY, campaign["id"], "reviewing")
    with pytest.raises(Conflict) as raised:
        nomination.transition_campaign(CITY, campaign["id"], "notice")
    assert raised.value.details == {"undecided": {"preliminary_review": 1}, "missing_step": "preliminary_review"}
    reviewed(nomination, arrived)
    assert nomination.transition_campaign(CITY, campaign["id"], "notice")["state"] == "notice"
    with pytest.raises(Conflict) as raised:
        nomination.transition_campaign(CITY, campaign["id"], "closed")
    assert raised.value.details == {"in_progress": {"unit_notice": 1}, "missing_step": "conferral"}


# --- quotas -------------------------------------------------------------------------------------

def quotas(nomination, actor, campaign):
    return {q["unit_id"]: (q["quota"], q["used"], q["allocated_below"])
            for q in nomination.list_quotas(actor, campaign["id"])}


def test_the_city_allocates_to_the_units_directly_below_it_within_the_total(nomination):
    campaign = nomination.create_campaign(CITY, campaign_data())
    nomination.allocate_quotas(CITY, campaign["id"], QUOTAS)
    assert quotas(nomination, CITY, campaign) == {"bj-haidian": (3, 0, 0), "bj-chaoyang": (2, 0, 0),
                                                  "bj-jianshe": (2, 0, 0), "bj-direct": (1, 0, 0)}
    with pytest.raises(Conflict) as raised:  # 3 + 2 + 2 + 1 = 8 of 10; 8 - 2 + 5 = 11
        nomination.allocate_quotas(CITY, campaign["id"], {"allocations": [{"unit_id": "bj-chaoyang", "quota": 5}]})
    assert raised.value.details == {"budget": 10, "allocated": 11}
    with pytest.raises(Invalid) as raised:
        nomination.allocate_quotas(CITY, campaign["id"], {"allocations": [{"unit_id": "hd-bank", "quota": 1},
                                                                          {"unit_id": "bj-nowhere", "quota": 1}]})
    assert set(raised.value.details["allocations"]) == {"hd-bank", "bj-nowhere"}
    with pytest.raises(Conflict):
        nomination.update_campaign(CITY, campaign["id"], {"total_quota": 7})


def test_a_tier_sub_allocates_within_its_own_quota_to_the_units_below_it(nomination):
    campaign = open_campaign(nomination)
    nomination.allocate_quotas(HAIDIAN, campaign["id"], {"allocations": [{"unit_id": "hd-bank", "quota": 2},
                                                                         {"unit_id": "hd-school", "quota": 1}]})
    assert quotas(nomination, HAIDIAN, campaign) == {"bj-haidian": (3, 0, 3), "hd-bank": (2, 0, 0),
                                                     "hd-school": (1, 0, 0)}
    assert "bj-chaoyang" not in quotas(nomination, HAIDIAN, campaign)  # another district's, out of scope
    with pytest.raises(Conflict) as raised:
        nomination.allocate_quotas(HAIDIAN, campaign["id"], {"allocations": [{"unit_id": "hd-bank", "quota": 3}]})
    assert raised.value.details == {"budget": 3, "allocated": 4}
    with pytest.raises(Invalid) as raised:  # Chaoyang holds a quota, but the bank is not below it
        nomination.allocate_quotas(CHAOYANG, campaign["id"], {"allocations": [{"unit_id": "hd-bank", "quota": 1}]})
    assert raised.value.details == {"allocations": {"hd-bank": ["not directly below bj-chaoyang"]}}
    with pytest.raises(Conflict) as raised:  # Haidian's quota cannot fall below what it gave out
        nomination.allocate_quotas(CITY, campaign["id"], {"allocations": [{"unit_id": "bj-haidian", "quota": 2}]})
    assert raised.value.details == {"unit_id": "bj-haidian", "quota": 2, "in_use": 3}


def test_a_unit_without_a_quota_allocates_nothing(nomination):
    campaign = open_campaign(nomination)
    with pytest.raises(Forbidden):
        nomination.allocate_quotas(BANK, campaign["id"], {"allocations": [{"unit_id": "bj-haidian", "quota": 1}]})


def test_quotas_are_fixed_once_the_campaign_is_reviewing(nomination):
    campaign = open_campaign(nomination)
    nomination.transition_campaign(CITY, campaign["id"], "reviewing")
    with pytest.raises(Conflict) as raised:
        nomination.allocate_quotas(CITY, campaign["id"], QUOTAS)
    assert raised.value.details == {"state": "reviewing", "expected_state": ["draft", "open"]}
