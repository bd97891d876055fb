"""HTTP for the gateway: JSON in and out, one error shape, metrics by route.

Every answer is JSON; every error is ``{"error": CODE, "message": ...,
"details": {...}}``. Errors a client can cause map to their status (the
chassis errors carry it); anything else is a 500 with no traceback, logged
with the correlation id the response also carries (``X-Request-Id``).
"""
import json
import logging
import re
import time
from functools import partial

from eventlet.event import Event
from nameko.exceptions import BadRequest
from nameko.web.handlers import HttpRequestHandler
from nameko.web.server import WebServer
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from services.chassis.errors import CLIENT_ERRORS, Invalid, LaomoError
from services.chassis.logs import CORRELATION_KEY, new_correlation_id
from services.chassis.metrics import HTTP_DURATION, HTTP_REQUESTS
from services.chassis.rpc import settle

log = logging.getLogger(__name__)

REQUEST_ID_HEADER = "X-Request-Id"
REQUEST_ID_PATTERN = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
JSON_TYPE = "application/json; charset=utf-8"


def json_response(payload, status=200, headers=None):
    return Response(json.dumps(payload, ensure_ascii=False, default=str), status=status,
                    headers=headers, content_type=JSON_TYPE)


def error_response(code, message, status, details=None):
    return json_response({"error": code, "message": message, "details": details or {}}, status)


class JsonErrorsApp:
    """Wraps nameko's WSGI app: routing errors (404, 405) answer in the JSON error shape."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        try:
            adapter = self.app.url_map.bind_to_environ(environ)
            adapter.match()
        except HTTPException as exc:
            code = {404: "not_found", 405: "method_not_allowed"}.get(exc.code, "http_error")
            response = error_response(code, exc.description or exc.name, exc.code)
            HTTP_REQUESTS.labels("unmatched", environ.get("REQUEST_METHOD", "?"), exc.code).inc()
            return response(environ, start_response)
        return self.app(environ, start_response)


class JsonWebServer(WebServer):
    def get_wsgi_app(self):
        return JsonErrorsApp(super().get_wsgi_app())

    def context_data_from_headers(self, request):
        request_id = request.headers.get(REQUEST_ID_HEADER, "")
        if not REQUEST_ID_PATTERN.match(request_id):
            request_id = new_correlation_id()
        return {CORRELATION_KEY: request_id}


class HttpEndpoint(HttpRequestHandler):
    """``@http("GET", "/api/v1/units")``: a handler returns a payload, or (status, payload)."""

    server = JsonWebServer()

    def __init__(self, method, url, **kwargs):
        kwargs.setdefault("expected_exceptions", CLIENT_ERRORS)
        super().__init__(method, url, **kwargs)

    def handle_request(self, request):
        started = time.perf_counter()
        request.shallow = False
        context_data = self.server.context_data_from_headers(request)
        try:
            args, kwargs = self.get_entrypoint_parameters(request)
            self.check_signature(args, kwargs)
            done = Event()
            self.container.spawn_worker(self, args, kwargs, context_data=context_data,
                                        handle_result=partial(self.handle_result, done))
            response = self.response_from_result(done.wait())
        except Exception as exc:
            response = self.response_from_exception(exc)
        response.headers[REQUEST_ID_HEADER] = context_data[CORRELATION_KEY]
        HTTP_REQUESTS.labels(self.url, request.method, response.status_code).inc()
        HTTP_DURATION.labels(self.url, request.method).observe(time.perf_counter() - started)
        return response

    def handle_result(self, done, worker_ctx, result, exc_info):
        result, exc_info = settle(worker_ctx, result, exc_info)
        return super().handle_result(done, worker_ctx, result, exc_info)

    def response_from_result(self, result):
        if isinstance(result, Response):
            return result
        status, payload = result if isinstance(result, tuple) else (200, result)
        return json_response(payload, status)

    def response_from_exception(self, exc):
        if isinstance(exc, LaomoError):
            return json_response(exc.to_dict(), exc.http_status)
        if isinstance(exc, BadRequest):  # nameko: the handler's signature does not fit
            return error_response("bad_request", "the request does not fit this route", 400)
        log.error("unexpected error answering a request: %r", exc, exc_info=exc)
        return error_response("internal", "an internal error occurred; quote the X-Request-Id", 500)


http = HttpEndpoint.decorator


def query_params(request, allowed):
    """The query string as a dict, refusing names the route does not know."""
    unknown = sorted(set(request.args) - set(allowed))
    if unknown:
        raise Invalid("unknown query parameters", {name: ["unknown parameter"] for name in unknown})
    return {name: request.args[name] for name in allowed if name in request.args}
