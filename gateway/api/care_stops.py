"""Routes of welfare's care stops over HTTP. Entrypoints only.

A stop is made by the service itself when the registry revokes a person's last active honour
(services/welfare/stops.py); these routes only read them, within your scope.
"""
from services.welfare.responses import stops as responses
from services.welfare.schemas.stops import CareStopQuerySchema

from ..http import http
from ..roles import ANYONE


class CareStopRoutes:
    """Mixed into GatewayService: needs ``welfare`` (an RpcClient)."""

    @http("GET", "/api/v1/care-stops", roles=ANYONE, query=CareStopQuerySchema,
          response=responses.CareStopPageOut, tag="welfare",
          summary="People whose care stopped when their last honour was revoked, and what it ended")
    def list_care_stops(self, request, caller, query):
        return self.welfare.list_care_stops(caller.actor.to_dict(), query)

    @http("GET", "/api/v1/care-stops/<string:honouree_id>", roles=ANYONE, response=responses.CareStopOut,
          errors=(404,), tag="welfare", summary="The care stop of one person: when, why, and what it ended")
    def get_care_stop(self, request, caller, honouree_id):
        return self.welfare.get_care_stop(caller.actor.to_dict(), honouree_id)
