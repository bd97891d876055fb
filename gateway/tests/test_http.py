"""The gateway's input checks and answers: query strings, JSON and CSV bodies, the bearer header."""
import json

import pytest
from marshmallow import Schema, fields, validate
from nameko.exceptions import BadRequest as NamekoBadRequest
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request, Response

from gateway import http as gateway_http
from gateway.authentication import bearer_token
from gateway.http import CSV_BODY, HttpEndpoint, checked_body, checked_query, csv_body
from gateway.schemas import AccountQuerySchema, NewAccountSchema
from services.chassis.errors import (
    BadRequest,
    Invalid,
    NotFound,
    TooManyRequests,
    Unauthenticated,
)

NEW_ACCOUNT = {"username": "li.ming", "display_name": "李明（海淀区总工会）", "unit_id": "bj-hd",
               "roles": ["officer"]}


def request(path="/", method="GET", **kwargs):
    return Request(EnvironBuilder(path=path, method=method, **kwargs).get_environ())


def json_request(payload, content_type="application/json", raw=None):
    data = raw if raw is not None else json.dumps(payload, ensure_ascii=False).encode("utf-8")
    return request(method="POST", data=data, content_type=content_type)


def csv_request(data, content_type="text/csv"):
    return request(method="POST", data=data, content_type=content_type)


# --- the query string ------------------------------------------------------------------------------

def test_a_query_of_known_names_comes_back_as_text():
    query = checked_query(request(query_string="page=2&role=officer&active=true&unit_id=bj-hd"),
                          AccountQuerySchema())
    assert query == {"page": "2", "role": "officer", "active": "true", "unit_id": "bj-hd"}


def test_an_empty_query_is_empty():
    assert checked_query(request(), AccountQuerySchema()) == {}
    assert checked_query(request(), None) == {}


def test_unknown_query_names_are_invalid_each_by_name():
    with pytest.raises(Invalid) as caught:
        checked_query(request(query_string="page=1&colour=red&sort=name"), AccountQuerySchema())
    assert caught.value.details == {"colour": ["unknown parameter"], "sort": ["unknown parameter"]}
    assert caught.value.http_status == 422


def test_without_a_query_schema_any_name_is_unknown():
    with pytest.raises(Invalid) as caught:
        checked_query(request(query_string="page=1"), None)
    assert caught.value.details == {"page": ["unknown parameter"]}


def test_a_repeated_name_is_invalid():
    with pytest.raises(Invalid) as caught:
        checked_query(request(query_string="role=officer&role=admin&page=1"), AccountQuerySchema())
    assert caught.value.details == {"role": ["give it once"]}


def test_repeated_and_unknown_names_are_reported_together():
    with pytest.raises(Invalid) as caught:
        checked_query(request(query_string="page=1&page=2&x=1&x=2"), AccountQuerySchema())
    assert caught.value.details == {"page": ["give it once"], "x": ["unknown parameter"]}


@pytest.mark.parametrize("query_string, name", [
    ("page=0", "page"), ("page=two", "page"), ("page_size=201", "page_size"), ("page_size=-1", "page_size"),
    ("role=boss", "role"), ("active=perhaps", "active"), ("unit_id=", "unit_id"), ("unit_id=" + "u" * 65, "unit_id"),
])
def test_bad_values_are_invalid_under_their_name(query_string, name):
    with pytest.raises(Invalid) as caught:
        checked_query(request(query_string=query_string), AccountQuerySchema())
    assert list(caught.value.details) == [name]


def test_a_chinese_query_value_arrives_decoded():
    class Search(Schema):
        name = fields.String(validate=validate.Length(max=20))

    assert checked_query(request(query_string={"name": "李明"}), Search()) == {"name": "李明"}


# --- JSON bodies -----------------------------------------------------------------------------------

def test_a_json_object_body_with_chinese_text_round_trips():
    body = checked_body(json_request(NEW_ACCOUNT), NewAccountSchema())
    assert body == NEW_ACCOUNT
    assert body["display_name"] == "李明（海淀区总工会）"


def test_a_json_body_with_escaped_chinese_text_reads_the_same():
    raw = json.dumps(NEW_ACCOUNT, ensure_ascii=True).encode("ascii")
    assert checked_body(json_request(None, raw=raw), NewAccountSchema()) == NEW_ACCOUNT


def test_a_charset_parameter_on_the_content_type_is_accepted():
    body = checked_body(json_request(NEW_ACCOUNT, "application/json; charset=utf-8"), NewAccountSchema())
    assert body == NEW_ACCOUNT


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", "text/csv",
                                          "application/jsonx", "multipart/form-data; boundary=x"])
def test_a_body_of_another_content_type_is_a_bad_request(content_type):
    with pytest.raises(BadRequest) as caught:
        checked_body(json_request(NEW_ACCOUNT, content_type), NewAccountSchema())
    assert list(caught.value.details) == ["content_type"]
    assert caught.value.http_status == 400


def test_a_body_without_a_content_type_is_a_bad_request():
    req = request(method="POST", data=json.dumps(NEW_ACCOUNT).encode())
    with pytest.raises(BadRequest) as caught:
        checked_body(req, NewAccountSchema())
    assert caught.value.details == {"content_type": ["missing"]}


@pytest.mark.parametrize("raw", [b"", b"{", b"username=li.ming", b"{'username': 'li.ming'}", b"{\"a\": 1,}",
                                 b"\xef\xbb\xbf{}", b"{} {}"])
def test_a_body_that_is_not_json_is_a_bad_request(raw):
    with pytest.raises(BadRequest):
        checked_body(json_request(None, raw=raw), NewAccountSchema())


def test_a_body_that_is_not_utf8_is_a_bad_request():
    raw = json.dumps(NEW_ACCOUNT, ensure_ascii=False).encode("gb18030")
    with pytest.raises(BadRequest) as caught:
        checked_body(json_request(None, raw=raw), NewAccountSchema())
    assert "UTF-8" in caught.value.message


@pytest.mark.parametrize("payload", [[NEW_ACCOUNT], [], "li.ming", 42, None, True])
def test_a_body_that_is_json_but_no_object_is_invalid(payload):
    with pytest.raises(Invalid) as caught:
        checked_body(json_request(payload), NewAccountSchema())
    assert caught.value.details == {"_schema": ["expected an object"]}


def test_unknown_fields_are_invalid_each_by_name():
    payload = dict(NEW_ACCOUNT, password="Secret-123", is_superuser=True)
    with pytest.raises(Invalid) as caught:
        checked_body(json_request(payload), NewAccountSchema())
    assert set(caught.value.details) == {"password", "is_superuser"}


def test_bad_and_missing_fields_are_invalid_each_by_name():
    payload = {"username": "li.ming", "roles": ["boss"], "personal_data": "sometimes"}
    with pytest.raises(Invalid) as caught:
        checked_body(json_request(payload), NewAccountSchema())
    assert set(caught.value.details) == {"display_name", "unit_id", "roles", "personal_data"}


def test_a_body_over_the_limit_is_a_bad_request(monkeypatch):
    monkeypatch.setattr(gateway_http, "MAX_BODY", 64)
    small = {"username": "li.ming"}
    with pytest.raises(Invalid):  # read, then refused for its fields: under the limit
        checked_body(json_request(small), NewAccountSchema())
    with pytest.raises(BadRequest) as caught:
        checked_body(json_request(NEW_ACCOUNT), NewAccountSchema())
    assert caught.value.details == {"limit_bytes": 64}


# --- CSV bodies ------------------------------------------------------------------------------------

CSV_TEXT = "姓名,单位\r\n李明,海淀区总工会\r\n王芳,朝阳区总工会\r\n"


def test_a_utf8_csv_comes_back_as_text():
    assert csv_body(csv_request(CSV_TEXT.encode("utf-8"))) == CSV_TEXT


def test_a_byte_order_mark_is_stripped():
    assert csv_body(csv_request(b"\xef\xbb\xbf" + CSV_TEXT.encode("utf-8"))) == CSV_TEXT


def test_a_charset_parameter_on_the_csv_content_type_is_accepted():
    assert csv_body(csv_request(CSV_TEXT.encode("utf-8"), "text/csv; charset=utf-8")) == CSV_TEXT


def test_a_csv_that_is_not_utf8_is_a_bad_request_naming_the_first_bad_byte():
    raw = CSV_TEXT.encode("gbk")
    with pytest.raises(BadRequest) as caught:
        csv_body(csv_request(raw))
    assert caught.value.details == {"byte_offset": 0}  # 姓 in GBK is no UTF-8
    raw = b"name,unit\r\nLi Ming,\xba\xa3\xb5\xed\r\n"
    with pytest.raises(BadRequest) as caught:
        csv_body(csv_request(raw))
    assert caught.value.details == {"byte_offset": raw.index(b"\xba")}


def test_the_bad_byte_is_counted_from_the_start_of_the_file_when_it_has_a_byte_order_mark():
    raw = b"\xef\xbb\xbfname,unit\r\nLi Ming,\xba\xa3\r\n"
    with pytest.raises(BadRequest) as caught:
        csv_body(csv_request(raw))
    assert caught.value.details == {"byte_offset": raw.index(b"\xba")}


@pytest.mark.parametrize("content_type", ["application/json", "text/plain", "application/vnd.ms-excel"])
def test_a_csv_of_another_content_type_is_a_bad_request(content_type):
    with pytest.raises(BadRequest) as caught:
        csv_body(csv_request(CSV_TEXT.encode("utf-8"), content_type))
    assert caught.value.details == {"content_type": [content_type]}


def test_a_csv_over_the_limit_is_a_bad_request(monkeypatch):
    monkeypatch.setattr(gateway_http, "MAX_BODY", 16)
    with pytest.raises(BadRequest) as caught:
        csv_body(csv_request(CSV_TEXT.encode("utf-8")))
    assert caught.value.details == {"limit_bytes": 16}


# --- what a route checks before any service is asked -----------------------------------------------

def test_a_route_without_a_query_schema_refuses_any_query():
    route = HttpEndpoint("GET", "/api/v1/things")
    assert route.inputs(request()) == {}
    with pytest.raises(Invalid) as caught:
        route.inputs(request(query_string="page=1"))
    assert caught.value.details == {"page": ["unknown parameter"]}


def test_a_route_hands_over_its_checked_query_and_body():
    route = HttpEndpoint("POST", "/api/v1/accounts", query=AccountQuerySchema, body=NewAccountSchema)
    req = request(method="POST", query_string="page=2",
                  data=json.dumps(NEW_ACCOUNT, ensure_ascii=False).encode(), content_type="application/json")
    assert route.inputs(req) == {"query": {"page": "2"}, "body": NEW_ACCOUNT}


def test_a_csv_route_hands_over_the_text():
    route = HttpEndpoint("POST", "/api/v1/import", body=CSV_BODY)
    assert route.inputs(csv_request(b"\xef\xbb\xbf" + CSV_TEXT.encode())) == {"body": CSV_TEXT}


# --- answers ----------------------------------------------------------------------------------------

def answer(route, exc):
    response = route.response_from_exception(exc)
    return response.status_code, json.loads(response.get_data(as_text=True)), response.headers


def test_client_errors_answer_with_their_status_and_one_shape():
    route = HttpEndpoint("GET", "/x")
    status, body, _ = answer(route, NotFound("no account 'x'", {"account_id": "x"}))
    assert (status, body) == (404, {"error": "not_found", "message": "no account 'x'",
                                    "details": {"account_id": "x"}})


def test_429_carries_retry_after_and_401_a_bearer_challenge():
    route = HttpEndpoint("GET", "/x")
    status, body, headers = answer(route, TooManyRequests("slow down", {"retry_after": 42}))
    assert status == 429 and headers["Retry-After"] == "42" and body["details"] == {"retry_after": 42}
    status, body, headers = answer(route, Unauthenticated("log in", {"token": ["missing"]}))
    assert status == 401 and headers["WWW-Authenticate"].startswith("Bearer")


def test_an_unexpected_error_is_a_500_that_tells_nothing_of_it():
    route = HttpEndpoint("GET", "/x")
    status, body, _ = answer(route, RuntimeError("password=hunter2 at /srv/secret.py line 3"))
    assert status == 500 and body["error"] == "internal"
    assert "hunter2" not in json.dumps(body) and "secret.py" not in json.dumps(body)


def test_a_signature_mismatch_is_a_400():
    status, body, _ = answer(HttpEndpoint("GET", "/x"), NamekoBadRequest("unexpected argument"))
    assert status == 400 and body["error"] == "bad_request"


def test_results_become_json_answers():
    route = HttpEndpoint("POST", "/x", status=201)
    response = route.response_from_result({"name": "李明"})
    assert response.status_code == 201 and response.mimetype == "application/json"
    assert json.loads(response.get_data(as_text=True)) == {"name": "李明"}
    assert "李明".encode() in response.get_data()  # not \u-escaped
    assert route.response_from_result((202, {"a": 1})).status_code == 202
    empty = route.response_from_result((204, None))
    assert empty.status_code == 204 and empty.get_data() == b""
    own = Response("x", content_type="text/plain")
    assert route.response_from_result(own) is own


# --- the bearer header -----------------------------------------------------------------------------

def test_a_bearer_token_is_read_from_the_header():
    assert bearer_token(request(headers={"Authorization": "Bearer abc.def.ghi"})) == "abc.def.ghi"
    assert bearer_token(request(headers={"Authorization": "bearer  abc.def.ghi "})) == "abc.def.ghi"


def test_a_missing_header_is_unauthenticated():
    with pytest.raises(Unauthenticated) as caught:
        bearer_token(request())
    assert caught.value.details == {"token": ["missing"]}


@pytest.mark.parametrize("header", ["Basic bGk6bWluZw==", "Token abc", "Bearer", "Bearer ", "Bearer    ",
                                    "abc.def.ghi", "Bearerabc.def.ghi"])
def test_another_scheme_or_no_token_is_unauthenticated(header):
    with pytest.raises(Unauthenticated) as caught:
        bearer_token(request(headers={"Authorization": header}))
    assert caught.value.details == {"token": ["malformed"]}
    assert "bGk6bWluZw==" not in json.dumps(caught.value.to_dict())
