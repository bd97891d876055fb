"""The suggestion express lane (建言献策直通车): proposal, the city's handling, the overdue list by the clock."""
from datetime import date, timedelta

import pytest

from services.association.models.suggestions import Suggestion
from services.association.responses.suggestions import SuggestionOut, SuggestionPageOut
from services.chassis.errors import Conflict, Forbidden, Invalid, NotFound
from services.chassis.testing import check

from .conftest import BANK, CHAOYANG, CITY, HAIDIAN

ACTIVE = [{"level": "municipal", "status": "active"}]
TODAY = date(2026, 1, 20)  # the frozen clock's Beijing date
TRANSFER = {"handling_body": "government_department", "handling_body_name": "北京市人力资源和社会保障局",
            "deadline": "2026-02-20"}
ANSWER = {"answer": "已纳入年度工作计划", "feedback": "提出人表示满意"}


def people(registry, *ids, unit="hd-bank", **fields):
    for honouree_id in ids:
        fields.setdefault("honours", ACTIVE)
        registry.add_honouree(honouree_id, unit, name=f"王{honouree_id}", **fields)


def submitted(association, who=HAIDIAN, honouree_ids=("h1",), **extra):
    data = dict({"topic": "关于提高一线职工技能补贴的建议", "content": "建议对高技能人才给予专项补贴。",
                 "category": "workers_rights", "honouree_ids": list(honouree_ids)}, **extra)
    return association.submit_suggestion(who, data)["suggestion"]


def transferred(association, registry, deadline="2026-02-20"):
    people(registry, "h1", "h2")
    made = submitted(association, BANK, ("h2", "h1"))
    association.accept_suggestion(CITY, made["id"], {"note": "有价值"})
    return association.transfer_suggestion(CITY, made["id"], dict(TRANSFER, deadline=deadline))


def test_a_suggestion_from_proposal_to_commendation(association, registry):
    made = transferred(association, registry)
    check(made, SuggestionOut)
    assert made["honouree_ids"] == ["h1", "h2"] and made["submitted_by_unit_id"] == "hd-bank"
    assert (made["status"], made["deadline"], made["overdue"]) == ("transferred", "2026-02-20", False)
    done = check(association.answer_suggestion(CITY, made["id"], ANSWER), SuggestionOut)
    assert (done["status"], done["answered_on"], done["feedback"]) == ("answered", "2026-01-20", "提出人表示满意")
    praised = check(association.commend_suggestion(CITY, made["id"], {"note": "优秀建言"}), SuggestionOut)
    assert praised["commended"] is True and praised["status"] == "answered"
    assert association.events("suggestion_commended") == [{
        "suggestion_id": made["id"], "honouree_ids": ["h1", "h2"], "submitted_by_unit_id": "hd-bank", "year": 2026}]
    with pytest.raises(Conflict):
        association.commend_suggestion(CITY, made["id"], {})
    assert association.list_suggestions(HAIDIAN, {"commended": True})["total"] == 1


def test_each_step_in_its_turn(association, registry):
    people(registry, "h1")
    made = submitted(association)
    for step in (lambda: association.transfer_suggestion(CITY, made["id"], TRANSFER),
                 lambda: association.answer_suggestion(CITY, made["id"], ANSWER),
                 lambda: association.commend_suggestion(CITY, made["id"], {})):
        with pytest.raises(Conflict) as refused:
            step()
        assert refused.value.details == {"suggestion_id": made["id"], "status": "submitted"}
    declined = association.decline_suggestion(CITY, made["id"], {"reason": "已有类似政策"})
    assert declined["status"] == "declined" and declined["decision_note"] == "已有类似政策"
    with pytest.raises(Conflict):
        association.accept_suggestion(CITY, made["id"], {})


def test_the_overdue_list_follows_the_clock(association, registry, clock):
    made = transferred(association, registry, deadline="2026-01-21")
    assert association.overdue_suggestions(HAIDIAN)["total"] == 0
    clock.set(clock.now() + timedelta(days=1))  # 21 January: due today, not late yet
    assert association.overdue_suggestions(CITY)["items"] == []
    clock.set(clock.now() + timedelta(days=3))  # 24 January
    page = check(association.overdue_suggestions(HAIDIAN), SuggestionPageOut)
    assert [(s["id"], s["overdue"], s["days_overdue"]) for s in page["items"]] == [(made["id"], True, 3)]
    assert association.overdue_suggestions(CHAOYANG)["total"] == 0
    association.answer_suggestion(CITY, made["id"], ANSWER)  # late, but answered: off the list
    assert association.overdue_suggestions(CITY)["total"] == 0
    assert association.get_suggestion(HAIDIAN, made["id"])["days_overdue"] == 0


def test_a_deadline_in_the_past_is_refused(association, registry):
    people(registry, "h1")
    made = submitted(association)
    association.accept_suggestion(CITY, made["id"])
    with pytest.raises(Invalid) as refused:
        association.transfer_suggestion(CITY, made["id"], dict(TRANSFER, deadline="2026-01-19"))
    assert "deadline" in refused.value.details
    assert association.get_suggestion(CITY, made["id"])["status"] == "accepted"


def test_proposers_are_eligible_honourees_in_scope(association, registry):
    people(registry, "h1")
    people(registry, "gone", honours=[{"level": "municipal", "status": "revoked"}])
    people(registry, "c1", unit="cy-hotel")
    with pytest.raises(NotFound) as absent:
        submitted(association, honouree_ids=("h1", "c1"))
    assert absent.value.details == {"honouree_ids": ["c1"]}
    with pytest.raises(Conflict) as refused:
        submitted(association, honouree_ids=("h1", "gone"))
    assert refused.value.details == {"honouree_ids": ["gone"], "missing": "active_honour"}
    for bad in ({"honouree_ids": []}, {"honouree_ids": ["h1", "h1"]}, {"category": "weather"}, {"topic": " "}):
        with pytest.raises(Invalid):
            submitted(association, **bad)
    assert association.rows(Suggestion) == []


def test_only_the_city_handles_and_another_districts_is_not_found(association, registry):
    people(registry, "h1")
    people(registry, "c1", unit="cy-hotel")
    ours = submitted(association)
    with pytest.raises(Forbidden):
        association.accept_suggestion(HAIDIAN, ours["id"], {})
    theirs = submitted(association, CHAOYANG, ("c1",))
    for call in (lambda: association.get_suggestion(HAIDIAN, theirs["id"]),
                 lambda: association.accept_suggestion(HAIDIAN, theirs["id"], {}),
                 lambda: association.decline_suggestion(HAIDIAN, theirs["id"], {"reason": "越权"})):
        with pytest.raises(NotFound) as hidden:
            call()
        assert hidden.value.details == {"suggestion_id": theirs["id"]}
    assert [s["id"] for s in association.list_suggestions(HAIDIAN)["items"]] == [ours["id"]]
    assert association.list_suggestions(CITY, {"unit_id": "bj-chaoyang"})["items"][0]["id"] == theirs["id"]
    assert association.list_suggestions(CITY, {"category": "economy"})["total"] == 0
    assert association.list_suggestions(CITY, {"year": 2026, "status": "submitted"})["total"] == 2


def test_a_retry_returns_the_first(association, registry):
    people(registry, "h1")
    first = association.submit_suggestion(HAIDIAN, {"topic": "建议", "content": "内容", "category": "other",
                                                    "honouree_ids": ["h1"], "request_id": "sg-1"})
    again = association.submit_suggestion(HAIDIAN, {"topic": "建议", "content": "内容", "category": "other",
                                                    "honouree_ids": ["h1"], "request_id": "sg-1"})
    assert again == dict(first, created=False) and len(association.rows(Suggestion)) == 1
