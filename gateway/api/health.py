"""Routes of health check-ups (个性化体检) over HTTP: record, read, the overdue list, coverage per unit.
Entrypoints only.

Officers record a check-up; anyone signed in reads; the results are in clear only for an account
with the personal-data right ("***" otherwise); auditors read a check-up's trail (results
masked). A check-up of an honouree outside the caller's scope answers 404.
"""
from marshmallow import Schema, fields

from services.welfare.responses import health as responses
from services.welfare.schemas.health import (
    HealthCheckUpQuerySchema,
    HealthCoverageQuerySchema,
    HealthOverdueQuerySchema,
    NewHealthCheckUpSchema,
)

from ..http import http
from ..roles import ANYONE, AUDITORS, OFFICERS

TAG = "welfare"
NOT_IN_SCOPE = (404,)


class HealthAuditOut(Schema):
    """Who recorded the check-up, when; the results masked."""

    items = fields.List(fields.Nested(responses.HealthAuditEntryOut), required=True)


class HealthRoutes:
    """Mixed into GatewayService: needs ``welfare`` (an RpcClient)."""

    @http("GET", "/api/v1/health/check-ups", roles=ANYONE, query=HealthCheckUpQuerySchema,
          response=responses.HealthCheckUpPageOut, tag=TAG,
          summary="The check-ups of your scope's honourees (or one honouree's), newest first; results in clear "
                  "only with the personal-data right")
    def list_health_check_ups(self, request, caller, query):
        return self.welfare.list_health_check_ups(caller.actor.to_dict(), query)

    @http("POST", "/api/v1/health/check-ups", roles=OFFICERS, body=NewHealthCheckUpSchema,
          response=responses.HealthCheckUpOut, status=201, errors=(404, 409), tag=TAG,
          summary="Record an honouree's check-up of the year (one a year); a retry with the same request_id "
                  "returns it")
    def record_health_check_up(self, request, caller, body):
        return 201, self.welfare.record_health_check_up(caller.actor.to_dict(), body)

    @http("GET", "/api/v1/health/check-ups/<string:check_up_id>", roles=ANYONE,
          response=responses.HealthCheckUpOut, errors=NOT_IN_SCOPE, tag=TAG,
          summary="A check-up; the results in clear only with the personal-data right")
    def get_health_check_up(self, request, caller, check_up_id):
        return self.welfare.get_health_check_up(caller.actor.to_dict(), check_up_id)

    @http("GET", "/api/v1/health/check-ups/<string:check_up_id>/audit", roles=AUDITORS,
          response=HealthAuditOut, errors=NOT_IN_SCOPE, tag=TAG,
          summary="The audit trail of a check-up (results masked)")
    def health_check_up_audit(self, request, caller, check_up_id):
        return {"items": self.welfare.health_check_up_audit(caller.actor.to_dict(), check_up_id)}

    @http("GET", "/api/v1/health/overdue", roles=ANYONE, query=HealthOverdueQuerySchema,
          response=responses.HealthOverduePageOut, tag=TAG,
          summary="Eligible honourees of your scope with no check-up dated this year, never checked first")
    def health_check_ups_overdue(self, request, caller, query):
        return self.welfare.health_check_ups_overdue(caller.actor.to_dict(), query)

    @http("GET", "/api/v1/health/coverage", roles=ANYONE, query=HealthCoverageQuerySchema,
          response=responses.HealthCoverageOut, tag=TAG,
          summary="Check-up coverage per managing unit of your scope: eligible honourees, checked in the year, "
                  "the ratio")
    def health_check_up_coverage(self, request, caller, query):
        return self.welfare.health_check_up_coverage(caller.actor.to_dict(), query)
