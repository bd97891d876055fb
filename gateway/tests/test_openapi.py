"""The OpenAPI document: a valid OpenAPI 3.0 description of every route the gateway has, as declared."""
import json
import re

import openapi_spec_validator
import pytest

from gateway.http import CSV_BODY
from gateway.openapi import PATH_PARAMETER, document, openapi_path, routes
from gateway.service import GatewayService

METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}
PARAMETER_PLACES = {"query", "header", "path", "cookie"}
SCHEMA_TYPES = {"string", "number", "integer", "boolean", "array", "object"}
COMPONENT_NAME = re.compile(r"^[a-zA-Z0-9.\-_]+$")
STATUS = re.compile(r"^[1-5][0-9][0-9]$")
TEMPLATE_PARAMETER = re.compile(r"{([^{}]+)}")


@pytest.fixture(scope="module")
def doc():
    return document(GatewayService)


@pytest.fixture(scope="module")
def declared():
    return routes(GatewayService)


def operations(doc):
    for path, item in doc["paths"].items():
        for method, op in item.items():
            if method in METHODS:
                yield path, method, op


def resolve(doc, ref):
    assert ref.startswith("#/"), f"{ref} points outside the document"
    node = doc
    for part in ref[2:].split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        assert isinstance(node, dict) and part in node, f"{ref} does not resolve"
        node = node[part]
    return node


def walk(node, where=""):
    """Every dict in the document, with where it is."""
    if isinstance(node, dict):
        yield where, node
        for key, value in node.items():
            yield from walk(value, f"{where}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from walk(value, f"{where}/{i}")


def deref(doc, node):
    while "$ref" in node:
        node = resolve(doc, node["$ref"])
    return node


def schemas_in(doc):
    """Every schema object of the document (components, parameters, bodies, replies), nested ones too."""
    found = []

    def visit(schema, where):
        if not isinstance(schema, dict) or "$ref" in schema:
            return
        found.append((where, schema))
        for name, sub in schema.get("properties", {}).items():
            visit(sub, f"{where}/properties/{name}")
        for key in ("items", "additionalProperties", "not"):
            if isinstance(schema.get(key), dict):
                visit(schema[key], f"{where}/{key}")
        for key in ("allOf", "anyOf", "oneOf"):
            for i, sub in enumerate(schema.get(key, [])):
                visit(sub, f"{where}/{key}/{i}")

    for name, schema in doc["components"]["schemas"].items():
        visit(schema, f"#/components/schemas/{name}")
    for where, node in walk(doc["paths"], "#/paths"):
        if isinstance(node.get("schema"), dict):
            visit(node["schema"], f"{where}/schema")
    return found


# --- a valid OpenAPI 3.0 document --------------------------------------------------------------------

def test_the_document_is_valid_by_openapi_spec_validator(doc):
    openapi_spec_validator.validate(doc)


def test_the_document_is_json_and_says_what_it_is(doc):
    assert json.loads(json.dumps(doc, ensure_ascii=False)) == doc
    assert re.match(r"^3\.0\.\d+$", doc["openapi"])
    assert doc["info"]["title"] and isinstance(doc["info"]["version"], str) and doc["info"]["version"]
    assert set(doc) <= {"openapi", "info", "servers", "paths", "components", "security", "tags", "externalDocs"}
    assert doc["components"]["securitySchemes"]["bearer"] == {"type": "http", "scheme": "bearer",
                                                              "bearerFormat": "JWT"}


def test_a_server_url_is_published_when_given():
    assert document(GatewayService, "https://laomo.example/")["servers"] == [{"url": "https://laomo.example/"}]


def test_paths_are_templates_with_only_operations_under_them(doc):
    assert doc["paths"]
    for path, item in doc["paths"].items():
        assert path.startswith("/") and "<" not in path and ">" not in path, path
        assert item and set(item) <= METHODS, (path, set(item))


def test_every_operation_has_a_unique_id_tags_and_responses(doc):
    ids = [op.get("operationId") for _, _, op in operations(doc)]
    assert all(isinstance(i, str) and i for i in ids)
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    for path, method, op in operations(doc):
        assert isinstance(op.get("summary", ""), str)
        assert op["tags"] and all(isinstance(t, str) and t for t in op["tags"]), (path, method)
        assert op["responses"], (path, method)
        for status, response in op["responses"].items():
            assert STATUS.match(status) or status == "default", (path, method, status)
            response = deref(doc, response)
            assert isinstance(response.get("description"), str), (path, method, status)
        assert any(s.startswith("2") for s in op["responses"]), (path, method)


def test_every_secured_operation_documents_401_and_403_and_a_known_scheme(doc):
    schemes = doc["components"]["securitySchemes"]
    secured = 0
    for path, method, op in operations(doc):
        for requirement in op.get("security", []):
            secured += 1
            assert set(requirement) <= set(schemes), (path, method)
            assert "401" in op["responses"] and "403" in op["responses"], (path, method)
    assert secured > 0
    assert "security" not in doc  # no global requirement: public routes stay public


def test_every_ref_resolves_inside_the_document(doc):
    refs = [(where, node["$ref"]) for where, node in walk(doc) if "$ref" in node]
    assert refs
    for where, ref in refs:
        assert isinstance(ref, str), where
        resolve(doc, ref)


def test_every_component_has_a_valid_name_and_every_response_a_description(doc):
    for kind, components in doc["components"].items():
        for name in components:
            assert COMPONENT_NAME.match(name), (kind, name)
    for name, response in doc["components"]["responses"].items():
        assert response["description"], name
        assert deref(doc, response["content"]["application/json"]["schema"]) == \
            doc["components"]["schemas"]["Error"]


def test_every_parameter_in_a_path_is_declared_and_none_other(doc):
    for path, method, op in operations(doc):
        in_template = TEMPLATE_PARAMETER.findall(path)
        parameters = [deref(doc, p) for p in op.get("parameters", [])]
        for p in parameters:
            assert p["in"] in PARAMETER_PLACES and p["name"], (path, method, p)
            assert ("schema" in p) != ("content" in p), (path, method, p)
        declared_in_path = [p["name"] for p in parameters if p["in"] == "path"]
        assert sorted(declared_in_path) == sorted(in_template), (path, method)
        assert all(p["required"] is True for p in parameters if p["in"] == "path"), (path, method)
        pairs = [(p["name"], p["in"]) for p in parameters]
        assert len(pairs) == len(set(pairs)), (path, method)


def test_schemas_use_openapi_3_0_types(doc):
    schemas = schemas_in(doc)
    assert len(schemas) > 50
    for where, schema in schemas:
        if "type" in schema:
            assert schema["type"] in SCHEMA_TYPES, (where, schema["type"])  # no 3.1 lists, no "null"
        if schema.get("type") == "array":
            assert isinstance(schema.get("items"), dict), where
        if "required" in schema:
            required = schema["required"]
            assert isinstance(required, list) and required, where
            assert all(isinstance(r, str) for r in required) and len(required) == len(set(required)), where
        if "nullable" in schema:
            assert isinstance(schema["nullable"], bool), where
        if "enum" in schema:
            assert isinstance(schema["enum"], list) and schema["enum"], where


# --- every route, as declared ------------------------------------------------------------------------

def test_every_route_appears_under_its_path_method_and_name(doc, declared):
    assert len(declared) > 30
    for name, _, route in declared:
        path = openapi_path(route.url)
        op = doc["paths"].get(path, {}).get(route.method.lower())
        assert op is not None, f"{route.method} {route.url} ({name}) is not in the document"
        assert op["operationId"] == name
    assert len(list(operations(doc))) == len(declared)


def test_the_login_and_password_routes_are_there():
    paths = document(GatewayService)["paths"]
    for path, method in [("/api/v1/auth/login", "post"), ("/api/v1/auth/logout", "post"),
                         ("/api/v1/auth/password", "post"), ("/api/v1/auth/me", "get"),
                         ("/api/v1/accounts", "get"), ("/api/v1/accounts", "post"),
                         ("/api/v1/accounts/{account_id}", "patch"), ("/api/v1/openapi.json", "get"),
                         ("/api/v1/honourees/import", "post"), ("/healthz", "get")]:
        assert method in paths[path], (method, path)


def test_routes_with_roles_are_secured_and_public_ones_are_not(doc, declared):
    for name, _, route in declared:
        op = doc["paths"][openapi_path(route.url)][route.method.lower()]
        if route.roles is None:
            assert "security" not in op, name
        else:
            assert op["security"] == [{"bearer": []}], name
            assert all(role in op["description"] for role in route.roles), name
    public = {name for name, _, route in declared if route.roles is None}
    assert {"login", "healthz", "readyz", "openapi", "docs"} <= public
    assert not public & {"logout", "change_password", "me", "create_account", "list_accounts"}


def test_every_declared_error_and_status_is_documented(doc, declared):
    for name, _, route in declared:
        responses = doc["paths"][openapi_path(route.url)][route.method.lower()]["responses"]
        assert str(route.status) in responses, name
        for status in route.errors:
            assert str(status) in responses, (name, status)
        if route.query_schema is not None or route.body_schema is not None:
            assert "422" in responses, name
        if route.body_schema is not None:
            assert "400" in responses, name
        if route.roles is not None and PATH_PARAMETER.search(route.url):
            assert "404" in responses, name


def test_query_parameters_are_the_query_schemas_fields(doc, declared):
    for name, _, route in declared:
        op = doc["paths"][openapi_path(route.url)][route.method.lower()]
        in_query = {deref(doc, p)["name"] for p in op.get("parameters", []) if deref(doc, p)["in"] == "query"}
        fields = route.query_schema.fields.items() if route.query_schema is not None else ()
        assert in_query == {field.data_key or field_name for field_name, field in fields}, name


def test_request_bodies_are_the_body_schemas(doc, declared):
    for name, _, route in declared:
        op = doc["paths"][openapi_path(route.url)][route.method.lower()]
        if route.body_schema is None:
            assert "requestBody" not in op, name
            continue
        body = op["requestBody"]
        assert body["required"] is True, name
        if route.body_schema is CSV_BODY:
            assert body["content"] == {"text/csv": {"schema": {"type": "string"}}}, name
            continue
        schema = deref(doc, body["content"]["application/json"]["schema"])
        assert set(schema["properties"]) == set(route.body_schema.fields), name
        required = {n for n, f in route.body_schema.fields.items() if f.required}
        assert set(schema.get("required", [])) == required, name


def test_replies_name_their_schema_or_media_type(doc, declared):
    for name, _, route in declared:
        reply = doc["paths"][openapi_path(route.url)][route.method.lower()]["responses"][str(route.status)]
        if route.status == 204 or route.response_schema is None:
            assert "content" not in reply, name
        elif isinstance(route.response_schema, str):
            assert list(reply["content"]) == [route.response_schema], name
        elif isinstance(route.response_schema, tuple):
            media_type, schema = route.response_schema
            assert reply["content"] == {media_type: {"schema": schema}}, name
        else:
            schema = deref(doc, reply["content"]["application/json"]["schema"])
            assert schema.get("type") == "object" and schema["properties"], name


def test_path_templates_follow_the_routes_parameters():
    assert openapi_path("/api/v1/accounts/<string:account_id>/audit") == "/api/v1/accounts/{account_id}/audit"
    assert openapi_path("/a/<x>/b/<int:y>") == "/a/{x}/b/{y}"
    assert openapi_path("/healthz") == "/healthz"
