"""Public-welfare projects and their donations into the mutual-aid fund, through the ledger, once."""
import pytest

from services.chassis.errors import Forbidden, Invalid, NotFound
from services.chassis.testing import check
from services.volunteer.models.projects import Donation
from services.volunteer.responses.projects import (
    DonationOut,
    DonationPageOut,
    ProjectOut,
    ProjectPageOut,
)

from .conftest import CHAOYANG, CITY, HAIDIAN


def project(volunteer, actor=HAIDIAN, unit_id="bj-haidian", **extra):
    return volunteer.create_project(actor, {"title": "关爱空巢老人", "group": "elderly", "organiser_unit_id": unit_id,
                                            **extra})


def test_projects_for_vulnerable_groups_are_seen_in_scope(volunteer):
    made = project(volunteer, description="上门陪伴", request_id="p-1")
    check(made, ProjectOut)
    assert made["fund_id"] == "bj-mutual-aid" and made["donated"] == 0 and made["group"] == "elderly"
    assert project(volunteer, request_id="p-1")["id"] == made["id"]
    other = project(volunteer, CHAOYANG, "bj-chaoyang", group="left_behind_children")
    with pytest.raises(NotFound):
        volunteer.get_project(HAIDIAN, other["id"])
    with pytest.raises(Invalid):
        project(volunteer, unit_id="bj-chaoyang")
    with pytest.raises(Invalid):
        project(volunteer, group="everyone")
    page = volunteer.list_projects(CITY)
    check(page, ProjectPageOut)
    assert {p["id"] for p in page["items"]} == {made["id"], other["id"]}
    assert [p["id"] for p in volunteer.list_projects(CITY, {"group": "elderly"})["items"]] == [made["id"]]
    assert [p["id"] for p in volunteer.list_projects(HAIDIAN)["items"]] == [made["id"]]


def test_a_donation_goes_into_the_mutual_aid_fund_once(volunteer, welfare):
    made = project(volunteer)
    given = volunteer.donate(CITY, made["id"], {"donor": "北京某公司工会", "amount": 500_000, "request_id": "d-1"})
    check(given, DonationOut)
    assert given["status"] == "recorded" and given["posting_id"] == "posting-1"
    [(actor, request)] = welfare.calls
    assert actor["unit_id"] == "bj"
    assert request == {"idempotency_key": f"volunteer-donation:{given['id']}", "kind": "donation",
                       "fund_id": "bj-mutual-aid", "amount": 500_000, "reference": f"volunteer-project:{made['id']}",
                       "memo": "公益项目捐赠 关爱空巢老人"}
    # a retry returns the first donation and moves no money again
    assert volunteer.donate(CITY, made["id"], {"donor": "北京某公司工会", "amount": 500_000,
                                               "request_id": "d-1"}) == given
    assert len(welfare.calls) == 1 and len(volunteer.rows(Donation)) == 1
    assert volunteer.get_project(HAIDIAN, made["id"])["donated"] == 500_000
    page = volunteer.list_donations(HAIDIAN, made["id"])
    check(page, DonationPageOut)
    assert [d["id"] for d in page["items"]] == [given["id"]]
    [event] = volunteer.events("volunteer_donation_recorded")
    assert (event["donation_id"], event["amount"], event["posting_id"]) == (given["id"], 500_000, "posting-1")


def test_an_unanswered_ledger_leaves_the_donation_pending_and_a_retry_posts_it_with_the_same_key(volunteer, welfare):
    made = project(volunteer)
    welfare.fail = True
    data = {"donor": "某劳模", "amount": 20_000, "request_id": "d-2"}
    with pytest.raises(TimeoutError):
        volunteer.donate(CITY, made["id"], data)
    [pending] = volunteer.rows(Donation)
    assert pending.status.value == "pending" and volunteer.get_project(CITY, made["id"])["donated"] == 0
    again = volunteer.donate(CITY, made["id"], data)
    assert again["id"] == pending.id and again["status"] == "recorded"
    assert [r["idempotency_key"] for _, r in welfare.calls] == [f"volunteer-donation:{pending.id}"] * 2
    assert len(welfare.postings) == 1


def test_only_the_city_records_donations_and_only_in_scope(volunteer, welfare):
    made = project(volunteer)
    with pytest.raises(Forbidden):
        volunteer.donate(HAIDIAN, made["id"], {"donor": "x", "amount": 100})
    with pytest.raises(NotFound):
        volunteer.donate(CHAOYANG, made["id"], {"donor": "x", "amount": 100})
    with pytest.raises(Invalid):
        volunteer.donate(CITY, made["id"], {"donor": "x", "amount": 0})
    assert welfare.calls == [] and volunteer.rows(Donation) == []
