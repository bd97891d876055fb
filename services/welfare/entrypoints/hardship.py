"""Entrypoints of hardship aid (困难帮扶) and sick visits (看望生病劳模).

Each asks the registry what it needs (the scope; the roster row of the honouree; the managing
unit's parent for the approval tier) before its unit of work opens. The rules are in
``services/welfare/hardship.py`` and ``sick_visits.py``. The supporting facts and the visits'
notes are personal data: the RPCs mark them sensitive (never logged).
"""
from nameko.dependency_providers import Config

from services.chassis.actor import load_actor
from services.chassis.errors import NotFound
from services.chassis.rpc import rpc
from services.chassis.schemas import load, page_of
from services.chassis.union_tree import Tree

from .. import hardship, sick_visits
from ..schemas.hardship import (
    HardshipApprovalSchema,
    HardshipCancellationSchema,
    HardshipNoteSchema,
    HardshipQuerySchema,
    HardshipRefusalSchema,
    NewHardshipApplicationSchema,
    NewSickVisitSchema,
    SickVisitQuerySchema,
)


class HardshipEntrypoints:
    config = Config()  # HARDSHIP_APPROVAL_THRESHOLD (fen)

    # helpers (not entrypoints) ---------------------------------------------------------------

    def _hardship_row(self, actor, honouree_id):
        """The honouree's roster row, if in the actor's scope; else None."""
        rows = self.registry.roster(actor.to_dict(), {"honouree_ids": [honouree_id]})
        return next((r for r in rows if r["honouree_id"] == honouree_id), None)

    def _hardship_honouree(self, actor, application_id, scope):
        """The roster row (or None) of the honouree of an application in scope; NotFound if none."""
        with self.db.database.reading_session() as session:
            honouree_id = hardship.get(session, application_id, scope).honouree_id
        return self._hardship_row(actor, honouree_id)

    # --- hardship aid -------------------------------------------------------------------------

    @rpc(sensitive_arguments=("data.facts",))
    def apply_hardship_aid(self, actor, data):
        """An application for an eligible honouree in scope (NewHardshipApplicationSchema):
        {application, created}; the same request_id returns the first one."""
        actor = load_actor(actor)
        data = load(NewHardshipApplicationSchema(), data, "hardship application")
        row = self._hardship_row(actor, data["honouree_id"])
        if row is None:
            raise NotFound(f"no honouree {data['honouree_id']!r}", {"honouree_id": data["honouree_id"]})
        threshold = hardship.threshold_of(getattr(self, "config", None))
        managing = Tree(self.registry).unit(row["managing_unit_id"])
        application, created = hardship.apply(self.db, self.sealer, actor, data, row,
                                              hardship.approving_unit(data["amount"], threshold, managing))
        return {"application": hardship.view(application, actor, self.sealer), "created": created}

    @rpc
    def get_hardship_application(self, actor, application_id):
        """An application in scope with its steps; the facts "***" without the personal-data right."""
        actor = load_actor(actor)
        scope = Tree(self.registry).scope(actor.unit_id)
        with self.db.database.reading_session() as session:
            return hardship.view(hardship.get(session, application_id, scope), actor, self.sealer)

    @rpc
    def list_hardship_applications(self, actor, query=None):
        """A page of the applications in scope (HardshipQuerySchema: state, kind, honouree_id, year),
        newest first."""
        actor = load_actor(actor)
        params = load(HardshipQuerySchema(), query or {}, "query")
        scope = Tree(self.registry).scope(actor.unit_id)
        with self.db.database.reading_session() as session:
            found, total = hardship.listing(session, scope, params)
            return page_of([hardship.view(a, actor, self.sealer) for a in found], total, params["page"],
                           params["page_size"])

    @rpc
    def review_hardship_application(self, actor, application_id, data=None):
        actor = load_actor(actor)
        note = load(HardshipNoteSchema(), data or {}, "review")["note"]
        scope = Tree(self.registry).scope(actor.unit_id)
        application = hardship.review(self.db, actor, application_id, note, scope)
        return hardship.view(application, actor, self.sealer)

    @rpc
    def approve_hardship_application(self, actor, application_id, data=None):
        """Approve (the approving tier or above): the amount committed from the fund."""
        actor = load_actor(actor)
        data = load(HardshipApprovalSchema(), data or {}, "approval")
        scope = Tree(self.registry).scope(actor.unit_id)
        row = self._hardship_honouree(actor, application_id, scope)
        application = hardship.approve(self.db, actor, application_id, data, scope, row)
        return hardship.view(application, actor, self.sealer)

    @rpc
    def refuse_hardship_application(self, actor, application_id, data):
        actor = load_actor(actor)
        reasons = load(HardshipRefusalSchema(), data, "refusal")["reasons"]
        scope = Tree(self.registry).scope(actor.unit_id)
        application = hardship.refuse(self.db, actor, application_id, reasons, scope)
        return hardship.view(application, actor, self.sealer)

    @rpc
    def pay_hardship_application(self, actor, application_id, data=None):
        """Pay (finance): the commitment posted from its fund, once."""
        actor = load_actor(actor)
        note = load(HardshipNoteSchema(), data or {}, "payment")["note"]
        scope = Tree(self.registry).scope(actor.unit_id)
        row = self._hardship_honouree(actor, application_id, scope)
        application = hardship.pay(self.db, actor, application_id, note, scope, row)
        return hardship.view(application, actor, self.sealer)

    @rpc
    def cancel_hardship_application(self, actor, application_id, data):
        """Cancel (the applicant unit, while not paid): a commitment made is voided."""
        actor = load_actor(actor)
        reason = load(HardshipCancellationSchema(), data, "cancellation")["reason"]
        scope = Tree(self.registry).scope(actor.unit_id)
        application = hardship.cancel(self.db, actor, application_id, reason, scope)
        return hardship.view(application, actor, self.sealer)

    @rpc
    def hardship_application_audit(self, actor, application_id):
        """Who changed the application, when, from what to what (the facts masked); oldest first."""
        actor = load_actor(actor)
        scope = Tree(self.registry).scope(actor.unit_id)
        with self.db.database.reading_session() as session:
            application = hardship.get(session, application_id, scope)
            return hardship.audit(session, self.db.database.metadata, application)

    # --- sick visits --------------------------------------------------------------------------

    @rpc(sensitive_arguments=("data.notes",))
    def record_sick_visit(self, actor, data):
        """A visit to an eligible honouree in scope (NewSickVisitSchema), with the money given, if any:
        {visit, created}; the same request_id returns the first one."""
        actor = load_actor(actor)
        data = load(NewSickVisitSchema(), data, "sick visit")
        row = self._hardship_row(actor, data["honouree_id"])
        if row is None:
            raise NotFound(f"no honouree {data['honouree_id']!r}", {"honouree_id": data["honouree_id"]})
        scope = Tree(self.registry).scope(actor.unit_id)
        visit, created = sick_visits.record(self.db, self.sealer, actor, data, row, scope)
        return {"visit": sick_visits.view(visit, actor, self.sealer), "created": created}

    @rpc
    def get_sick_visit(self, actor, visit_id):
        actor = load_actor(actor)
        scope = Tree(self.registry).scope(actor.unit_id)
        with self.db.database.reading_session() as session:
            return sick_visits.view(sick_visits.get(session, visit_id, scope), actor, self.sealer)

    @rpc
    def list_sick_visits(self, actor, query=None):
        """A page of the visits in scope (SickVisitQuerySchema: honouree_id, year), newest first."""
        actor = load_actor(actor)
        params = load(SickVisitQuerySchema(), query or {}, "query")
        scope = Tree(self.registry).scope(actor.unit_id)
        with self.db.database.reading_session() as session:
            found, total = sick_visits.listing(session, scope, params)
            return page_of([sick_visits.view(v, actor, self.sealer) for v in found], total, params["page"],
                           params["page_size"])
