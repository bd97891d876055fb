"""Routes of the nomination service (劳模评选与培育) over HTTP. Entrypoints only.

Each route checks the caller's role and input, then makes one RPC to the
nomination service with the caller's actor; the service filters by the
actor's scope, so a nomination, objection or cultivation record outside it
answers 404 as if absent. Campaigns and notices are the same for everyone
signed in (a campaign is the city's programme; a notice is public anyway).

Two routes are public (no token): the notices open now, and lodging an
objection to a candidate on one (rate-limited by the service per address:
429 with Retry-After). ``candidate_record`` (the registry's claim check,
personal data in clear) has no route.
"""
from marshmallow import Schema, fields

from services.nomination import responses
from services.nomination.schemas import (
    RECORD_ID,
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

from ..http import http
from ..roles import ANYONE, AUDITORS, OFFICERS, REVIEWERS


class QuotaListOut(Schema):
    """The campaign's quotas given to or by units in your scope, with their use."""

    items = fields.List(fields.Nested(responses.QuotaOut), required=True)


class NominationAuditOut(Schema):
    """Who changed the nomination (and its objections), when, from what to what; oldest first."""

    items = fields.List(fields.Nested(responses.AuditEntryOut), required=True)


class PublicObjectionSchema(ObjectionSchema):
    """An objection to one candidate on an open notice; no account needed."""

    nomination_id = fields.String(required=True, validate=RECORD_ID)


NOT_IN_SCOPE = (404,)
STATE = (404, 409)


class NominationRoutes:
    """Mixed into GatewayService: needs ``nomination`` (an RpcClient)."""

    # --- campaigns ----------------------------------------------------------------------------

    @http("GET", "/api/v1/campaigns", roles=ANYONE, query=CampaignQuerySchema, response=responses.CampaignPageOut,
          tag="campaigns", summary="The campaigns (评选活动), newest first")
    def list_campaigns(self, request, caller, query):
        return self.nomination.list_campaigns(caller.actor.to_dict(), query)

    @http("POST", "/api/v1/campaigns", roles=OFFICERS, body=NewCampaignSchema, response=responses.CampaignOut,
          status=201, errors=(404, 409), tag="campaigns",
          summary="Create a campaign in draft, organised by your unit")
    def create_campaign(self, request, caller, body):
        return 201, self.nomination.create_campaign(caller.actor.to_dict(), body)

    @http("GET", "/api/v1/campaigns/<string:campaign_id>", roles=ANYONE,
          response=responses.CampaignWithQuotasOut, errors=NOT_IN_SCOPE, tag="campaigns",
          summary="A campaign, with its quotas")
    def get_campaign(self, request, caller, campaign_id):
        return self.nomination.get_campaign(caller.actor.to_dict(), campaign_id)

    @http("PATCH", "/api/v1/campaigns/<string:campaign_id>", roles=OFFICERS, body=CampaignChangesSchema,
          response=responses.CampaignOut, errors=STATE, tag="campaigns",
          summary="Change a draft campaign (its organiser); version guards against lost updates")
    def update_campaign(self, request, caller, campaign_id, body):
        return self.nomination.update_campaign(caller.actor.to_dict(), campaign_id, body)

    @http("POST", "/api/v1/campaigns/<string:campaign_id>/state", roles=REVIEWERS, body=CampaignTransitionSchema,
          response=responses.CampaignOut, errors=STATE, tag="campaigns",
          summary="Move a campaign one state on: draft → open → reviewing → notice → closed (its organiser)")
    def transition_campaign(self, request, caller, campaign_id, body):
        return self.nomination.transition_campaign(caller.actor.to_dict(), campaign_id, body["state"])

    @http("GET", "/api/v1/campaigns/<string:campaign_id>/quotas", roles=ANYONE, response=QuotaListOut,
          errors=NOT_IN_SCOPE, tag="campaigns", summary="The campaign's quotas in your scope, with their use")
    def list_quotas(self, request, caller, campaign_id):
        return {"items": self.nomination.list_quotas(caller.actor.to_dict(), campaign_id)}

    @http("POST", "/api/v1/campaigns/<string:campaign_id>/quotas", roles=OFFICERS, body=QuotaAllocationSchema,
          response=QuotaListOut, errors=STATE, tag="campaigns",
          summary="Give quotas to the units directly below yours")
    def allocate_quotas(self, request, caller, campaign_id, body):
        return {"items": self.nomination.allocate_quotas(caller.actor.to_dict(), campaign_id, body)}

    @http("GET", "/api/v1/campaigns/<string:campaign_id>/dashboard", roles=ANYONE, query=DashboardQuerySchema,
          response=responses.DashboardOut, errors=NOT_IN_SCOPE, tag="campaigns",
          summary="One tier's dashboard of a campaign (your unit or one in your scope)")
    def campaign_dashboard(self, request, caller, campaign_id, query):
        return self.nomination.campaign_dashboard(caller.actor.to_dict(), campaign_id, query)

    @http("GET", "/api/v1/campaigns/<string:campaign_id>/structure-ratios", roles=ANYONE, query=RatioQuerySchema,
          response=responses.RatiosOut, errors=NOT_IN_SCOPE, tag="campaigns",
          summary="The structure ratios against the campaign's targets (slate or live)")
    def structure_ratios(self, request, caller, campaign_id, query):
        return self.nomination.structure_ratios(caller.actor.to_dict(), campaign_id, query)

    # --- nominations --------------------------------------------------------------------------

    @http("GET", "/api/v1/campaigns/<string:campaign_id>/nominations", roles=ANYONE, query=NominationQuerySchema,
          response=responses.NominationPageOut, errors=NOT_IN_SCOPE, tag="nominations",
          summary="The campaign's nominations in your scope")
    def list_nominations(self, request, caller, campaign_id, query):
        return self.nomination.list_nominations(caller.actor.to_dict(), campaign_id, query)

    @http("POST", "/api/v1/campaigns/<string:campaign_id>/nominations", roles=OFFICERS, body=NominationSchema,
          response=responses.NominationOut, status=201, errors=STATE, tag="nominations",
          summary="Put a candidate forward; a retry with the same request_id returns the same nomination")
    def nominate(self, request, caller, campaign_id, body):
        return 201, self.nomination.nominate(caller.actor.to_dict(), campaign_id, body)

    @http("GET", "/api/v1/nominations/<string:nomination_id>", roles=ANYONE, response=responses.NominationOut,
          errors=NOT_IN_SCOPE, tag="nominations",
          summary="A nomination with its candidate, deeds, attachments and steps; personal data masked without the right")
    def get_nomination(self, request, caller, nomination_id):
        return self.nomination.get_nomination(caller.actor.to_dict(), nomination_id)

    @http("POST", "/api/v1/nominations/<string:nomination_id>/attachments", roles=OFFICERS,
          body=AttachmentsSchema, response=responses.NominationOut, errors=STATE, tag="nominations",
          summary="Add attachments (their names, sizes and digests) to a nomination")
    def add_attachments(self, request, caller, nomination_id, body):
        return self.nomination.add_attachments(caller.actor.to_dict(), nomination_id, body)

    @http("POST", "/api/v1/nominations/<string:nomination_id>/deeds-report", roles=OFFICERS,
          body=DeedsReportSchema, response=responses.NominationOut, errors=STATE, tag="nominations",
          summary="一报告: the deeds reported to the workers")
    def record_deeds_report(self, request, caller, nomination_id, body):
        return self.nomination.record_deeds_report(caller.actor.to_dict(), nomination_id, body)

    @http("POST", "/api/v1/nominations/<string:nomination_id>/democratic-recommendation", roles=OFFICERS,
          body=DemocraticRecommendationSchema, response=responses.NominationOut, errors=STATE, tag="nominations",
          summary="民主推荐: the vote; passes only with more than half of the participants for")
    def record_democratic_recommendation(self, request, caller, nomination_id, body):
        return self.nomination.record_democratic_recommendation(caller.actor.to_dict(), nomination_id, body)

    @http("POST", "/api/v1/nominations/<string:nomination_id>/party-approval", roles=OFFICERS,
          body=PartyApprovalSchema, response=responses.NominationOut, errors=STATE, tag="nominations",
          summary="同级党委同意: the same-level party committee's approval")
    def record_party_approval(self, request, caller, nomination_id, body):
        return self.nomination.record_party_approval(caller.actor.to_dict(), nomination_id, body)

    @http("POST", "/api/v1/nominations/<string:nomination_id>/recommend", roles=OFFICERS,
          body=RecommendationSchema, response=responses.NominationOut, errors=STATE, tag="nominations",
          summary="Recommend the nomination one tier up, within your unit's quota")
    def recommend_nomination(self, request, caller, nomination_id, body):
        return self.nomination.recommend_nomination(caller.actor.to_dict(), nomination_id, body)

    @http("POST", "/api/v1/nominations/<string:nomination_id>/reject", roles=OFFICERS, body=ReasonsSchema,
          response=responses.NominationOut, errors=STATE, tag="nominations",
          summary="Reject a nomination at your tier, with reasons")
    def reject_nomination(self, request, caller, nomination_id, body):
        return self.nomination.reject_nomination(caller.actor.to_dict(), nomination_id, body)

    @http("POST", "/api/v1/nominations/<string:nomination_id>/withdraw", roles=OFFICERS, body=ReasonsSchema,
          response=responses.NominationOut, errors=STATE, tag="nominations",
          summary="Withdraw a nomination in progress (the nominating unit or the organiser), with reasons")
    def withdraw_nomination(self, request, caller, nomination_id, body):
        return self.nomination.withdraw_nomination(caller.actor.to_dict(), nomination_id, body)

    @http("POST", "/api/v1/nominations/<string:nomination_id>/preliminary-review", roles=REVIEWERS,
          body=ReviewSchema, response=responses.ReviewOut, errors=STATE, tag="nominations",
          summary="初审 at the organiser, with the slate's structure ratios after it")
    def preliminary_review(self, request, caller, nomination_id, body):
        return self.nomination.preliminary_review(caller.actor.to_dict(), nomination_id, body)

    @http("POST", "/api/v1/nominations/<string:nomination_id>/second-review", roles=REVIEWERS,
          body=ReviewSchema, response=responses.NominationOut, errors=STATE, tag="nominations",
          summary="复审 of the deed materials at the organiser")
    def second_review(self, request, caller, nomination_id, body):
        return self.nomination.second_review(caller.actor.to_dict(), nomination_id, body)

    @http("POST", "/api/v1/nominations/<string:nomination_id>/confer", roles=REVIEWERS, body=ConferralSchema,
          response=responses.NominationOut, errors=STATE, tag="nominations",
          summary="Confer the honour (the organiser, after the city-wide notice closed); the registry enters it")
    def confer(self, request, caller, nomination_id, body):
        return self.nomination.confer(caller.actor.to_dict(), nomination_id, body)

    @http("GET", "/api/v1/nominations/<string:nomination_id>/audit", roles=AUDITORS, response=NominationAuditOut,
          errors=NOT_IN_SCOPE, tag="nominations", summary="The audit trail of a nomination and its objections")
    def nomination_audit(self, request, caller, nomination_id):
        return {"items": self.nomination.audit_trail(caller.actor.to_dict(), "nomination", nomination_id)}

    # --- notices and objections -----------------------------------------------------------------

    @http("GET", "/api/v1/campaigns/<string:campaign_id>/notices", roles=ANYONE, query=NoticeQuerySchema,
          response=responses.NoticePageOut, errors=NOT_IN_SCOPE, tag="notices", summary="A campaign's public notices")
    def list_notices(self, request, caller, campaign_id, query):
        return self.nomination.list_notices(caller.actor.to_dict(), campaign_id, query)

    @http("POST", "/api/v1/campaigns/<string:campaign_id>/notices", roles=OFFICERS, body=NoticeSchema,
          response=responses.NoticeOut, status=201, errors=STATE, tag="notices",
          summary="Publish a public notice (公示) of nominations due for it, for a window")
    def open_notice(self, request, caller, campaign_id, body):
        return 201, self.nomination.open_notice(caller.actor.to_dict(), campaign_id, body)

    @http("GET", "/api/v1/notices/<string:notice_id>", roles=ANYONE, response=responses.NoticeOut,
          errors=NOT_IN_SCOPE, tag="notices", summary="A notice")
    def get_notice(self, request, caller, notice_id):
        return self.nomination.get_notice(caller.actor.to_dict(), notice_id)

    @http("POST", "/api/v1/notices/<string:notice_id>/close", roles=OFFICERS, response=responses.NoticeOut,
          errors=STATE, tag="notices",
          summary="Close a notice after its end, its objections all resolved (the publishing unit)")
    def close_notice(self, request, caller, notice_id):
        return self.nomination.close_notice(caller.actor.to_dict(), notice_id)

    @http("GET", "/api/v1/public/notices", query=PublicNoticeQuerySchema, response=responses.PublicNoticePageOut,
          errors=(503, 504), tag="notices",
          summary="Public, no token: the notices open now (names, units and deeds summaries only)")
    def public_notices(self, request, query):
        return self.nomination.public_notices(query)

    @http("POST", "/api/v1/public/notices/<string:notice_id>/objections", body=PublicObjectionSchema,
          response=responses.ObjectionReceiptOut, status=201, errors=(404, 409, 429, 503, 504), tag="notices",
          summary="Public, no token: object to a candidate on an open notice (a few an hour per address)")
    def lodge_objection(self, request, notice_id, body):
        data = {k: v for k, v in body.items() if k != "nomination_id"}
        return 201, self.nomination.lodge_objection(notice_id, body["nomination_id"], data,
                                                    request.remote_addr or "unknown")

    @http("GET", "/api/v1/objections", roles=ANYONE, query=ObjectionQuerySchema, response=responses.ObjectionPageOut,
          tag="notices", summary="Objections to notices published in your scope or to candidates in it")
    def list_objections(self, request, caller, query):
        return self.nomination.list_objections(caller.actor.to_dict(), query)

    @http("GET", "/api/v1/objections/<string:objection_id>", roles=ANYONE, response=responses.ObjectionOut,
          errors=NOT_IN_SCOPE, tag="notices",
          summary="An objection; the contact in clear only with the personal-data right")
    def get_objection(self, request, caller, objection_id):
        return self.nomination.get_objection(caller.actor.to_dict(), objection_id)

    @http("POST", "/api/v1/objections/<string:objection_id>/resolve", roles=REVIEWERS,
          body=ObjectionResolutionSchema, response=responses.ObjectionOut, errors=STATE, tag="notices",
          summary="Resolve an objection (the publishing unit): upheld withdraws the candidate, or dismissed")
    def resolve_objection(self, request, caller, objection_id, body):
        return self.nomination.resolve_objection(caller.actor.to_dict(), objection_id, body)

    # --- cultivation ----------------------------------------------------------------------------

    @http("GET", "/api/v1/cultivations", roles=ANYONE, query=CultivationQuerySchema, response=responses.CultivationPageOut,
          tag="cultivation", summary="The workers tracked for development (重点培养) in your scope")
    def list_cultivations(self, request, caller, query):
        return self.nomination.list_cultivations(caller.actor.to_dict(), query)

    @http("POST", "/api/v1/cultivations", roles=OFFICERS, body=CultivationSchema,
          response=responses.CultivationOut, status=201, errors=STATE, tag="cultivation",
          summary="Track a worker for development this year")
    def track_candidate(self, request, caller, body):
        return 201, self.nomination.track_candidate(caller.actor.to_dict(), body)

    @http("GET", "/api/v1/cultivations/<string:cultivation_id>", roles=ANYONE, response=responses.CultivationOut,
          errors=NOT_IN_SCOPE, tag="cultivation", summary="A tracked worker's record, with its notes")
    def get_cultivation(self, request, caller, cultivation_id):
        return self.nomination.get_cultivation(caller.actor.to_dict(), cultivation_id)

    @http("POST", "/api/v1/cultivations/<string:cultivation_id>/notes", roles=OFFICERS, body=NoteSchema,
          response=responses.CultivationOut, errors=STATE, tag="cultivation",
          summary="Add a note to a tracked worker's record")
    def add_cultivation_note(self, request, caller, cultivation_id, body):
        return self.nomination.add_cultivation_note(caller.actor.to_dict(), cultivation_id, body)

    @http("POST", "/api/v1/cultivations/<string:cultivation_id>/end", roles=OFFICERS, body=ReasonsSchema,
          response=responses.CultivationOut, errors=STATE, tag="cultivation",
          summary="Stop tracking a worker, with reasons")
    def end_cultivation(self, request, caller, cultivation_id, body):
        return self.nomination.end_cultivation(caller.actor.to_dict(), cultivation_id, body)

    @http("POST", "/api/v1/cultivations/<string:cultivation_id>/promote", roles=OFFICERS, body=PromotionSchema,
          response=responses.NominationOut, status=201, errors=STATE, tag="cultivation",
          summary="Put a tracked worker forward in a campaign (an organisational nomination)")
    def promote_cultivation(self, request, caller, cultivation_id, body):
        return 201, self.nomination.promote_cultivation(caller.actor.to_dict(), cultivation_id, body)
