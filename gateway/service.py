"""The gateway: the one HTTP entry to laomo. Entrypoints only."""
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from werkzeug.wrappers import Response

from nameko.dependency_providers import Config

from services.chassis.errors import LaomoError
from services.chassis.rpc import RpcClient
from services.chassis.service import LaomoService

from .http import http, query_params

SERVICES = ("registry", "nomination", "welfare", "association", "volunteer")


class GatewayService(LaomoService):
    name = "gateway"

    registry = RpcClient("registry")
    nomination = RpcClient("nomination")
    welfare = RpcClient("welfare")
    association = RpcClient("association")
    volunteer = RpcClient("volunteer")
    config = Config()

    @http("GET", "/healthz")
    def healthz(self, request):
        return {"status": "alive"}

    @http("GET", "/readyz")
    def readyz(self, request):
        """Ready when every service answers its health RPC within the timeout (asked in parallel)."""
        timeout = float(self.config.get("READY_TIMEOUT", 3))
        pending = {name: getattr(self, name).within(timeout).health.call_async() for name in SERVICES}
        services, ready = {}, True
        for name, reply in pending.items():
            try:
                services[name] = reply.result()
            except LaomoError as exc:
                ready = False
                services[name] = {"status": exc.code, "message": exc.message}
        return (200 if ready else 503), {"status": "ready" if ready else "not_ready",
                                         "services": services}

    @http("GET", "/metrics")
    def metrics(self, request):
        return Response(generate_latest(), content_type=CONTENT_TYPE_LATEST)

    @http("GET", "/api/v1/units")
    def list_units(self, request):
        return self.registry.list_units(
            query_params(request, ("tier", "parent_id", "page", "page_size")))

    @http("GET", "/api/v1/units/<string:unit_id>")
    def get_unit(self, request, unit_id):
        return self.registry.get_unit(unit_id)

    @http("GET", "/api/v1/units/<string:unit_id>/children")
    def list_children(self, request, unit_id):
        return {"items": self.registry.list_children(unit_id)}

    @http("GET", "/api/v1/units/<string:unit_id>/scope")
    def unit_scope(self, request, unit_id):
        return {"unit_id": unit_id, "unit_ids": self.registry.scope_of(unit_id)}
