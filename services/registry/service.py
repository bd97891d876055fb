"""The registry service (北京劳模信息数据库): entrypoints only.

Every entrypoint that reads or changes honourees takes the ``actor`` (account,
unit, roles, personal-data right) first and works within the actor's scope.
"""
from sqlalchemy import select

from services.chassis.actor import load_actor
from services.chassis.database import Database
from services.chassis.events import event_handler
from services.chassis.metrics import BusinessGauges
from services.chassis.personal_data import PersonalData
from services.chassis.rpc import RpcClient, rpc
from services.chassis.schemas import load, page_of
from services.chassis.service import LaomoService

from . import honourees, tree
from .gauges import figures
from .models import Base, HonourType
from .schemas import (
    CreateUnitSchema,
    HonoureeChangesSchema,
    HonourInputSchema,
    NewHonoureeSchema,
    NewUnitSchema,
    UnitQuerySchema,
    UnitSchema,
)

units_out = UnitSchema(many=True)
unit_out = UnitSchema()


class RegistryService(LaomoService):
    name = "registry"

    db = Database(Base.metadata)
    business_gauges = BusinessGauges(figures)
    sealer = PersonalData()

    # --- the union tree -----------------------------------------------------------------------

    @rpc
    def get_unit(self, unit_id):
        return unit_out.dump(tree.get_unit(self.db.session, unit_id))

    @rpc
    def get_units(self, unit_ids):
        return units_out.dump(tree.get_units(self.db.session, unit_ids))

    @rpc
    def list_children(self, unit_id):
        return units_out.dump(tree.children(self.db.session, unit_id))

    @rpc
    def scope_of(self, unit_id):
        """The ids a caller acting for ``unit_id`` may see: the unit and all below it, both trees."""
        return tree.scope(self.db.session, unit_id)

    @rpc
    def list_units(self, query=None):
        params = load(UnitQuerySchema(), query or {}, "query")
        items, total = tree.list_units(self.db.session, **params)
        return page_of(units_out.dump(items), total, params["page"], params["page_size"])

    @rpc
    def create_unit(self, data):
        unit = tree.add_unit(self.db.session, load(CreateUnitSchema(), data, "unit"), self.clock.now())
        return unit_out.dump(unit)

    @rpc
    def add_unit(self, actor, data):
        """A unit placed below one in the actor's scope (NewUnitSchema), audited; the union tree grows
        from its admins. Services that keep scopes for a while see it within a minute."""
        from services.chassis.audit import record_change
        actor = load_actor(actor)
        data = load(NewUnitSchema(), data, "unit")
        unit, made = tree.add_unit_in_scope(self.db.session, actor, data, self.clock.now())
        view = unit_out.dump(unit)
        if made:
            record_change(self.db, actor, "unit", unit.id, "created", None, view)
        return view

    # --- honourees and honours ----------------------------------------------------------------

    @rpc(sensitive_arguments=("data.id_number", "data.family"))
    def register_honouree(self, actor, data):
        actor = load_actor(actor)
        record = honourees.register(self.db, self.sealer, actor, load(NewHonoureeSchema(), data, "honouree"))
        return honourees.view(record, actor, self.sealer)

    @rpc
    def get_honouree(self, actor, honouree_id):
        actor = load_actor(actor)
        with self.db.database.reading() as connection:  # a read takes no write lock
            return honourees.read(connection, actor, honouree_id, self.sealer)

    @rpc(sensitive_arguments=("changes.id_number", "changes.family"))
    def correct_honouree(self, actor, honouree_id, changes):
        actor = load_actor(actor)
        record = honourees.correct(self.db, self.sealer, actor, honouree_id,
                                   load(HonoureeChangesSchema(), changes, "correction"))
        return honourees.view(record, actor, self.sealer)

    @rpc
    def confer_honour(self, actor, honouree_id, data):
        actor = load_actor(actor)
        honouree = honourees.get(self.db.session, actor, honouree_id)
        honour = honourees.confer(self.db, actor, honouree, load(HonourInputSchema(), data, "honour"))
        return honourees.honour_view(honour)

    @rpc(sensitive_arguments=("id_number",))
    def honours_of_person(self, id_number):
        """The honours (``honour_view``) of whoever the registry holds under ``id_number``; none if
        nobody. For nomination's checks of a new candidate (the same honour twice, the bar after a
        revocation): it answers no personal data, and no record id to a caller without an actor."""
        with self.db.database.reading_session() as session:
            honouree = honourees.find_by_id_number(session, self.sealer, id_number)
            return [dict(honourees.honour_view(h), honouree_id=None) for h in honouree.honours] \
                if honouree is not None else []

    @rpc
    def roster(self, actor, query=None):
        """Every record in the actor's scope in a few fields, no personal data (RosterQuerySchema):
        what welfare pays, greets and books from. One answer, however many records."""
        from . import roster
        from .schemas import RosterQuerySchema
        actor = load_actor(actor)
        params = load(RosterQuerySchema(), query or {}, "query")
        with self.db.database.reading() as connection:
            return roster.roster(connection, actor, params)

    @rpc
    def list_honour_types(self):
        types = self.db.session.scalars(select(HonourType).order_by(HonourType.level, HonourType.code))
        return [{"code": t.code, "name": t.name, "name_en": t.name_en, "level": t.level.value,
                 "conferring_body": t.conferring_body, "active": t.active} for t in types]

    @rpc
    def audit_trail(self, actor, entity, entity_id):
        actor = load_actor(actor)
        return honourees.audit_trail(self.db.session, actor, entity, entity_id)

    # --- annual verification, major-change reports, to-do lists, transfers ---------------------
    # (these entrypoints import their own modules, leaving the shared import block to the others)

    @rpc(sensitive_arguments=("data.changes.id_number", "data.changes.family"))
    def verify_honouree(self, actor, honouree_id, data):
        """This year's verification (年度更新) by the managing unit: confirmed, or corrected."""
        from . import verification
        from .schemas import VerificationSchema
        actor = load_actor(actor)
        record, done = verification.verify(self.db, self.sealer, actor, honouree_id,
                                           load(VerificationSchema(), data, "verification"))
        return dict(verification.verification_view(done), honouree=honourees.view(record, actor, self.sealer))

    @rpc
    def overdue_verifications(self, actor, query=None):
        """Living records in the actor's scope not yet verified this year, page by page."""
        from . import verification
        from .schemas import OverdueQuerySchema
        actor = load_actor(actor)
        params = load(OverdueQuerySchema(), query or {}, "query")
        items, total = verification.overdue(self.db.session, actor, self.clock.today(), **params)
        return page_of([verification.overdue_view(h) for h in items], total, params["page"],
                       params["page_size"])

    @rpc
    def verification_progress(self, actor, year=None):
        """Per managing unit in scope: records due in ``year`` (default this year), verified, rate."""
        from . import verification
        from .schemas import ProgressQuerySchema
        actor = load_actor(actor)
        if year is not None:
            year = load(ProgressQuerySchema(), {"year": year}, "query")["year"]
        return verification.progress(self.db.session, actor, self.clock.today(), year)

    @rpc
    def report_change(self, actor, honouree_id, data):
        """A major change (重大变化) reported by the managing unit, escalated one tier up."""
        from . import changes, transfers
        from .schemas import ChangeReportSchema
        actor = load_actor(actor)
        report, transfer = changes.report(self.db, self.sealer, actor, honouree_id,
                                          load(ChangeReportSchema(), data, "change report"))
        return dict(changes.view(report),
                    transfer=transfers.described(self.db.session, transfer) if transfer else None)

    @rpc
    def acknowledge_change(self, actor, report_id):
        from . import changes
        actor = load_actor(actor)
        return changes.view(changes.acknowledge(self.db, actor, report_id))

    @rpc
    def list_todo(self, actor, query=None):
        """The actor's own unit's to-do items (待办), oldest first; filter by status and kind."""
        from . import changes
        from .schemas import TodoQuerySchema
        actor = load_actor(actor)
        params = load(TodoQuerySchema(), query or {}, "query")
        items, total = changes.todo_list(self.db.session, actor, **params)
        return page_of([changes.todo_view(i) for i in items], total, params["page"], params["page_size"])

    @rpc
    def request_transfer(self, actor, honouree_id, data):
        """Ask to move a record's management (管理关系转移), as its managing or receiving unit."""
        from . import transfers
        from .schemas import TransferRequestSchema
        actor = load_actor(actor)
        transfer = transfers.request(self.db, actor, honouree_id,
                                     load(TransferRequestSchema(), data, "transfer"))
        return transfers.described(self.db.session, transfer)

    @rpc
    def accept_transfer(self, actor, transfer_id):
        from . import transfers
        actor = load_actor(actor)
        return transfers.described(self.db.session, transfers.accept(self.db, actor, transfer_id))

    @rpc
    def reject_transfer(self, actor, transfer_id, reason):
        from . import transfers
        from .schemas import TransferRejectionSchema
        actor = load_actor(actor)
        reason = load(TransferRejectionSchema(), {"reason": reason}, "rejection")["reason"]
        return transfers.described(self.db.session, transfers.reject(self.db, actor, transfer_id, reason))

    @rpc
    def cancel_transfer(self, actor, transfer_id, reason):
        """The side that asked takes a pending transfer back, with its reason."""
        from . import transfers
        from .schemas import TransferRejectionSchema
        actor = load_actor(actor)
        reason = load(TransferRejectionSchema(), {"reason": reason}, "cancellation")["reason"]
        return transfers.described(self.db.session, transfers.cancel(self.db, actor, transfer_id, reason))

    @rpc
    def list_transfers(self, actor, query=None):
        """Transfers in which the actor's unit is either side; filter by status (or "decided")."""
        from . import transfers
        from .schemas import TransferQuerySchema
        actor = load_actor(actor)
        params = load(TransferQuerySchema(), query or {}, "query")
        items, total = transfers.listing(self.db.session, actor, **params)
        return page_of(items, total, params["page"], params["page_size"])

    # --- revocation, and honours conferred by nomination ---------------------------------------
    # (these entrypoints import their own modules, leaving the shared import block to the others)

    nomination = RpcClient("nomination")  # the claim check of nomination_conferred

    @rpc
    def request_revocation(self, actor, honour_id, data):
        """The honouree's managing unit asks for an honour to be revoked (退出机制), with reasons."""
        from . import revocations
        from .schemas import RevocationReasonsSchema
        actor = load_actor(actor)
        revocation = revocations.request(self.db, actor, honour_id,
                                         load(RevocationReasonsSchema(), data, "revocation"))
        return revocations.full_view(self.db.session, revocation)

    @rpc
    def endorse_revocation(self, actor, revocation_id, data):
        """The unit the request waits at supports it: it goes one tier up, to the deciding unit at last."""
        from . import revocations
        from .schemas import RevocationReasonsSchema
        actor = load_actor(actor)
        revocation = revocations.endorse(self.db, actor, revocation_id,
                                         load(RevocationReasonsSchema(), data, "endorsement"))
        return revocations.full_view(self.db.session, revocation)

    @rpc
    def refuse_revocation(self, actor, revocation_id, data):
        """The unit the request waits at turns it down; the request ends, refused, reasons kept."""
        from . import revocations
        from .schemas import RevocationReasonsSchema
        actor = load_actor(actor)
        revocation = revocations.refuse(self.db, actor, revocation_id,
                                        load(RevocationReasonsSchema(), data, "refusal"))
        return revocations.full_view(self.db.session, revocation)

    @rpc
    def decide_revocation(self, actor, revocation_id, data):
        """The deciding unit's decision, once the request waits there: ``revoke`` or ``refuse``."""
        from . import revocations
        from .schemas import RevocationDecisionSchema
        actor = load_actor(actor)
        revocation = revocations.decide(self.db, actor, revocation_id,
                                        load(RevocationDecisionSchema(), data, "decision"))
        return revocations.full_view(self.db.session, revocation)

    @rpc
    def get_revocation(self, actor, revocation_id):
        from . import revocations
        actor = load_actor(actor)
        return revocations.full_view(self.db.session, revocations.get(self.db.session, actor, revocation_id))

    @rpc
    def list_revocations(self, actor, query=None):
        """Requests the actor's unit may see, newest first; filter by status, ``waiting_here``, honour."""
        from . import revocations
        from .schemas import RevocationQuerySchema
        actor = load_actor(actor)
        params = load(RevocationQuerySchema(), query or {}, "query")
        items, total = revocations.listing(self.db.session, actor, **params)
        return page_of(items, total, params["page"], params["page_size"])

    @event_handler("nomination", "nomination_conferred")
    def on_nomination_conferred(self, event):
        """Enter an honour conferred through a nomination campaign; once per nomination.

        The event (``nomination.events``, routing key ``nomination_conferred``)::

            {"event_id": str, "occurred_at": ISO 8601,      # as every laomo event
             "nomination_id": str (≤ 64), "campaign_id": str (≤ 64),
             "honour_type": a code of list_honour_types, "year": int,
             "level": "national" | "municipal" | "district" (optional; else the type's),
             "conferring_body": str (optional; else the type's),
             "honouree_id": str (only when the candidate already was an honouree),
             "managing_unit_id": the unit that manages the honouree}

        It carries no personal data. Without ``honouree_id`` the registry calls
        ``nomination.candidate_record(nomination_id)`` (claim check), which
        returns the fields of ``NewHonoureeSchema`` (name, gender, ethnicity,
        birth_date, id_number, category, ..., managing_unit_id: the event's if
        left out; ``honours`` and ``request_id`` are ignored); if that ID number
        is registered already the honour goes on that record, else the record is
        registered. An honour already entered for the nomination makes the event
        a no-op (no RPC); the inbox drops a redelivered event. A malformed event
        or an unknown honouree is an error: retried, then dead-lettered for ops.
        Returns the ids entered (or the inbox's DUPLICATE).
        """
        from . import conferrals
        honouree, honour = conferrals.enter(self.db, self.sealer, self.nomination, event)
        return {"honouree_id": honouree.id, "honour_id": honour.id}

    # --- search, get many, statistics, import and export ---------------------------------------

    @rpc
    def get_honourees(self, actor, honouree_ids):
        """Records by id (at most 200), read in one query, in the order asked; an id unknown or
        outside the actor's scope is simply absent."""
        from . import search
        actor = load_actor(actor)
        with self.db.database.reading_session() as session:
            return search.get_many(session, self.sealer, actor, honouree_ids)

    @rpc
    def search_honourees(self, actor, query=None):
        """A page of the records in the actor's scope matching ``query`` (HonoureeSearchSchema),
        by name then id: ``{items, total, page, page_size, pages}``."""
        from . import search
        from .schemas import HonoureeSearchSchema
        actor = load_actor(actor)
        params = load(HonoureeSearchSchema(), query or {}, "query")
        with self.db.database.reading_session() as session:
            return search.search(session, self.sealer, actor, params, self.clock.today())

    @rpc
    def statistics(self, actor, query=None):
        """The team's size against the target and its make-up, in the actor's scope (the same
        filters as a search, HonoureeFilterSchema)."""
        from . import search
        from .schemas import HonoureeFilterSchema
        actor = load_actor(actor)
        params = load(HonoureeFilterSchema(), query or {}, "query")
        with self.db.database.reading_session() as session:
            return search.statistics(session, actor, params, self.clock.today())

    @rpc(sensitive_arguments=("csv_text", "csv_base64"))
    def import_honourees(self, actor, csv_text=None, dry_run=True, csv_base64=None):
        """Check a CSV file of honourees (docs/csv.md) and, unless ``dry_run``, enter all of
        them or none. The file as UTF-8 text (``csv_text``) or its bytes in base64
        (``csv_base64``). Returns the report (bulk.import_honourees)."""
        from . import bulk
        actor = load_actor(actor)
        return bulk.import_honourees(self.db, self.sealer, actor, csv_text, dry_run, csv_base64)

    @rpc
    def export_honourees(self, actor, query=None):
        """Every record in the actor's scope matching ``query`` (HonoureeFilterSchema) as CSV text
        in the import's columns; ID numbers masked unless the actor holds the right."""
        from . import bulk
        from .schemas import HonoureeFilterSchema
        actor = load_actor(actor)
        params = load(HonoureeFilterSchema(), query or {}, "query")
        with self.db.database.reading_session() as session:
            return bulk.export_honourees(session, self.sealer, actor, params, self.clock.today())
