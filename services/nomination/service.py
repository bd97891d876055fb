"""The nomination service (劳模评选与培育): entrypoints only.

Every entrypoint that reads or changes records takes the ``actor`` (account,
unit, roles, personal-data right) first. The union tree is the registry's:
an entrypoint asks ``registry.scope_of(actor.unit_id)`` (and ``get_unit``
where it needs a unit's place in the tree) once, before it opens its unit of
work, so no RPC waits inside a database transaction. Reads run on read-only
connections (no write lock on SQLite).

Three entrypoints take no actor: ``public_notices`` and ``lodge_objection``
(the public's side of the notices) and ``candidate_record`` (the registry's
claim check after ``nomination_conferred``).
"""
from services.chassis.actor import SYSTEM, load_actor
from services.chassis.database import Database
from services.chassis.errors import Invalid, NotFound
from services.chassis.events import event_handler
from services.chassis.metrics import BusinessGauges
from services.chassis.personal_data import PersonalData
from services.chassis.rpc import RpcClient, rpc
from services.chassis.schemas import load, page_of
from services.chassis.service import LaomoService
from services.chassis.union_tree import Tree

from . import (
    audit,
    campaigns,
    cultivation,
    nominations,
    notices,
    procedure,
    reports,
    revocations,
    steps,
)
from .gauges import figures
from .models import Base
from .schemas import (
    MAX_ADDRESS,
    AttachmentsSchema,
    CampaignChangesSchema,
    CampaignQuerySchema,
    CampaignTransitionSchema,
    ConferralSchema,
    CultivationQuerySchema,
    CultivationSchema,
    DashboardQuerySchema,
    DeedsReportSchema,
    DemocraticRecommendationSchema,
    NewCampaignSchema,
    NominationQuerySchema,
    NominationSchema,
    NoteSchema,
    NoticeQuerySchema,
    NoticeSchema,
    ObjectionQuerySchema,
    ObjectionResolutionSchema,
    ObjectionSchema,
    PartyApprovalSchema,
    PromotionSchema,
    PublicNoticeQuerySchema,
    QuotaAllocationSchema,
    RatioQuerySchema,
    ReasonsSchema,
    RecommendationSchema,
    ReviewSchema,
)

PERSONAL = ("id_number", "phone", "address", "family")


class NominationService(LaomoService):
    name = "nomination"

    db = Database(Base.metadata)
    business_gauges = BusinessGauges(figures)
    sealer = PersonalData()
    registry = RpcClient("registry")  # the union tree, honourees' records, honour types

    # helpers (not entrypoints) ---------------------------------------------------------------

    def _tree(self):
        return Tree(self.registry)

    def _reading(self):
        return self.db.database.reading_session()

    def _nomination(self, actor, nomination):
        return nominations.view(nomination, actor, self.sealer)

    def _unit_scope(self, tree, actor, unit_id):
        """The scope of ``unit_id`` (the actor's unit unless given), which must be in the actor's."""
        if unit_id is None or unit_id == actor.unit_id:
            return actor.unit_id, tree.scope(actor.unit_id)
        if unit_id not in tree.scope(actor.unit_id):
            raise NotFound(f"no unit {unit_id!r}", {"unit_id": unit_id})
        return unit_id, tree.scope(unit_id)

    # --- campaigns ----------------------------------------------------------------------------

    @rpc
    def create_campaign(self, actor, data):
        """A campaign in draft, organised by the actor's unit (NewCampaignSchema)."""
        actor = load_actor(actor)
        data = load(NewCampaignSchema(), data, "campaign")
        honour_types = self.registry.list_honour_types()
        return campaigns.view(campaigns.create(self.db, actor, data, honour_types))

    @rpc
    def update_campaign(self, actor, campaign_id, changes):
        """Change a draft campaign (its organiser only); ``version`` guards against lost updates."""
        actor = load_actor(actor)
        changes = load(CampaignChangesSchema(), changes, "campaign changes")
        return campaigns.view(campaigns.update(self.db, actor, campaign_id, changes))

    @rpc
    def transition_campaign(self, actor, campaign_id, state):
        """Move a campaign one state on: draft → open → reviewing → notice → closed."""
        actor = load_actor(actor)
        state = load(CampaignTransitionSchema(), {"state": state}, "transition")["state"]
        return campaigns.view(campaigns.transition(self.db, actor, campaign_id, state))

    @rpc
    def get_campaign(self, actor, campaign_id):
        """A campaign (every actor sees every campaign), with its quotas."""
        load_actor(actor)
        with self._reading() as session:
            campaign = campaigns.get(session, campaign_id)
            return dict(campaigns.view(campaign), quotas=campaigns.quotas_view(session, campaign))

    @rpc
    def list_campaigns(self, actor, query=None):
        load_actor(actor)
        params = load(CampaignQuerySchema(), query or {}, "query")
        with self._reading() as session:
            items, total = campaigns.listing(session, **params)
            return page_of([campaigns.view(c) for c in items], total, params["page"], params["page_size"])

    @rpc
    def allocate_quotas(self, actor, campaign_id, data):
        """The actor's unit gives quotas to the units directly below it: ``{allocations: [{unit_id,
        quota}]}``; returns every quota of the campaign in the actor's scope."""
        actor = load_actor(actor)
        data = load(QuotaAllocationSchema(), data, "quotas")
        tree = self._tree()
        scope = tree.scope(actor.unit_id)
        units = tree.units([a["unit_id"] for a in data["allocations"]])
        campaigns.allocate(self.db, actor, campaign_id, data["allocations"], units)
        return campaigns.quotas_view(self.db.session, campaigns.get(self.db.session, campaign_id), scope)

    @rpc
    def list_quotas(self, actor, campaign_id):
        """The campaign's quotas given to or by units in the actor's scope, with their use."""
        actor = load_actor(actor)
        scope = self._tree().scope(actor.unit_id)
        with self._reading() as session:
            return campaigns.quotas_view(session, campaigns.get(session, campaign_id), scope)

    # --- nominations --------------------------------------------------------------------------

    @rpc(sensitive_arguments=tuple(f"data.candidate.{f}" for f in PERSONAL))
    def nominate(self, actor, campaign_id, data):
        """Put a candidate forward (NominationSchema); the same ``request_id`` returns the same one."""
        actor = load_actor(actor)
        data = load(NominationSchema(), data, "nomination")
        prepared = nominations.prepare(self.db, self._tree(), actor, campaign_id, data)
        return self._nomination(actor, nominations.create(self.db, self.sealer, actor, prepared, data))

    @rpc
    def get_nomination(self, actor, nomination_id):
        """A nomination in the actor's scope, with its candidate, deeds, attachments and steps."""
        actor = load_actor(actor)
        scope = self._tree().scope(actor.unit_id)
        with self._reading() as session:
            return self._nomination(actor, nominations.get(session, scope, nomination_id))

    @rpc
    def list_nominations(self, actor, campaign_id, query=None):
        """A page of the campaign's nominations in the actor's scope (no personal data but names)."""
        actor = load_actor(actor)
        params = load(NominationQuerySchema(), query or {}, "query")
        scope = self._tree().scope(actor.unit_id)
        with self._reading() as session:
            campaign = campaigns.get(session, campaign_id)
            items, total = nominations.listing(session, campaign.id, scope,
                                               actor.unit_id == campaign.organiser_unit_id, **params)
            return page_of([nominations.summary(n) for n in items], total, params["page"], params["page_size"])

    @rpc
    def add_attachments(self, actor, nomination_id, data):
        actor = load_actor(actor)
        data = load(AttachmentsSchema(), data, "attachments")
        scope = self._tree().scope(actor.unit_id)
        return self._nomination(actor, nominations.add_attachments(self.db, actor, scope, nomination_id,
                                                                   data["attachments"]))

    @rpc
    def record_deeds_report(self, actor, nomination_id, data):
        """一报告: the deeds reported to the workers (date, audience size, minutes)."""
        actor = load_actor(actor)
        evidence = load(DeedsReportSchema(), data, "deeds report")
        scope = self._tree().scope(actor.unit_id)
        return self._nomination(actor, steps.deeds_report(self.db, actor, scope, nomination_id, evidence))

    @rpc
    def record_democratic_recommendation(self, actor, nomination_id, data):
        """民主推荐: the vote; passes only with more than half of the participants for."""
        actor = load_actor(actor)
        evidence = load(DemocraticRecommendationSchema(), data, "democratic recommendation")
        scope = self._tree().scope(actor.unit_id)
        return self._nomination(actor, steps.democratic_recommendation(self.db, actor, scope, nomination_id,
                                                                       evidence))

    @rpc
    def record_party_approval(self, actor, nomination_id, data):
        """同级党委同意: the same-level party committee's approval."""
        actor = load_actor(actor)
        evidence = load(PartyApprovalSchema(), data, "party approval")
        scope = self._tree().scope(actor.unit_id)
        return self._nomination(actor, steps.party_approval(self.db, actor, scope, nomination_id, evidence))

    @rpc
    def recommend_nomination(self, actor, nomination_id, data):
        """The unit the nomination is at recommends it one tier up (its parent, or ``to_unit_id``:
        its system parent), within its quota."""
        actor = load_actor(actor)
        data = load(RecommendationSchema(), data, "recommendation")
        tree = self._tree()
        scope = tree.scope(actor.unit_id)
        to_unit_id = steps.next_unit(tree.unit(actor.unit_id), data.pop("to_unit_id"))
        with self._reading() as session:
            nomination = nominations.get(session, scope, nomination_id)
            organiser = campaigns.get(session, nomination.campaign_id).organiser_unit_id
        if to_unit_id != organiser and to_unit_id not in tree.scope(organiser):
            raise Invalid("that unit is not on the way to the campaign's organiser",
                          {"to_unit_id": [f"not below {organiser}"]})
        return self._nomination(actor, steps.recommend(self.db, actor, scope, nomination_id, data, to_unit_id))

    @rpc
    def reject_nomination(self, actor, nomination_id, data):
        """The unit the nomination is at, on its way up, rejects it with reasons."""
        actor = load_actor(actor)
        reasons = load(ReasonsSchema(), data, "rejection")["reasons"]
        scope = self._tree().scope(actor.unit_id)
        return self._nomination(actor, steps.reject(self.db, actor, scope, nomination_id, reasons))

    @rpc
    def preliminary_review(self, actor, nomination_id, data):
        """初审 at the organiser: ``{nomination, structure_ratios}`` (the slate's, after this review)."""
        actor = load_actor(actor)
        data = load(ReviewSchema(), data, "review")
        scope = self._tree().scope(actor.unit_id)
        nomination, ratios = steps.review(self.db, actor, scope, nomination_id, procedure.PRELIMINARY_REVIEW, data)
        return {"nomination": self._nomination(actor, nomination), "structure_ratios": ratios}

    @rpc
    def second_review(self, actor, nomination_id, data):
        """复审 of the deed materials at the organiser."""
        actor = load_actor(actor)
        data = load(ReviewSchema(), data, "review")
        scope = self._tree().scope(actor.unit_id)
        nomination, _ = steps.review(self.db, actor, scope, nomination_id, procedure.SECOND_REVIEW, data)
        return self._nomination(actor, nomination)

    @rpc
    def withdraw_nomination(self, actor, nomination_id, data):
        """The nominating unit or the organiser withdraws a nomination in progress, with reasons."""
        actor = load_actor(actor)
        reasons = load(ReasonsSchema(), data, "withdrawal")["reasons"]
        scope = self._tree().scope(actor.unit_id)
        return self._nomination(actor, steps.withdraw(self.db, actor, scope, nomination_id, reasons))

    @rpc
    def confer(self, actor, nomination_id, data):
        """The honour is conferred (by the organiser, after the city-wide notice closed);
        ``nomination_conferred`` is published through the outbox, once."""
        actor = load_actor(actor)
        data = load(ConferralSchema(), data, "conferral")
        scope = self._tree().scope(actor.unit_id)
        return self._nomination(actor, steps.confer(self.db, actor, scope, nomination_id, data))

    @rpc
    def candidate_record(self, nomination_id):
        """The registry's claim check after ``nomination_conferred``: a conferred new person's
        record in the fields of the registry's NewHonoureeSchema. Personal data (the ID number
        in clear): answered only for a conferred nomination of a new person, NotFound for any
        other; the reply is never logged or put in an event."""
        with self._reading() as session:
            return nominations.candidate_record(session, self.sealer, nomination_id)

    # --- notices and objections -----------------------------------------------------------------

    @rpc
    def open_notice(self, actor, campaign_id, data):
        """Publish a public notice (NoticeSchema) of nominations due for it, for a window."""
        actor = load_actor(actor)
        data = load(NoticeSchema(), data, "notice")
        tree = self._tree()
        scope = tree.scope(actor.unit_id)
        unit_name = tree.unit(actor.unit_id)["name"]
        return notices.view(notices.open_notice(self.db, actor, scope, campaign_id, data, unit_name))

    @rpc
    def close_notice(self, actor, notice_id):
        """Close a notice after its end, with its objections all resolved; the candidates move on."""
        actor = load_actor(actor)
        return notices.view(notices.close_notice(self.db, actor, notice_id))

    @rpc
    def get_notice(self, actor, notice_id):
        load_actor(actor)
        with self._reading() as session:
            return notices.view(notices.get(session, notice_id))

    @rpc
    def list_notices(self, actor, campaign_id, query=None):
        load_actor(actor)
        params = load(NoticeQuerySchema(), query or {}, "query")
        with self._reading() as session:
            campaigns.get(session, campaign_id)
            items, total = notices.listing(session, campaign_id, **params)
            return page_of([notices.view(n) for n in items], total, params["page"], params["page_size"])

    @rpc
    def public_notices(self, query=None):
        """The notices open now, for anyone: per candidate the name, unit and deeds summary only."""
        params = load(PublicNoticeQuerySchema(), query or {}, "query")
        with self._reading() as session:
            items, total = notices.public_listing(session, self.clock.now(), **params)
            return page_of(items, total, params["page"], params["page_size"])

    @rpc(sensitive_arguments=("data.contact", "client_address"))
    def lodge_objection(self, notice_id, nomination_id, data, client_address):
        """Anyone's objection to a candidate on an open notice (no account). ``client_address``: the
        caller's address as the gateway saw it, for the rate limit (5 an hour). Returns a receipt."""
        data = load(ObjectionSchema(), data, "objection")
        if not isinstance(client_address, str) or not 1 <= len(client_address.strip()) <= MAX_ADDRESS:
            raise Invalid("the caller's address is needed", {"client_address": ["required"]})
        return notices.receipt(notices.lodge(self.db, self.sealer, notice_id, nomination_id, data, client_address))

    @rpc
    def resolve_objection(self, actor, objection_id, data):
        """The publishing unit resolves an objection: upheld (the candidate withdrawn) or dismissed."""
        actor = load_actor(actor)
        data = load(ObjectionResolutionSchema(), data, "resolution")
        scope = self._tree().scope(actor.unit_id)
        return notices.objection_view(notices.resolve(self.db, actor, scope, objection_id, data), actor, self.sealer)

    @rpc
    def get_objection(self, actor, objection_id):
        """An objection: the contact in clear only for an actor with the personal-data right."""
        actor = load_actor(actor)
        scope = self._tree().scope(actor.unit_id)
        with self._reading() as session:
            objection, _, _ = notices.get_objection(session, scope, objection_id)
            return notices.objection_view(objection, actor, self.sealer)

    @rpc
    def list_objections(self, actor, query=None):
        """Objections to notices published in the actor's scope or to candidates in it (no contacts)."""
        actor = load_actor(actor)
        params = load(ObjectionQuerySchema(), query or {}, "query")
        scope = self._tree().scope(actor.unit_id)
        with self._reading() as session:
            items, total = notices.objections(session, scope, **params)
            return page_of([notices.objection_view(o) for o in items], total, params["page"], params["page_size"])

    # --- reports --------------------------------------------------------------------------------

    @rpc
    def campaign_dashboard(self, actor, campaign_id, query=None):
        """One tier's dashboard (``unit_id``: the actor's unit or one in its scope)."""
        actor = load_actor(actor)
        params = load(DashboardQuerySchema(), query or {}, "query")
        unit_id, scope = self._unit_scope(self._tree(), actor, params["unit_id"])
        with self._reading() as session:
            return reports.dashboard(session, campaigns.get(session, campaign_id), unit_id, scope)

    @rpc
    def structure_ratios(self, actor, campaign_id, query=None):
        """The structure ratios against the campaign's targets, by SQL aggregates: ``basis`` slate
        (default) or live; over ``unit_id``'s part of the tree (the actor's unless given)."""
        actor = load_actor(actor)
        params = load(RatioQuerySchema(), query or {}, "query")
        unit_id, scope = self._unit_scope(self._tree(), actor, params["unit_id"])
        with self._reading() as session:
            campaign = campaigns.get(session, campaign_id)
            limit = None if unit_id == campaign.organiser_unit_id else scope
            return dict(reports.structure_ratios(session, campaign, params["basis"], limit),
                        campaign_id=campaign.id, unit_id=unit_id)

    # --- cultivation ----------------------------------------------------------------------------

    @rpc(sensitive_arguments=tuple(f"data.candidate.{f}" for f in PERSONAL))
    def track_candidate(self, actor, data):
        """A worker the unit tracks for development this year (CultivationSchema)."""
        actor = load_actor(actor)
        data = load(CultivationSchema(), data, "cultivation")
        unit_id, record = cultivation.prepare(self._tree(), actor, data)
        return cultivation.view(cultivation.track(self.db, self.sealer, actor, unit_id, data, record))

    @rpc
    def add_cultivation_note(self, actor, cultivation_id, data):
        actor = load_actor(actor)
        note = load(NoteSchema(), data, "note")["note"]
        scope = self._tree().scope(actor.unit_id)
        return cultivation.view(cultivation.add_note(self.db, actor, scope, cultivation_id, note))

    @rpc
    def end_cultivation(self, actor, cultivation_id, data):
        actor = load_actor(actor)
        reasons = load(ReasonsSchema(), data, "end of tracking")["reasons"]
        scope = self._tree().scope(actor.unit_id)
        return cultivation.view(cultivation.end(self.db, actor, scope, cultivation_id, reasons))

    @rpc
    def get_cultivation(self, actor, cultivation_id):
        actor = load_actor(actor)
        scope = self._tree().scope(actor.unit_id)
        with self._reading() as session:
            return cultivation.view(cultivation.get(session, scope, cultivation_id))

    @rpc
    def list_cultivations(self, actor, query=None):
        actor = load_actor(actor)
        params = load(CultivationQuerySchema(), query or {}, "query")
        scope = self._tree().scope(actor.unit_id)
        with self._reading() as session:
            items, total = cultivation.listing(session, scope, **params)
            return page_of([cultivation.summary(c) for c in items], total, params["page"], params["page_size"])

    @rpc
    def promote_cultivation(self, actor, cultivation_id, data):
        """Put a tracked worker forward in a campaign (PromotionSchema): an organisational nomination
        by the tracking unit; the record becomes ``promoted``."""
        actor = load_actor(actor)
        data = load(PromotionSchema(), data, "promotion")
        tree = self._tree()
        scope = tree.scope(actor.unit_id)
        with self._reading() as session:
            record = cultivation.get(session, scope, cultivation_id)
            cultivation.must_be_tracking(record)
            request = load(NominationSchema(), cultivation.nomination_request(self.sealer, record, data),
                           "nomination")
        prepared = nominations.prepare(self.db, tree, actor, data["campaign_id"], request)
        nomination = nominations.create(self.db, self.sealer, actor, prepared, request, cultivation_id=cultivation_id)
        if nomination.cultivation_id == cultivation_id:
            cultivation.promoted(self.db, actor, scope, cultivation_id, nomination)
        return self._nomination(actor, nomination)

    # --- the audit trail --------------------------------------------------------------------------

    @rpc
    def audit_trail(self, actor, entity, entity_id):
        """The recorded changes of a campaign, nomination (with its objections), notice, objection or
        cultivation record the actor may see, oldest first."""
        actor = load_actor(actor)
        scope = self._tree().scope(actor.unit_id)
        with self._reading() as session:
            return audit.trail(session, scope, entity, entity_id)

    # --- what the registry tells -------------------------------------------------------------------

    @event_handler("registry", "honour_revoked")
    def on_honour_revoked(self, event):
        """Keep a revoked honour: its holder cannot be nominated again within a campaign's bar period."""
        return revocations.record_revocation(self.db, event)

    @event_handler("registry", "honour_conferred")
    def on_honour_conferred(self, event):
        """Learn which honouree a conferred nomination became (other honours are ignored)."""
        return revocations.link_conferral(self.db, event, SYSTEM)
