"""Routes of the Spring Festival condolence campaigns (春节慰问) over HTTP. Entrypoints only.

Officers create campaigns, preview and run them; the finance role may preview and run them too.
Anyone signed in reads campaigns, runs (their progress) and items in scope: a campaign is in
scope when its owner unit is, and one outside answers 404 as if absent. A run answers 202 at
once: the welfare service's runner pays the items in chunks; follow it with
``GET /api/v1/condolence-batches/<id>``.
"""
from marshmallow import Schema, fields

from services.welfare.responses.care import (
    CondolenceBatchOut,
    CondolenceCampaignOut,
    CondolenceCampaignPageOut,
    CondolenceItemPageOut,
    CondolencePreviewOut,
)
from services.welfare.schemas.care import (
    CampaignQuerySchema,
    ItemQuerySchema,
    NewCampaignSchema,
    RunSchema,
)

from ..http import http
from ..roles import ANYONE, OFFICERS

TAG = "welfare"
RUNNERS = ("officer", "finance")  # who may preview and start a run
STATE = (404, 409)


class CondolenceBatchListOut(Schema):
    """The campaign's runs, newest first."""

    items = fields.List(fields.Nested(CondolenceBatchOut), required=True)


class CareRoutes:
    """Mixed into GatewayService: needs ``welfare`` (an RpcClient)."""

    @http("GET", "/api/v1/condolence-campaigns", roles=ANYONE, query=CampaignQuerySchema,
          response=CondolenceCampaignPageOut, tag=TAG,
          summary="The Spring Festival condolence campaigns (春节慰问) of units in your scope, newest first")
    def list_condolence_campaigns(self, request, caller, query):
        return self.welfare.list_condolence_campaigns(caller.actor.to_dict(), query)

    @http("POST", "/api/v1/condolence-campaigns", roles=OFFICERS, body=NewCampaignSchema,
          response=CondolenceCampaignOut, status=201, errors=(404,), tag=TAG,
          summary="Create a condolence campaign of your unit: amounts by honour level (fen), the paying fund "
                  "(must allow condolence) and funds per district; a retry with the same request_id returns "
                  "the first")
    def create_condolence_campaign(self, request, caller, body):
        return 201, self.welfare.create_condolence_campaign(caller.actor.to_dict(), body)

    @http("GET", "/api/v1/condolence-campaigns/<string:campaign_id>", roles=ANYONE,
          response=CondolenceCampaignOut, errors=(404,), tag=TAG,
          summary="A condolence campaign, its honourees' states and its latest run")
    def get_condolence_campaign(self, request, caller, campaign_id):
        return self.welfare.get_condolence_campaign(caller.actor.to_dict(), campaign_id)

    @http("GET", "/api/v1/condolence-campaigns/<string:campaign_id>/preview", roles=RUNNERS,
          response=CondolencePreviewOut, errors=(404,), tag=TAG,
          summary="What a run would pay now: per fund the people, the total, the money available, the "
                  "remaining condolence budget and the shortfall; how many are paid already")
    def preview_condolence_campaign(self, request, caller, campaign_id):
        return self.welfare.preview_condolence_campaign(caller.actor.to_dict(), campaign_id)

    @http("POST", "/api/v1/condolence-campaigns/<string:campaign_id>/batches", roles=RUNNERS, body=RunSchema,
          response=CondolenceBatchOut, status=202, errors=STATE, tag=TAG,
          summary="Run the campaign: the eligible honourees not yet paid are paid in the background (202); "
                  "nobody is paid twice; 409 while a run goes on; a retry with the same request_id returns "
                  "the first run")
    def run_condolence_campaign(self, request, caller, campaign_id, body):
        return 202, self.welfare.run_condolence_campaign(caller.actor.to_dict(), campaign_id, body)

    @http("GET", "/api/v1/condolence-campaigns/<string:campaign_id>/batches", roles=ANYONE,
          response=CondolenceBatchListOut, errors=(404,), tag=TAG, summary="The campaign's runs, newest first")
    def list_condolence_batches(self, request, caller, campaign_id):
        return {"items": self.welfare.list_condolence_batches(caller.actor.to_dict(), campaign_id)}

    @http("GET", "/api/v1/condolence-campaigns/<string:campaign_id>/items", roles=ANYONE, query=ItemQuerySchema,
          response=CondolenceItemPageOut, errors=(404,), tag=TAG,
          summary="The campaign's honourees (one item each): amount, fund, state (pending, paid, failed with "
                  "the reason, left out) and posting")
    def list_condolence_items(self, request, caller, campaign_id, query):
        return self.welfare.list_condolence_items(caller.actor.to_dict(), campaign_id, query)

    @http("GET", "/api/v1/condolence-batches/<string:batch_id>", roles=ANYONE, response=CondolenceBatchOut,
          errors=(404,), tag=TAG,
          summary="A run's progress: total, paid, failed, left out, pending; running or finished; its times")
    def get_condolence_batch(self, request, caller, batch_id):
        return self.welfare.get_condolence_batch(caller.actor.to_dict(), batch_id)
