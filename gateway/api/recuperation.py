"""Routes of recuperation (疗休养) over HTTP: five-year plans, batches, allocation, places, the overdue
list and plan progress. Entrypoints only.

Officers create plans and batches, run allocations and record what became of a place; anyone
signed in reads; auditors read a batch's trail. Each route makes one RPC to the welfare service
with the caller's actor: a plan, batch or place of a unit outside the caller's scope answers 404.
"""
from marshmallow import Schema, fields

from services.welfare.responses import recuperation as responses
from services.welfare.schemas.recuperation import (
    NewRecuperationBatchSchema,
    NewRecuperationPlanSchema,
    RecuperationAllocationSchema,
    RecuperationBatchQuerySchema,
    RecuperationOverdueQuerySchema,
    RecuperationPlaceOutcomeSchema,
    RecuperationPlaceQuerySchema,
    RecuperationPlanQuerySchema,
)

from ..http import http
from ..roles import ANYONE, AUDITORS, OFFICERS

TAG = "welfare"
NOT_IN_SCOPE = (404,)
STATE = (404, 409)


class RecuperationAuditOut(Schema):
    """Who changed the batch and its places, when, from what to what; oldest first."""

    items = fields.List(fields.Nested(responses.RecuperationAuditEntryOut), required=True)


class RecuperationRoutes:
    """Mixed into GatewayService: needs ``welfare`` (an RpcClient)."""

    @http("GET", "/api/v1/recuperation/plans", roles=ANYONE, query=RecuperationPlanQuerySchema,
          response=responses.RecuperationPlanPageOut, tag=TAG,
          summary="The recuperation (疗休养) plans of your scope, newest first")
    def list_recuperation_plans(self, request, caller, query):
        return self.welfare.list_recuperation_plans(caller.actor.to_dict(), query)

    @http("POST", "/api/v1/recuperation/plans", roles=OFFICERS, body=NewRecuperationPlanSchema,
          response=responses.RecuperationPlanOut, status=201, tag=TAG,
          summary="A five-year recuperation plan of your unit (12,000 places unless given); a retry with the "
                  "same request_id returns it")
    def create_recuperation_plan(self, request, caller, body):
        return 201, self.welfare.create_recuperation_plan(caller.actor.to_dict(), body)

    @http("GET", "/api/v1/recuperation/plans/<string:plan_id>", roles=ANYONE, response=responses.RecuperationPlanOut,
          errors=NOT_IN_SCOPE, tag=TAG, summary="A recuperation plan")
    def get_recuperation_plan(self, request, caller, plan_id):
        return self.welfare.get_recuperation_plan(caller.actor.to_dict(), plan_id)

    @http("GET", "/api/v1/recuperation/plans/<string:plan_id>/progress", roles=ANYONE,
          response=responses.RecuperationProgressOut, errors=NOT_IN_SCOPE, tag=TAG,
          summary="A plan's progress: places used (allocated + attended) against its places, per year and in total")
    def recuperation_plan_progress(self, request, caller, plan_id):
        return self.welfare.recuperation_plan_progress(caller.actor.to_dict(), plan_id)

    @http("GET", "/api/v1/recuperation/plans/<string:plan_id>/batches", roles=ANYONE,
          query=RecuperationBatchQuerySchema, response=responses.RecuperationBatchPageOut, errors=NOT_IN_SCOPE,
          tag=TAG, summary="A plan's batches, by start date")
    def list_recuperation_batches(self, request, caller, plan_id, query):
        return self.welfare.list_recuperation_batches(caller.actor.to_dict(), plan_id, query)

    @http("POST", "/api/v1/recuperation/plans/<string:plan_id>/batches", roles=OFFICERS,
          body=NewRecuperationBatchSchema, response=responses.RecuperationBatchOut, status=201, errors=NOT_IN_SCOPE,
          tag=TAG, summary="A batch of a plan (destination, dates, capacity, by trade or with family); a retry "
                           "with the same request_id returns it")
    def create_recuperation_batch(self, request, caller, plan_id, body):
        return 201, self.welfare.create_recuperation_batch(caller.actor.to_dict(), plan_id, body)

    @http("GET", "/api/v1/recuperation/batches/<string:batch_id>", roles=ANYONE,
          response=responses.RecuperationBatchOut, errors=NOT_IN_SCOPE, tag=TAG,
          summary="A batch, with its places by status and how many are free")
    def get_recuperation_batch(self, request, caller, batch_id):
        return self.welfare.get_recuperation_batch(caller.actor.to_dict(), batch_id)

    @http("POST", "/api/v1/recuperation/batches/<string:batch_id>/allocation", roles=OFFICERS,
          body=RecuperationAllocationSchema, response=responses.RecuperationAllocationOut, errors=STATE, tag=TAG,
          summary="Fill a batch's free places from your scope's in-service honourees, those longest without "
                  "a recuperation first; a retry with the same request_id answers as the first run")
    def allocate_recuperation_batch(self, request, caller, batch_id, body):
        return self.welfare.allocate_recuperation_batch(caller.actor.to_dict(), batch_id, body)

    @http("GET", "/api/v1/recuperation/batches/<string:batch_id>/places", roles=ANYONE,
          query=RecuperationPlaceQuerySchema, response=responses.RecuperationPlacePageOut, errors=NOT_IN_SCOPE,
          tag=TAG, summary="A batch's places, in the order they were allocated")
    def list_recuperation_places(self, request, caller, batch_id, query):
        return self.welfare.list_recuperation_places(caller.actor.to_dict(), batch_id, query)

    @http("GET", "/api/v1/recuperation/batches/<string:batch_id>/audit", roles=AUDITORS,
          response=RecuperationAuditOut, errors=NOT_IN_SCOPE, tag=TAG,
          summary="The audit trail of a batch and its places")
    def recuperation_batch_audit(self, request, caller, batch_id):
        return {"items": self.welfare.recuperation_batch_audit(caller.actor.to_dict(), batch_id)}

    @http("POST", "/api/v1/recuperation/places/<string:place_id>/outcome", roles=OFFICERS,
          body=RecuperationPlaceOutcomeSchema, response=responses.RecuperationPlaceOut, errors=STATE, tag=TAG,
          summary="What became of an allocated place: attended (once the batch started), declined or "
                  "cancelled (the place is freed)")
    def record_recuperation_outcome(self, request, caller, place_id, body):
        return self.welfare.record_recuperation_outcome(caller.actor.to_dict(), place_id, body)

    @http("GET", "/api/v1/recuperation/overdue", roles=ANYONE, query=RecuperationOverdueQuerySchema,
          response=responses.RecuperationOverduePageOut, tag=TAG,
          summary="In-service honourees of your scope with no attended recuperation in the last two years, "
                  "most overdue first")
    def recuperation_overdue(self, request, caller, query):
        return self.welfare.recuperation_overdue(caller.actor.to_dict(), query)
