"""The procedure, "一报告两审核三公示", as an explicit state machine. Plain Python, no framework.

A campaign moves draft → open → reviewing → notice → closed, one state at a
time. A nomination waits for one step at a time (its ``stage``):

    deeds_report               一报告: the deeds reported to the workers (at the entry unit)
    democratic_recommendation  民主推荐: the workers' vote; a failed vote ends it, not_recommended
    party_approval             同级党委同意: the same-level party committee's approval
    tier_recommendation        逐级推荐: each tier recommends it upward, or rejects it, until it
                               reaches the campaign's organiser (the city federation)
    preliminary_review         初审: basic facts and the slate's structure ratios (at the organiser)
    second_review              复审: the deed materials
    unit_notice                三公示: in the unit,
    second_tier_notice                 in the district/system,
    city_notice                        city-wide; each opened, then closed after its window
    conferral                  授予: the awarding body confers the honour

A nomination that enters at the organiser itself (a self-nomination where the
campaign lets them enter at the top) goes from party approval straight to the
preliminary review. A step asked for before its turn is refused with the step
that is missing; a step already taken is refused as done; nothing moves a
nomination that has ended (conferred, not_recommended, rejected, withdrawn,
lapsed).

The functions here only decide; the service records who took each step,
when, and on what evidence.
"""
from dataclasses import dataclass, replace

# --- campaigns ----------------------------------------------------------------------------------

DRAFT, OPEN, REVIEWING, NOTICE, CLOSED = "draft", "open", "reviewing", "notice", "closed"
CAMPAIGN_STATES = (DRAFT, OPEN, REVIEWING, NOTICE, CLOSED)
NEXT_CAMPAIGN_STATE = {DRAFT: OPEN, OPEN: REVIEWING, REVIEWING: NOTICE, NOTICE: CLOSED}

# --- nominations --------------------------------------------------------------------------------

IN_PROGRESS = "in_progress"
CONFERRED = "conferred"
NOT_RECOMMENDED = "not_recommended"  # the democratic recommendation failed
REJECTED = "rejected"                # a tier or a review turned it down, with reasons
WITHDRAWN = "withdrawn"              # an objection upheld, or withdrawn by its unit or the organiser
LAPSED = "lapsed"                    # still below the organiser when the campaign moved on to reviewing
STATUSES = (IN_PROGRESS, CONFERRED, NOT_RECOMMENDED, REJECTED, WITHDRAWN, LAPSED)
ALIVE = (IN_PROGRESS, CONFERRED)     # what counts on a slate and against a quota

DEEDS_REPORT = "deeds_report"
DEMOCRATIC_RECOMMENDATION = "democratic_recommendation"
PARTY_APPROVAL = "party_approval"
TIER_RECOMMENDATION = "tier_recommendation"
PRELIMINARY_REVIEW = "preliminary_review"
SECOND_REVIEW = "second_review"
UNIT_NOTICE = "unit_notice"
SECOND_TIER_NOTICE = "second_tier_notice"
CITY_NOTICE = "city_notice"
CONFERRAL = "conferral"
STAGES = (DEEDS_REPORT, DEMOCRATIC_RECOMMENDATION, PARTY_APPROVAL, TIER_RECOMMENDATION,
          PRELIMINARY_REVIEW, SECOND_REVIEW, UNIT_NOTICE, SECOND_TIER_NOTICE, CITY_NOTICE, CONFERRAL)
# the stages past which a nomination is at the organiser: the slate (候选人名单)
AT_ORGANISER = STAGES[STAGES.index(PRELIMINARY_REVIEW):]

NOTICE_LEVELS = ("unit", "second_tier", "city")
NOTICE_STAGE = {"unit": UNIT_NOTICE, "second_tier": SECOND_TIER_NOTICE, "city": CITY_NOTICE}

# the campaign state each stage's step needs
CAMPAIGN_STATE_OF_STAGE = {
    DEEDS_REPORT: OPEN, DEMOCRATIC_RECOMMENDATION: OPEN, PARTY_APPROVAL: OPEN, TIER_RECOMMENDATION: OPEN,
    PRELIMINARY_REVIEW: REVIEWING, SECOND_REVIEW: REVIEWING,
    UNIT_NOTICE: NOTICE, SECOND_TIER_NOTICE: NOTICE, CITY_NOTICE: NOTICE, CONFERRAL: NOTICE,
}


class Refused(Exception):
    """A step or transition the procedure does not allow now; ``details`` say why.

    ``missing_step`` names the step that must come first, where one does.
    """

    def __init__(self, message, **details):
        super().__init__(message)
        self.message = message
        self.details = details


def next_campaign_state(current, target):
    """``target`` if a campaign in ``current`` may move there (one state forward), else Refused."""
    if target not in CAMPAIGN_STATES:
        raise ValueError(f"unknown campaign state {target!r}")
    if NEXT_CAMPAIGN_STATE.get(current) == target:
        return target
    expected = next((s for s, n in NEXT_CAMPAIGN_STATE.items() if n == target), None)
    if current == target:
        raise Refused(f"the campaign is already {target}", state=current)
    if expected is None:  # draft: nothing comes back to it
        raise Refused(f"a campaign never returns to {target}", state=current)
    raise Refused(f"a campaign moves to {target} from {expected}, not from {current}",
                  state=current, expected_state=expected,
                  missing_step=NEXT_CAMPAIGN_STATE.get(current) if current in NEXT_CAMPAIGN_STATE else None)


def require_campaign_state(state, allowed, action):
    if state not in allowed:
        raise Refused(f"{action} needs the campaign to be {' or '.join(allowed)}; it is {state}",
                      state=state, expected_state=list(allowed))


# --- one nomination -----------------------------------------------------------------------------

@dataclass(frozen=True)
class Progress:
    """Where a nomination stands: its status, the step it waits for, and whether it is on notice."""

    status: str = IN_PROGRESS
    stage: str = DEEDS_REPORT
    on_notice: bool = False

    # checks

    def require(self, step):
        """Refused unless ``step`` (a stage's name) is the step this nomination waits for."""
        if self.status != IN_PROGRESS:
            raise Refused(f"the nomination has ended: {self.status}", status=self.status, step=step)
        if step == self.stage:
            return
        if STAGES.index(step) > STAGES.index(self.stage):
            raise Refused(f"{step} needs {self.stage} first", step=step, stage=self.stage,
                          missing_step=self.stage)
        raise Refused(f"{step} is done already", step=step, stage=self.stage)

    def require_not_on_notice(self, step):
        if self.on_notice:
            raise Refused(f"{step} waits until the {self.stage} closes", step=step, stage=self.stage,
                          missing_step=self.stage)

    # steps: each returns the progress after it

    def deeds_reported(self):
        self.require(DEEDS_REPORT)
        return replace(self, stage=DEMOCRATIC_RECOMMENDATION)

    def voted(self, passed):
        self.require(DEMOCRATIC_RECOMMENDATION)
        if not passed:
            return replace(self, status=NOT_RECOMMENDED)
        return replace(self, stage=PARTY_APPROVAL)

    def party_approved(self, at_organiser):
        """``at_organiser``: the nomination entered at the campaign's organiser (no tier above)."""
        self.require(PARTY_APPROVAL)
        return replace(self, stage=PRELIMINARY_REVIEW if at_organiser else TIER_RECOMMENDATION)

    def recommended(self, reaches_organiser):
        """One tier recommends it upward; at the organiser the reviews begin."""
        self.require(TIER_RECOMMENDATION)
        return replace(self, stage=PRELIMINARY_REVIEW) if reaches_organiser else self

    def reviewed(self, stage, passed):
        if stage not in (PRELIMINARY_REVIEW, SECOND_REVIEW):
            raise ValueError(f"{stage} is no review")
        self.require(stage)
        if not passed:
            return replace(self, status=REJECTED)
        return replace(self, stage=SECOND_REVIEW if stage == PRELIMINARY_REVIEW else UNIT_NOTICE)

    def rejected_at_tier(self):
        self.require(TIER_RECOMMENDATION)
        return replace(self, status=REJECTED)

    def notice_opened(self, level):
        stage = NOTICE_STAGE[level]
        self.require(stage)
        if self.on_notice:
            raise Refused(f"the nomination is on its {stage} already", step=stage, stage=self.stage)
        return replace(self, on_notice=True)

    def notice_closed(self, level):
        stage = NOTICE_STAGE[level]
        self.require(stage)
        if not self.on_notice:
            raise Refused(f"the {stage} has not been opened", step=stage, stage=self.stage,
                          missing_step=stage)
        following = STAGES[STAGES.index(stage) + 1]
        return replace(self, stage=following, on_notice=False)

    def conferred(self):
        self.require(CONFERRAL)
        return replace(self, status=CONFERRED)

    def withdrawn(self):
        if self.status != IN_PROGRESS:
            raise Refused(f"the nomination has ended: {self.status}", status=self.status, step="withdrawal")
        return replace(self, status=WITHDRAWN, on_notice=False)

    def lapsed(self):
        if self.status != IN_PROGRESS or self.stage in AT_ORGANISER:
            raise Refused("only a nomination still below the organiser lapses", status=self.status,
                          stage=self.stage)
        return replace(self, status=LAPSED)


# --- the evidence's own rules -------------------------------------------------------------------

def vote_problem(participants, in_favour, against, abstaining):
    """Why the counts of a democratic recommendation cannot be right; None if they can."""
    if min(participants, in_favour, against, abstaining) < 0:
        return "counts cannot be negative"
    if participants == 0:
        return "a vote needs participants"
    if in_favour + against + abstaining > participants:
        return (f"for + against + abstain ({in_favour + against + abstaining}) exceeds the "
                f"participants ({participants})")
    return None


def vote_passes(participants, in_favour):
    """A recommendation passes only with more than half of the participants in favour."""
    return in_favour * 2 > participants
