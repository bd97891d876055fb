"""The procedure as a pure state machine: every step in order, and every step refused out of order."""
import pytest

from services.nomination import procedure
from services.nomination.procedure import Progress, Refused

START = Progress()


def at(stage, **extra):
    return Progress(stage=stage, **extra)


def test_the_whole_procedure_in_order_ends_conferred():
    p = START.deeds_reported()
    assert p.stage == procedure.DEMOCRATIC_RECOMMENDATION
    p = p.voted(passed=True)
    assert p.stage == procedure.PARTY_APPROVAL
    p = p.party_approved(at_organiser=False)
    assert p.stage == procedure.TIER_RECOMMENDATION
    p = p.recommended(reaches_organiser=False)
    assert p.stage == procedure.TIER_RECOMMENDATION  # one tier up, not yet at the organiser
    p = p.recommended(reaches_organiser=True)
    assert p.stage == procedure.PRELIMINARY_REVIEW
    p = p.reviewed(procedure.PRELIMINARY_REVIEW, passed=True)
    assert p.stage == procedure.SECOND_REVIEW
    p = p.reviewed(procedure.SECOND_REVIEW, passed=True)
    assert p.stage == procedure.UNIT_NOTICE
    for level, following in (("unit", procedure.SECOND_TIER_NOTICE), ("second_tier", procedure.CITY_NOTICE),
                             ("city", procedure.CONFERRAL)):
        p = p.notice_opened(level)
        assert p.on_notice
        p = p.notice_closed(level)
        assert (p.stage, p.on_notice) == (following, False)
    p = p.conferred()
    assert p.status == procedure.CONFERRED


def test_entering_at_the_organiser_goes_from_party_approval_to_the_preliminary_review():
    p = at(procedure.PARTY_APPROVAL).party_approved(at_organiser=True)
    assert p.stage == procedure.PRELIMINARY_REVIEW


@pytest.mark.parametrize("step, take, missing", [
    ("party approval before the vote", lambda p: p.party_approved(False), procedure.DEEDS_REPORT),
    ("a vote before the deeds report", lambda p: p.voted(True), procedure.DEEDS_REPORT),
    ("a recommendation before approval", lambda p: p.recommended(True), procedure.DEEDS_REPORT),
    ("a review at the unit", lambda p: p.reviewed(procedure.PRELIMINARY_REVIEW, True), procedure.DEEDS_REPORT),
    ("a notice before the reviews", lambda p: p.notice_opened("unit"), procedure.DEEDS_REPORT),
    ("conferral straight away", lambda p: p.conferred(), procedure.DEEDS_REPORT),
])
def test_a_step_taken_early_is_refused_naming_the_missing_step(step, take, missing):
    with pytest.raises(Refused) as refused:
        take(START)
    assert refused.value.details["missing_step"] == missing


def test_the_missing_step_is_the_one_due_not_the_first():
    with pytest.raises(Refused) as refused:
        at(procedure.PARTY_APPROVAL).recommended(True)
    assert refused.value.details == {"step": procedure.TIER_RECOMMENDATION, "stage": procedure.PARTY_APPROVAL,
                                     "missing_step": procedure.PARTY_APPROVAL}


def test_the_second_review_cannot_come_before_the_preliminary_one():
    with pytest.raises(Refused) as refused:
        at(procedure.PRELIMINARY_REVIEW).reviewed(procedure.SECOND_REVIEW, True)
    assert refused.value.details["missing_step"] == procedure.PRELIMINARY_REVIEW


def test_notices_come_in_order_unit_second_tier_city():
    with pytest.raises(Refused) as refused:
        at(procedure.UNIT_NOTICE).notice_opened("city")
    assert refused.value.details["missing_step"] == procedure.UNIT_NOTICE
    with pytest.raises(Refused) as refused:
        at(procedure.SECOND_TIER_NOTICE).notice_opened("unit")
    assert "missing_step" not in refused.value.details  # done already, nothing missing
    assert "done already" in refused.value.message


def test_a_notice_closes_only_once_opened_and_opens_once():
    with pytest.raises(Refused) as refused:
        at(procedure.UNIT_NOTICE).notice_closed("unit")
    assert refused.value.details["missing_step"] == procedure.UNIT_NOTICE
    with pytest.raises(Refused):
        at(procedure.UNIT_NOTICE, on_notice=True).notice_opened("unit")


def test_conferral_waits_for_the_city_notice_to_close():
    with pytest.raises(Refused) as refused:
        at(procedure.CITY_NOTICE, on_notice=True).conferred()
    assert refused.value.details["missing_step"] == procedure.CITY_NOTICE


def test_a_step_done_already_is_refused():
    with pytest.raises(Refused) as refused:
        at(procedure.PARTY_APPROVAL).deeds_reported()
    assert refused.value.details == {"step": procedure.DEEDS_REPORT, "stage": procedure.PARTY_APPROVAL}


def test_a_failed_vote_ends_the_nomination_not_recommended():
    p = at(procedure.DEMOCRATIC_RECOMMENDATION).voted(passed=False)
    assert p.status == procedure.NOT_RECOMMENDED
    with pytest.raises(Refused) as refused:
        p.party_approved(False)
    assert refused.value.details["status"] == procedure.NOT_RECOMMENDED


@pytest.mark.parametrize("end", [
    lambda p: at(procedure.TIER_RECOMMENDATION).rejected_at_tier(),
    lambda p: at(procedure.PRELIMINARY_REVIEW).reviewed(procedure.PRELIMINARY_REVIEW, False),
    lambda p: at(procedure.SECOND_REVIEW).reviewed(procedure.SECOND_REVIEW, False),
    lambda p: at(procedure.CITY_NOTICE, on_notice=True).withdrawn(),
    lambda p: at(procedure.TIER_RECOMMENDATION).lapsed(),
])
def test_an_ended_nomination_takes_no_more_steps(end):
    p = end(START)
    assert p.status != procedure.IN_PROGRESS and not p.on_notice
    with pytest.raises(Refused):
        p.withdrawn()
    with pytest.raises(Refused):
        p.conferred()


def test_only_a_nomination_below_the_organiser_lapses():
    with pytest.raises(Refused):
        at(procedure.PRELIMINARY_REVIEW).lapsed()


@pytest.mark.parametrize("participants, votes_for, passes", [(100, 51, True), (100, 50, False), (101, 51, True),
                                                              (101, 50, False), (1, 1, True), (2, 1, False)])
def test_a_vote_passes_only_with_more_than_half_of_the_participants(participants, votes_for, passes):
    assert procedure.vote_passes(participants, votes_for) is passes


def test_vote_counts_must_add_up():
    assert procedure.vote_problem(100, 60, 30, 10) is None
    assert procedure.vote_problem(100, 60, 30, 11).startswith("for + against + abstain (101)")
    assert procedure.vote_problem(0, 0, 0, 0) == "a vote needs participants"
    assert procedure.vote_problem(10, -1, 0, 0) == "counts cannot be negative"


def test_campaign_states_move_one_at_a_time():
    state = procedure.DRAFT
    for target in (procedure.OPEN, procedure.REVIEWING, procedure.NOTICE, procedure.CLOSED):
        state = procedure.next_campaign_state(state, target)
    assert state == procedure.CLOSED
    with pytest.raises(Refused) as refused:
        procedure.next_campaign_state(procedure.DRAFT, procedure.REVIEWING)
    assert refused.value.details == {"state": "draft", "expected_state": "open", "missing_step": "open"}
    with pytest.raises(Refused):
        procedure.next_campaign_state(procedure.OPEN, procedure.OPEN)
    with pytest.raises(Refused):
        procedure.next_campaign_state(procedure.OPEN, procedure.DRAFT)
    with pytest.raises(Refused):
        procedure.next_campaign_state(procedure.CLOSED, procedure.OPEN)


def test_the_procedure_imports_no_framework():
    source = open(procedure.__file__, encoding="utf-8").read()
    assert "import nameko" not in source and "sqlalchemy" not in source and "services." not in source
