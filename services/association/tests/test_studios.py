"""Innovation studios (劳模创新工作室): the six criteria (六有), the city's decision, the yearly count."""
import pytest

from services.association.models.studios import Studio
from services.association.responses.studios import (
    RecognitionCountOut,
    StudioOut,
    StudioPageOut,
)
from services.chassis.errors import Conflict, Forbidden, Invalid, NotFound
from services.chassis.testing import check

from .conftest import BANK, CHAOYANG, CITY, HAIDIAN

ACTIVE = [{"level": "municipal", "status": "active"}]
EVIDENCE = {"leader": "王师傅, 北京市劳动模范", "team": "12 人创新团队", "project": "数控机床节能改造",
            "venue": "一车间二楼 200 平方米", "funding": "年度经费 20 万元", "results": "国家专利 3 项"}


def leader(registry, honouree_id="h1", unit="hd-bank", **fields):
    fields.setdefault("honours", ACTIVE)
    registry.add_honouree(honouree_id, unit, name=f"王{honouree_id}", **fields)


def applied(association, who=HAIDIAN, unit_id="hd-bank", honouree_id="h1", evidence=None, **extra):
    data = dict({"name": "王师傅劳模创新工作室", "unit_id": unit_id, "leader_honouree_id": honouree_id,
                 "evidence": EVIDENCE if evidence is None else evidence}, **extra)
    return association.apply_for_studio(who, data)["studio"]


def test_a_studio_with_all_six_criteria_is_recognised_by_the_city(association, registry):
    leader(registry)
    made = check(applied(association, BANK), StudioOut)
    assert made["status"] == "applied" and made["missing"] == [] and made["evidence"] == EVIDENCE
    done = check(association.recognise_studio(CITY, made["id"], {"level": "municipal", "note": "同意命名"}),
                 StudioOut)
    assert (done["status"], done["level"], done["recognised_year"]) == ("recognised", "municipal", 2026)
    assert done["decided_by_account"] == "city.officer" and done["version"] == 2
    assert association.events("studio_recognised") == [{
        "studio_id": made["id"], "applicant_unit_id": "hd-bank", "leader_honouree_id": "h1", "level": "municipal",
        "year": 2026}]
    with pytest.raises(Conflict):
        association.recognise_studio(CITY, made["id"], {"level": "municipal"})


@pytest.mark.parametrize("criterion", ["leader", "team", "project", "venue", "funding", "results"])
def test_a_studio_missing_one_criterion_cannot_be_recognised(association, registry, criterion):
    leader(registry)
    made = applied(association, evidence=dict(EVIDENCE, **{criterion: None}))
    assert made["missing"] == [criterion]
    with pytest.raises(Conflict) as refused:
        association.recognise_studio(CITY, made["id"], {"level": "municipal", "year": 2026})
    assert refused.value.details == {"studio_id": made["id"], "missing": [criterion]}
    assert criterion in refused.value.message
    assert association.get_studio(HAIDIAN, made["id"]) == made and association.events("studio_recognised") == []
    # the evidence completed, it can
    association.change_studio_evidence(HAIDIAN, made["id"], {criterion: EVIDENCE[criterion]})
    assert association.recognise_studio(CITY, made["id"], {"level": "municipal"})["status"] == "recognised"


def test_several_missing_are_all_named_in_the_order_of_the_six(association, registry):
    leader(registry)
    made = applied(association, evidence={"results": "专利", "team": "团队"})
    with pytest.raises(Conflict) as refused:
        association.recognise_studio(CITY, made["id"], {"level": "municipal"})
    assert refused.value.details["missing"] == ["leader", "project", "venue", "funding"]


def test_a_leader_no_longer_eligible_is_a_missing_criterion(association, registry):
    leader(registry)
    made = applied(association)
    registry.honourees["h1"]["honours"] = [{"level": "municipal", "status": "revoked"}]
    with pytest.raises(Conflict) as refused:
        association.recognise_studio(CITY, made["id"], {"level": "municipal"})
    assert refused.value.details == {"studio_id": made["id"], "missing": ["leader"]}


def test_the_leader_must_be_an_eligible_honouree_in_scope(association, registry):
    leader(registry, "dead", employment_status="deceased")
    leader(registry, "c1", unit="cy-hotel")
    for honouree_id in ("dead", "c1", "nobody"):
        with pytest.raises(Conflict) as refused:
            applied(association, honouree_id=honouree_id)
        assert refused.value.details == {"leader_honouree_id": honouree_id, "missing": ["leader"]}
    with pytest.raises(NotFound):
        applied(association, unit_id="cy-hotel")
    assert association.rows(Studio) == []


def test_only_the_city_decides(association, registry):
    leader(registry)
    made = applied(association)
    with pytest.raises(Forbidden):
        association.recognise_studio(HAIDIAN, made["id"], {"level": "district"})
    with pytest.raises(Forbidden):
        association.decline_studio(HAIDIAN, made["id"], {"reason": "材料不全"})
    declined = association.decline_studio(CITY, made["id"], {"reason": "场地不符合要求"})
    assert declined["status"] == "declined" and declined["decision_note"] == "场地不符合要求"
    with pytest.raises(Conflict):
        association.change_studio_evidence(HAIDIAN, made["id"], {"venue": "新场地"})


def test_another_districts_studio_is_not_found(association, registry):
    leader(registry, "c1", unit="cy-hotel")
    theirs = applied(association, CHAOYANG, unit_id="cy-hotel", honouree_id="c1")
    for call in (lambda: association.get_studio(HAIDIAN, theirs["id"]),
                 lambda: association.change_studio_evidence(HAIDIAN, theirs["id"], {"team": "越权"}),
                 lambda: association.recognise_studio(HAIDIAN, theirs["id"], {"level": "district"}),
                 lambda: association.decline_studio(HAIDIAN, theirs["id"], {"reason": "越权"})):
        with pytest.raises(NotFound) as hidden:
            call()
        assert hidden.value.details == {"studio_id": theirs["id"]}
    assert association.list_studios(HAIDIAN)["total"] == 0
    assert association.get_studio(CHAOYANG, theirs["id"]) == theirs


def test_bad_input_is_refused(association, registry):
    leader(registry)
    made = applied(association)
    for bad in ({}, {"name": "x", "unit_id": "hd-bank"}, {"name": "", "unit_id": "hd-bank", "leader_honouree_id": "h1"},
                {"name": "x", "unit_id": "hd-bank", "leader_honouree_id": "h1", "evidence": {"garden": "有"}}):
        with pytest.raises(Invalid):
            association.apply_for_studio(HAIDIAN, bad)
    with pytest.raises(Invalid):
        association.change_studio_evidence(HAIDIAN, made["id"], {})
    for bad in ({"level": "galactic"}, {"level": "municipal", "year": 1999}, {}):
        with pytest.raises(Invalid):
            association.recognise_studio(CITY, made["id"], bad)
    assert len(association.rows(Studio)) == 1


def test_a_retry_returns_the_first_application(association, registry):
    leader(registry)
    first = association.apply_for_studio(HAIDIAN, {"name": "工作室", "unit_id": "hd-bank", "leader_honouree_id": "h1",
                                                   "request_id": "st-1"})
    again = association.apply_for_studio(HAIDIAN, {"name": "工作室", "unit_id": "hd-bank", "leader_honouree_id": "h1",
                                                   "request_id": "st-1"})
    assert again == dict(first, created=False) and len(association.rows(Studio)) == 1


def test_the_yearly_count_against_the_target_and_the_list(association, registry):
    leader(registry)
    leader(registry, "c1", unit="cy-hotel")
    for n in range(3):
        made = applied(association, name=f"工作室{n}")
        association.recognise_studio(CITY, made["id"], {"level": "municipal" if n else "district", "year": 2026})
    theirs = applied(association, CHAOYANG, unit_id="cy-hotel", honouree_id="c1")
    association.recognise_studio(CITY, theirs["id"], {"level": "municipal", "year": 2025})
    applied(association, name="待审工作室")
    city = check(association.studio_recognitions(CITY), RecognitionCountOut)
    assert city == {"year": 2026, "by_level": {"national": 0, "municipal": 2, "district": 1}, "municipal": 2,
                    "target": 50, "shortfall": 48}
    assert association.studio_recognitions(CITY, {"year": 2025})["municipal"] == 1
    assert association.studio_recognitions(HAIDIAN, {"year": 2025})["municipal"] == 0
    page = check(association.list_studios(CITY, {"status": "recognised", "year": 2026}), StudioPageOut)
    assert page["total"] == 3
    assert association.list_studios(CITY, {"level": "municipal"})["total"] == 3
    assert association.list_studios(CITY, {"status": "applied"})["items"][0]["name"] == "待审工作室"
    assert association.list_studios(CITY, {"unit_id": "bj-chaoyang"})["total"] == 1
    with pytest.raises(NotFound):
        association.list_studios(HAIDIAN, {"unit_id": "bj-chaoyang"})


def test_the_yearly_assessment_with_its_outputs(association, registry):
    leader(registry)
    made = applied(association)
    with pytest.raises(Conflict):
        association.assess_studio(CITY, made["id"], {"year": 2026, "result": "qualified"})
    association.recognise_studio(CITY, made["id"], {"level": "municipal", "year": 2025})
    with pytest.raises(Forbidden):
        association.assess_studio(HAIDIAN, made["id"], {"year": 2025, "result": "excellent"})
    done = check(association.assess_studio(CITY, made["id"], {
        "year": 2025, "result": "excellent", "patents": 3, "techniques": 2, "awards": 1,
        "economic_benefit": 1_250_000_00, "note": "节约成本 125 万元"}), StudioOut)
    assert done["assessments"] == [{"year": 2025, "result": "excellent", "patents": 3, "techniques": 2, "awards": 1,
                                    "economic_benefit": 125_000_000, "note": "节约成本 125 万元",
                                    "assessed_by_account": "city.officer",
                                    "assessed_at": "2026-01-20T02:00:00+00:00"}]
    with pytest.raises(Conflict) as twice:
        association.assess_studio(CITY, made["id"], {"year": 2025, "result": "qualified"})
    assert twice.value.details == {"studio_id": made["id"], "year": 2025}
    for bad in ({"year": 2024, "result": "qualified"}, {"year": 2026, "result": "fine"},
                {"year": 2026, "result": "qualified", "economic_benefit": 1.5}, {"year": 2026, "result": "qualified",
                                                                               "patents": -1}):
        with pytest.raises(Invalid):
            association.assess_studio(CITY, made["id"], bad)
    assert len(association.get_studio(HAIDIAN, made["id"])["assessments"]) == 1
