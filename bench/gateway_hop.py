"""The bare side of figure 5: plain nameko, one HTTP entrypoint making one RPC.

Two minimal services, each run as its own ``nameko run`` process, as the
suite's are (no laomo chassis: no tracing, metrics, token check, database)::

    nameko run --config hop.yml bench.gateway_hop:HopBackService
    nameko run --config hop.yml bench.gateway_hop:HopFrontService

``GET /hop/<n>`` on the front makes one plain ``RpcProxy`` call to the
back's ``@rpc get(n)``, which returns a small dict, and answers it as JSON.
"""
import json

from nameko.rpc import RpcProxy, rpc
from nameko.web.handlers import http
from werkzeug.wrappers import Response


class HopBackService:
    name = "bench_hop_back"

    @rpc
    def get(self, n):
        return {"id": n, "name": "bench", "ok": True}


class HopFrontService:
    name = "bench_hop_front"

    back = RpcProxy("bench_hop_back")

    @http("GET", "/hop/<int:n>")
    def hop(self, request, n):
        return Response(json.dumps(self.back.get(n)), content_type="application/json")
