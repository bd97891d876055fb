"""The suggestion express lane (建言献策直通车): honourees' proposals, handled by the city.

A unit submits (officers) a suggestion proposed by one or more honourees eligible on its roster
(asked before the unit of work opens). The city federation handles it; another unit's officers or
reviewers get 403 for these steps (after the scope check: another district's suggestion is 404):

    submitted ──accept──▶ accepted ──transfer (a handling body, a deadline)──▶ transferred
    submitted ──decline (the reason)──▶ declined (final)
    transferred ──answer (the body's answer, the feedback)──▶ answered ──commend──▶ (commended)

A transferred suggestion whose deadline (a Beijing date) has passed without an answer is overdue
by the service's clock: the overdue list shows it with the days it is late. A suggestion is in
scope when the unit that submitted it is the caller's or below it.
"""
from sqlalchemy import func, select

from services.chassis.audit import record_change
from services.chassis.database import add_once, earlier_request, new_id
from services.chassis.errors import Conflict, Forbidden, Invalid, NotFound

from .models.suggestions import (
    HandlingBody,
    Suggestion,
    SuggestionCategory,
    SuggestionProposer,
    SuggestionStatus,
)


def not_found(suggestion_id):
    return NotFound(f"no suggestion {suggestion_id!r}", {"suggestion_id": suggestion_id})


def get(session, suggestion_id, lock=False):
    found = None
    if isinstance(suggestion_id, str) and len(suggestion_id) <= 32:
        found = session.get(Suggestion, suggestion_id, with_for_update=lock or None, populate_existing=lock)
    if found is None:
        raise not_found(suggestion_id)
    return found


def in_scope(session, suggestion_id, scope, lock=False):
    found = get(session, suggestion_id, lock)
    if found.submitted_by_unit_id not in scope:
        raise not_found(suggestion_id)
    return found


def must_be_city(unit):
    if unit.get("tier") != "city":
        raise Forbidden("only the city federation handles suggestions", {"unit_id": unit.get("id")})


def days_overdue(found, today):
    if found.status is SuggestionStatus.TRANSFERRED and found.deadline < today:
        return (today - found.deadline).days
    return 0


def snapshot(found):
    return {"status": found.status.value, "decision_note": found.decision_note,
            "handling_body": found.handling_body.value if found.handling_body else None,
            "handling_body_name": found.handling_body_name,
            "deadline": found.deadline.isoformat() if found.deadline else None, "answer": found.answer,
            "feedback": found.feedback, "commended": found.commended, "commendation_note": found.commendation_note}


def _iso(value):
    return value.isoformat() if value is not None else None


def view(found, today):
    late = days_overdue(found, today)
    return {
        "id": found.id, "topic": found.topic, "content": found.content, "category": found.category.value,
        "honouree_ids": [p.honouree_id for p in found.proposers], "status": found.status.value,
        "submitted_by_unit_id": found.submitted_by_unit_id, "submitted_by_account": found.submitted_by_account,
        "submitted_on": found.submitted_on.isoformat(), "decision_note": found.decision_note,
        "decided_by_account": found.decided_by_account, "decided_at": _iso(found.decided_at),
        "handling_body": found.handling_body.value if found.handling_body else None,
        "handling_body_name": found.handling_body_name, "deadline": _iso(found.deadline),
        "transferred_at": _iso(found.transferred_at), "answer": found.answer, "feedback": found.feedback,
        "answered_on": _iso(found.answered_on), "overdue": late > 0, "days_overdue": late,
        "commended": found.commended, "commendation_note": found.commendation_note,
        "commended_at": _iso(found.commended_at), "request_id": found.request_id, "version": found.version,
        "created_at": found.created_at.isoformat(), "updated_at": found.updated_at.isoformat()}


def check_proposers(honouree_ids, rows):
    """Every proposer on the actor's roster (404 naming those not) and eligible (409 naming those not)."""
    by_id = {r["honouree_id"]: r for r in rows}
    absent = [h for h in honouree_ids if h not in by_id]
    if absent:
        raise NotFound(f"no honouree {', '.join(absent)}", {"honouree_ids": absent})
    ineligible = [h for h in honouree_ids if not by_id[h]["eligible"]]
    if ineligible:
        raise Conflict("a suggestion's proposers must be living honourees with an active honour",
                       {"honouree_ids": ineligible, "missing": "active_honour"})


def submit(uow, actor, data, rows, today):
    session, now = uow.session, uow.database.clock.now()
    earlier = earlier_request(session, Suggestion, data.get("request_id"))
    if earlier is not None:
        return earlier, False
    check_proposers(data["honouree_ids"], rows)
    made = Suggestion(
        id=new_id(), request_id=data.get("request_id"), topic=data["topic"], content=data["content"],
        category=SuggestionCategory(data["category"]), status=SuggestionStatus.SUBMITTED,
        submitted_by_unit_id=actor.unit_id, submitted_by_account=actor.account, submitted_on=today,
        submitted_year=today.year, commended=False, version=1, created_at=now, updated_at=now,
        proposers=[SuggestionProposer(honouree_id=h) for h in sorted(data["honouree_ids"])])
    made, new = add_once(session, made)
    if not new:
        return made, False
    record_change(uow, actor, "suggestion", made.id, "submitted", None,
                  dict(snapshot(made), honouree_ids=data["honouree_ids"]))
    return made, True


def _must_be(found, status, what):
    if found.status is not status:
        raise Conflict(f"the suggestion is {found.status.value}: only a {status.value} one can {what}",
                       {"suggestion_id": found.id, "status": found.status.value})


def _changed(uow, actor, found, before, action):
    found.version += 1
    found.updated_at = uow.database.clock.now()
    uow.session.flush()
    record_change(uow, actor, "suggestion", found.id, action, before, snapshot(found))
    return found


def decide(uow, actor, suggestion_id, scope, accepted, note):
    found = in_scope(uow.session, suggestion_id, scope, lock=True)
    _must_be(found, SuggestionStatus.SUBMITTED, "be accepted or declined")
    before = snapshot(found)
    found.status = SuggestionStatus.ACCEPTED if accepted else SuggestionStatus.DECLINED
    found.decision_note = note
    found.decided_by_account = actor.account
    found.decided_at = uow.database.clock.now()
    return _changed(uow, actor, found, before, found.status.value)


def transfer(uow, actor, suggestion_id, scope, data, today):
    if data["deadline"] < today:
        raise Invalid("the deadline has passed already", {"deadline": [f"today ({today.isoformat()}) or later"]})
    found = in_scope(uow.session, suggestion_id, scope, lock=True)
    _must_be(found, SuggestionStatus.ACCEPTED, "be transferred")
    before = snapshot(found)
    found.status = SuggestionStatus.TRANSFERRED
    found.handling_body = HandlingBody(data["handling_body"])
    found.handling_body_name = data["handling_body_name"]
    found.deadline = data["deadline"]
    found.transferred_at = uow.database.clock.now()
    return _changed(uow, actor, found, before, "transferred")


def answer(uow, actor, suggestion_id, scope, data, today):
    found = in_scope(uow.session, suggestion_id, scope, lock=True)
    _must_be(found, SuggestionStatus.TRANSFERRED, "be answered")
    before = snapshot(found)
    found.status = SuggestionStatus.ANSWERED
    found.answer, found.feedback, found.answered_on = data["answer"], data["feedback"], today
    return _changed(uow, actor, found, before, "answered")


def commend(uow, actor, suggestion_id, scope, note):
    found = in_scope(uow.session, suggestion_id, scope, lock=True)
    _must_be(found, SuggestionStatus.ANSWERED, "be commended")
    if found.commended:
        raise Conflict("the suggestion is commended already", {"suggestion_id": found.id, "status": "commended"})
    before = snapshot(found)
    found.commended, found.commendation_note = True, note
    found.commended_at = uow.database.clock.now()
    _changed(uow, actor, found, before, "commended")
    uow.record_event("suggestion_commended", {"suggestion_id": found.id,
                                              "honouree_ids": [p.honouree_id for p in found.proposers],
                                              "submitted_by_unit_id": found.submitted_by_unit_id,
                                              "year": found.commended_at.year})
    return found


def _page(session, where, order, params):
    total = session.scalar(select(func.count()).select_from(Suggestion).where(*where))
    page, size = params["page"], params["page_size"]
    found = session.scalars(select(Suggestion).where(*where).order_by(*order)
                            .limit(size).offset((page - 1) * size)).all() if total else []
    return found, total


def listing(session, units, params):
    where = [Suggestion.submitted_by_unit_id.in_(sorted(units))]
    if params.get("status"):
        where.append(Suggestion.status == SuggestionStatus(params["status"]))
    if params.get("category"):
        where.append(Suggestion.category == SuggestionCategory(params["category"]))
    if params.get("year"):
        where.append(Suggestion.submitted_year == params["year"])
    if params.get("commended") is not None:
        where.append(Suggestion.commended == params["commended"])
    return _page(session, where, (Suggestion.created_at.desc(), Suggestion.id), params)


def overdue(session, units, params, today):
    """Transferred suggestions in scope whose deadline has passed without an answer, the longest late first."""
    where = [Suggestion.submitted_by_unit_id.in_(sorted(units)), Suggestion.status == SuggestionStatus.TRANSFERRED,
             Suggestion.deadline < today]
    return _page(session, where, (Suggestion.deadline, Suggestion.id), params)
