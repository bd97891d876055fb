"""The gateway: the one HTTP entry to laomo. Entrypoints only (the API's routes are mixed in).

Every route under /api/v1 but logging in and the API's own description needs
a bearer token; the caller's role decides what it may do and its unit the
part of the union tree it may see (``gateway.roles``, ``gateway.http``).
"""
from nameko.dependency_providers import Config
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from werkzeug.wrappers import Response

from services.chassis.database import Database
from services.chassis.errors import LaomoError
from services.chassis.rpc import RpcClient
from services.chassis.service import LaomoService

from .api.accounts import AccountRoutes
from .api.association import AssociationRoutes
from .api.cards import CardRoutes
from .api.care import CareRoutes
from .api.care_stops import CareStopRoutes
from .api.docs import DocumentRoutes
from .api.funds import FundRoutes
from .api.hardship import HardshipRoutes
from .api.health import HealthRoutes
from .api.nomination import NominationRoutes
from .api.recuperation import RecuperationRoutes
from .api.registry import RegistryRoutes
from .api.volunteer import VolunteerRoutes
from .authentication import TokenSigner
from .http import http
from .models import Base

SERVICES = ("registry", "nomination", "welfare", "association", "volunteer")


class GatewayService(AccountRoutes, RegistryRoutes, NominationRoutes, FundRoutes, CareRoutes, HardshipRoutes,
                     RecuperationRoutes, HealthRoutes, CardRoutes, CareStopRoutes, AssociationRoutes, VolunteerRoutes,
                     DocumentRoutes, LaomoService):
    name = "gateway"

    db = Database(Base.metadata)
    tokens = TokenSigner()
    registry = RpcClient("registry")
    nomination = RpcClient("nomination")
    welfare = RpcClient("welfare")
    association = RpcClient("association")
    volunteer = RpcClient("volunteer")
    config = Config()

    @http("GET", "/healthz", tag="operations", summary="Alive: the gateway process answers")
    def healthz(self, request):
        return {"status": "alive"}

    @http("GET", "/readyz", tag="operations", errors=(503,),
          summary="Ready: every service answers its health check in time")
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

    @http("GET", "/readyz/gateway", tag="operations", errors=(503,),
          summary="Ready to take traffic: this gateway's own accounts database answers")
    def readyz_gateway(self, request):
        """The orchestrator's readiness probe of one gateway replica. Unlike ``/readyz`` it does not ask the
        services: with one service down, every gateway would turn unready and the whole API vanish, where
        the routes of the other services still work and that service's answer 503 on their own."""
        try:
            self.db.database.answer()
        except Exception as exc:  # noqa: BLE001 - any failure: send this replica no traffic
            return 503, {"status": "not_ready", "database": type(exc).__name__}
        return {"status": "ready"}

    @http("GET", "/metrics", tag="operations", response="text/plain",
          summary="Prometheus metrics of the gateway")
    def metrics(self, request):
        return Response(generate_latest(), content_type=CONTENT_TYPE_LATEST)
