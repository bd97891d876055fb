"""Revoked honours, learnt from the registry, and the bar on nominating the person again.

The registry publishes ``honour_revoked`` (honour_id, honouree_id, ...; no
personal data) when the deciding unit revokes an honour; this service keeps
each in ``revoked_honours``. It also consumes the registry's
``honour_conferred``: when the honour carries one of this service's
nomination ids, the nomination learns which honouree the candidate became
(``registered_honouree_id``), so a new-person nomination made later can be
matched to that honouree through the blind index of the ID number.

A campaign refuses a candidate for ``revocation_bar_years`` after any honour
of theirs was revoked (counted from the Beijing date of the revocation):

- an existing honouree, by honouree id, against the revocations received and
  the honours the registry's record reports revoked;
- a new person, by the blind index of the ID number, against the honourees
  earlier nominations of that person became, and against the honours the
  registry holds under that ID number (``registry.honours_of_person``: someone
  entered into the registry by hand, never nominated here).
"""
from datetime import date, datetime

from sqlalchemy import select

from services.chassis.audit import record_change
from services.chassis.clock import BEIJING
from services.chassis.errors import Conflict
from services.chassis.schemas import load

from .models import Nomination, RevokedHonour
from .schemas import HonourConferredSchema, HonourRevokedSchema


def barred_until(revoked_at, years):
    """The first Beijing date on which a person whose honour was revoked at ``revoked_at`` may be
    nominated again (29 February counts as 28 February in a common year)."""
    day = revoked_at.astimezone(BEIJING).date()
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return date(day.year + years, 2, 28)


def honouree_ids_of(session, honouree_id, id_number_index):
    ids = {honouree_id} if honouree_id else set()
    if id_number_index:
        ids.update(session.scalars(select(Nomination.registered_honouree_id).where(
            Nomination.id_number_index == id_number_index,
            Nomination.registered_honouree_id.is_not(None))).all())
    return ids


def check_bar(session, campaign, honouree_id, id_number_index, today, registry_honours=()):
    """Conflict if an honour of the candidate was revoked less than the campaign's bar ago."""
    years = campaign.revocation_bar_years
    if not years:
        return
    revoked = []
    ids = honouree_ids_of(session, honouree_id, id_number_index)
    if ids:
        revoked += [(row.honour_id, row.revoked_at) for row in session.scalars(
            select(RevokedHonour).where(RevokedHonour.honouree_id.in_(sorted(ids)))).all()]
    for honour in registry_honours or ():
        if honour.get("status") == "revoked" and honour.get("revoked_at"):
            revoked.append((honour.get("id"), datetime.fromisoformat(honour["revoked_at"])))
    for honour_id, revoked_at in sorted(revoked, key=lambda r: r[1], reverse=True):
        until = barred_until(revoked_at, years)
        if today < until:
            raise Conflict("an honour of this candidate was revoked within the campaign's bar period",
                           {"honour_id": honour_id, "revoked_on": revoked_at.astimezone(BEIJING).date().isoformat(),
                            "barred_until": until.isoformat(), "revocation_bar_years": years})


def record_revocation(uow, event):
    """Keep a revoked honour (once per honour: a repeat changes nothing)."""
    data = load(HonourRevokedSchema(), event, "honour_revoked event")
    session = uow.session
    known = session.get(RevokedHonour, data["honour_id"])
    if known is None:
        known = RevokedHonour(honour_id=data["honour_id"], honouree_id=data["honouree_id"],
                              honour_type=data["honour_type"], revocation_id=data["revocation_id"],
                              revoked_at=data["occurred_at"], received_at=uow.database.clock.now())
        session.add(known)
        session.flush()
    return {"honour_id": known.honour_id, "honouree_id": known.honouree_id}


def link_conferral(uow, event, actor):
    """Note which honouree a conferred nomination of this service became; other honours are ignored."""
    data = load(HonourConferredSchema(), event, "honour_conferred event")
    if not data["nomination_id"]:
        return None
    nomination = uow.session.get(Nomination, data["nomination_id"])
    if nomination is None:
        return None
    if nomination.registered_honouree_id != data["honouree_id"]:
        before = {"registered_honouree_id": nomination.registered_honouree_id}
        nomination.registered_honouree_id = data["honouree_id"]
        record_change(uow, actor, "nomination", nomination.id, "registered", before,
                      {"registered_honouree_id": data["honouree_id"], "honour_id": data["honour_id"]})
    return {"nomination_id": nomination.id, "honouree_id": data["honouree_id"]}
