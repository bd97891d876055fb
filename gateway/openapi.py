"""The OpenAPI 3 document of the gateway, made from what its routes declare.

Nothing is written twice: each ``@http`` route's method, path, roles, query
and body schemas, reply schema and errors (``gateway.http.HttpEndpoint``)
become its operation; the marshmallow schemas become components through
apispec's MarshmallowPlugin.
"""
import inspect
import re
import warnings

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin

from .http import HttpEndpoint
from .schemas import ErrorOut

TITLE = "laomo API"
VERSION = "1.0.0"
PATH_PARAMETER = re.compile(r"<(?:[a-z]+:)?([A-Za-z_][A-Za-z0-9_]*)>")

ERRORS = {
    400: "The request cannot be read (not JSON, wrong content type)",
    401: "No valid bearer token (missing, forged, expired, revoked) or wrong credentials",
    403: "Your roles do not allow this, or your one-time password must be changed first",
    404: "No such record, or none within your scope",
    409: "The request contradicts the record's current state",
    422: "Invalid input: field errors under details (unknown fields are refused)",
    429: "Too many attempts; wait for Retry-After seconds",
    503: "A service the request needs is not available",
    504: "A service the request needs did not answer in time",
}


def routes(service_class):
    """``(method name, its function, HttpEndpoint)`` of every route of the service, in path order."""
    found = []
    for name, member in inspect.getmembers(service_class, inspect.isfunction):
        for entrypoint in getattr(member, "nameko_entrypoints", ()):
            if isinstance(entrypoint, HttpEndpoint):
                found.append((name, member, entrypoint))
    return sorted(found, key=lambda found: (found[2].url, found[2].method))


def openapi_path(url):
    return PATH_PARAMETER.sub(r"{\1}", url)


def error_statuses(route):
    statuses = set(route.errors)
    if route.roles is not None:
        statuses |= {401, 403, 503, 504}
    if route.query_schema is not None or route.body_schema is not None:
        statuses.add(422)
    if route.body_schema is not None:
        statuses.add(400)
    if PATH_PARAMETER.search(route.url) and route.roles is not None:
        statuses.add(404)
    return sorted(statuses)


def content(schema):
    if isinstance(schema, str):  # a media type: CSV_BODY, text/csv, text/plain, text/html
        return {schema: {"schema": {"type": "string"}}}
    if isinstance(schema, tuple):  # (media type, its schema object)
        media_type, schema_object = schema
        return {media_type: {"schema": schema_object}}
    return {"application/json": {"schema": schema}}


def operation(name, function, route):
    op = {"operationId": name, "summary": route.summary or name.replace("_", " "),
          "tags": [route.tag or "other"], "responses": {}}
    description = (inspect.getdoc(function) or "").strip()
    if route.roles is not None:
        op["security"] = [{"bearer": []}]
        description = (description + "\n\n" if description else "") + "Roles: " + ", ".join(route.roles) + "."
    if description:
        op["description"] = description
    parameters = [{"in": "path", "name": param, "required": True,
                   "schema": {"type": "string", "minLength": 1, "maxLength": 64}}
                  for param in PATH_PARAMETER.findall(route.url)]
    if route.query_schema is not None:
        parameters.append({"in": "query", "schema": route.query_schema})
    if parameters:
        op["parameters"] = parameters
    if route.body_schema is not None:
        op["requestBody"] = {"required": True, "content": content(route.body_schema)}
    if route.status == 204:
        op["responses"]["204"] = {"description": "Done; no content"}
    else:
        reply = {"description": "OK" if route.status == 200 else "Created"}
        if route.response_schema is not None:
            reply["content"] = content(route.response_schema)
        op["responses"][str(route.status)] = reply
    for status in error_statuses(route):
        op["responses"][str(status)] = {"$ref": f"#/components/responses/E{status}"}
    return op


def document(service_class, server_url=None):
    """The OpenAPI 3.0 document of ``service_class``'s routes, as a dict."""
    spec = APISpec(title=TITLE, version=VERSION, openapi_version="3.0.3", plugins=[MarshmallowPlugin()],
                   info={"description": "The HTTP API of laomo, the model-worker (劳模) programme's platform. "
                                        "Log in at POST /api/v1/auth/login and send the token as "
                                        "'Authorization: Bearer <token>'. Every error has one shape, Error."},
                   servers=[{"url": server_url}] if server_url else [])
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"})
    spec.components.schema("Error", schema=ErrorOut)
    for status, text in ERRORS.items():
        spec.components.response(f"E{status}", {
            "description": text, "content": {"application/json": {"schema": "Error"}}})
    by_path = {}
    for name, function, route in routes(service_class):
        by_path.setdefault(openapi_path(route.url), {})[route.method.lower()] = operation(name, function, route)
    with warnings.catch_warnings():
        # apispec warns when a nested schema is met twice under one name; it is the same schema
        warnings.simplefilter("ignore", UserWarning)
        for path, operations in by_path.items():
            spec.path(path=path, operations=operations)
        return spec.to_dict()
