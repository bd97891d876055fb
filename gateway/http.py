"""HTTP for the gateway: JSON in and out, one error shape, metrics by route.

Every answer is JSON; every error is ``{"error": CODE, "message": ...,
"details": {...}}``. Errors a client can cause map to their status (the
chassis errors carry it); anything else is a 500 with no traceback, logged
with the correlation id the response also carries (``X-Request-Id``).
"""
import codecs
import json
import logging
import re
import time
from functools import partial

from eventlet.event import Event
from nameko.exceptions import BadRequest as NamekoBadRequest
from nameko.web.handlers import HttpRequestHandler
from nameko.web.server import WebServer, WsgiApp
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Request, Response

from services.chassis.errors import (
    CLIENT_ERRORS,
    BadRequest,
    Invalid,
    LaomoError,
    TooManyRequests,
    Unauthenticated,
)
from services.chassis.logs import CORRELATION_KEY, new_correlation_id
from services.chassis.metrics import HTTP_DURATION, HTTP_REQUESTS
from services.chassis.rpc import settle

from .authentication import Authentication

log = logging.getLogger(__name__)

REQUEST_ID_HEADER = "X-Request-Id"
REQUEST_ID_PATTERN = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
JSON_TYPE = "application/json; charset=utf-8"


def json_response(payload, status=200, headers=None):
    return Response(json.dumps(payload, ensure_ascii=False, default=str), status=status,
                    headers=headers, content_type=JSON_TYPE)


def error_response(code, message, status, details=None):
    return json_response({"error": code, "message": message, "details": details or {}}, status)


HTTP_METHODS = frozenset(("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"))


def method_label(method):
    """The method as a metric label: a client may send any word there, and every new word would be
    a new series; what is not a known method counts as ``other``."""
    return method if method in HTTP_METHODS else "other"


class JsonWsgiApp(WsgiApp):
    """nameko's WSGI app, matching each request's route once; routing errors (404, 405) answer in
    the JSON error shape."""

    def __call__(self, environ, start_response):
        request = Request(environ, shallow=True)  # as nameko's: unset by handle_request
        adapter = self.url_map.bind_to_environ(environ)
        try:
            provider, values = adapter.match()
        except HTTPException as exc:
            code = {404: "not_found", 405: "method_not_allowed"}.get(exc.code, "http_error")
            response = error_response(code, exc.description or exc.name, exc.code)
            HTTP_REQUESTS.labels("unmatched", method_label(environ.get("REQUEST_METHOD")), exc.code).inc()
            return response(environ, start_response)
        request.path_values = values
        try:
            response = provider.handle_request(request)
        except HTTPException as exc:
            response = exc
        return response(environ, start_response)


class JsonWebServer(WebServer):
    def get_wsgi_app(self):
        return JsonWsgiApp(self)

    def context_data_from_headers(self, request):
        request_id = request.headers.get(REQUEST_ID_HEADER, "")
        if not REQUEST_ID_PATTERN.match(request_id):
            request_id = new_correlation_id()
        return {CORRELATION_KEY: request_id}


class HttpEndpoint(HttpRequestHandler):
    """``@http("GET", "/api/v1/units", roles=ANYONE, query=UnitQuerySchema, ...)``.

    What a route declares is both enforced here and published in the OpenAPI
    document (``gateway.openapi``):

    - ``roles``: None for a public route; else the bearer token is checked and
      the caller must hold one of these roles; the handler gets ``caller``.
    - ``query``: a marshmallow schema for the query string; unknown names and
      bad values answer 422 before any service is asked; the handler gets
      ``query`` (the names given, as strings). Without it, any query is 422.
    - ``body``: a schema for a JSON object body (validated the same way; the
      handler gets ``body``), or ``CSV_BODY`` for a UTF-8 CSV file (``body`` is
      its text).
    - ``response``, ``status``, ``errors``, ``summary``, ``tag``: for the document.

    A handler returns a payload, or (status, payload), or a werkzeug Response.
    """

    server = JsonWebServer()
    authentication = Authentication()

    def __init__(self, method, url, *, roles=None, query=None, body=None, response=None, status=200,
                 errors=(), summary="", tag="", while_password_pending=False, **kwargs):
        kwargs.setdefault("expected_exceptions", CLIENT_ERRORS)
        super().__init__(method, url, **kwargs)
        self.roles = roles
        self.query_schema = query() if isinstance(query, type) else query
        self.body_schema = body() if isinstance(body, type) else body
        self.response_schema = response
        self.status = status
        self.errors = tuple(errors)
        self.summary = summary
        self.tag = tag
        self.while_password_pending = while_password_pending

    def handle_request(self, request):
        started = time.perf_counter()
        request.shallow = False
        context_data = self.server.context_data_from_headers(request)
        try:
            args, kwargs = self.get_entrypoint_parameters(request)
            if self.roles is not None:
                kwargs["caller"] = self.authentication.caller(request, self.roles, self.while_password_pending)
            kwargs.update(self.inputs(request))
            self.check_signature(args, kwargs)
            done = Event()
            self.container.spawn_worker(self, args, kwargs, context_data=context_data,
                                        handle_result=partial(self.handle_result, done))
            response = self.response_from_result(done.wait())
        except Exception as exc:  # noqa: BLE001 - every failure becomes one JSON answer
            response = self.response_from_exception(exc)
        response.headers[REQUEST_ID_HEADER] = context_data[CORRELATION_KEY]
        HTTP_REQUESTS.labels(self.url, request.method, response.status_code).inc()
        HTTP_DURATION.labels(self.url, request.method, response.status_code).observe(time.perf_counter() - started)
        return response

    def inputs(self, request):
        """The query and body the route declares, checked; 400/422 before any service is asked."""
        found = {}
        if self.query_schema is not None or request.args:
            found["query"] = checked_query(request, self.query_schema)
            if self.query_schema is None:
                del found["query"]
        if self.body_schema is CSV_BODY:
            found["body"] = csv_body(request)
        elif self.body_schema is not None:
            found["body"] = checked_body(request, self.body_schema)
        return found

    def handle_result(self, done, worker_ctx, result, exc_info):
        result, exc_info = settle(worker_ctx, result, exc_info)
        return super().handle_result(done, worker_ctx, result, exc_info)

    def response_from_result(self, result):
        if isinstance(result, Response):
            return result
        status, payload = result if isinstance(result, tuple) else (self.status, result)
        if status == 204:
            return Response(status=204)
        return json_response(payload, status)

    def response_from_exception(self, exc):
        if isinstance(exc, LaomoError):
            headers = None
            if isinstance(exc, TooManyRequests) and exc.details.get("retry_after"):
                headers = {"Retry-After": str(exc.details["retry_after"])}
            if isinstance(exc, Unauthenticated):
                headers = {"WWW-Authenticate": 'Bearer realm="laomo"'}
            return json_response(exc.to_dict(), exc.http_status, headers)
        if isinstance(exc, NamekoBadRequest):  # nameko: the handler's signature does not fit
            return error_response("bad_request", "the request does not fit this route", 400)
        log.error("unexpected error answering a request: %r", exc, exc_info=exc)
        return error_response("internal", "an internal error occurred; quote the X-Request-Id", 500)


http = HttpEndpoint.decorator


CSV_BODY = "text/csv"
MAX_BODY = 20 * 1024 * 1024  # a CSV of 20,000 honourees is about 4 MB


def checked_query(request, schema):
    """The query string as ``{name: text}``, refusing unknown names, repeats and bad values."""
    # a parameter's name is its field's data_key where it has one ("from" is no Python name)
    allowed = {field.data_key or name for name, field in schema.fields.items()} if schema is not None else set()
    errors = {name: ["unknown parameter"] for name in request.args if name not in allowed}
    errors.update({name: ["give it once"] for name in request.args
                   if name in allowed and len(request.args.getlist(name)) > 1})
    if errors:
        raise Invalid("the query has unknown or repeated parameters", errors)
    query = {name: request.args[name] for name in request.args}
    problems = schema.validate(query) if schema is not None else {}
    if problems:
        raise Invalid("the query has invalid parameters", problems)
    return query


def checked_body(request, schema):
    """The JSON object body, validated by ``schema`` (unknown and read-only fields refused)."""
    mimetype = request.mimetype or ""
    if mimetype != "application/json":
        raise BadRequest("send the body as JSON with 'Content-Type: application/json'",
                         {"content_type": [mimetype or "missing"]})
    raw = bounded_body(request)
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise BadRequest("the body is not UTF-8", {}) from None
    except ValueError as exc:
        raise BadRequest("the body is not valid JSON", {"position": getattr(exc, "pos", None)}) from None
    if not isinstance(data, dict):
        raise Invalid("the body must be a JSON object", {"_schema": ["expected an object"]})
    problems = schema.validate(data)
    if problems:
        raise Invalid("the body has invalid fields", problems)
    return data


def csv_body(request):
    """The body as CSV text (UTF-8, a byte-order mark allowed)."""
    if (request.mimetype or "") != CSV_BODY:
        raise BadRequest("send the file with 'Content-Type: text/csv' (UTF-8)",
                         {"content_type": [request.mimetype or "missing"]})
    raw = bounded_body(request)
    bom = len(codecs.BOM_UTF8) if raw.startswith(codecs.BOM_UTF8) else 0
    try:
        return raw[bom:].decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadRequest("the file is not UTF-8", {"byte_offset": bom + exc.start}) from None


def bounded_body(request):
    """The body's bytes, refused unread when it says (or turns out) to be over MAX_BODY."""
    if (request.content_length or 0) > MAX_BODY:
        raise BadRequest("the body is too large", {"limit_bytes": MAX_BODY})
    raw = request.stream.read(MAX_BODY + 1)
    if len(raw) > MAX_BODY:
        raise BadRequest("the body is too large", {"limit_bytes": MAX_BODY})
    return raw
