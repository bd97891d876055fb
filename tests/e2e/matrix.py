"""The access matrix's parts: how to drive a route (``Route``), and the checks every part shares.

``test_access.py`` holds the matrix of the registry, nomination and account routes; each welfare,
association and volunteer part adds its own ``matrix_<part>.py`` with a ``MATRIX`` of the same shape,
which ``test_access.py`` merges. A driver takes the module's ``World`` (``w.call(who, method, path,
**requests_kwargs)``, ``w.ok(...)``, ``w.honouree(...)``) and returns the response.
"""
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from gateway.openapi import PATH_PARAMETER


def tag():
    return uuid.uuid4().hex[:8]


def path_of(url, record_id="x"):
    """The route's werkzeug URL with its one path parameter (if any) replaced by ``record_id``."""
    return PATH_PARAMETER.sub(record_id, url)


def assert_error(response, status, code=None):
    """The one error shape: {"error", "message", "details"} as JSON, with ``status``."""
    assert response.status_code == status, f"{response.status_code}: {response.text}"
    assert response.headers["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error", "message", "details"}, body
    assert isinstance(body["error"], str) and isinstance(body["message"], str) and body["message"]
    assert isinstance(body["details"], dict)
    if code is not None:
        assert body["error"] == code, body
    return body


@dataclass
class NotApplicable:
    """(c) does not apply to the route, and why."""

    reason: str


@dataclass
class Route:
    drive: Callable  # (world) -> response: the right account, a valid request, in its own scope
    expect: int | None = None  # (d)'s status, when not the route's own 2xx (see its note)
    check: Callable | None = None  # (response) -> None: more about (d)'s answer
    # (c): the kind of 朝阳 record the path id names (404 expected), or a check of its own
    other: str | Callable | NotApplicable | None = None
    body: Callable | None = None  # (world) -> a valid JSON body, for (c)'s request
    public: bool = False


def get(who, path, **kwargs):
    return lambda w: w.call(who, "GET", "/api/v1" + path, **kwargs)


def plain_get(path):
    return lambda w: w.call(None, "GET", path)


def hidden(method, url, record_of, who, body=None):
    """(c) for a route naming a record: ``record_of(w)`` is the id of a 朝阳 record; ``who`` (a 海淀
    account with the route's role) gets 404 for it, reading as the answer for an id that exists nowhere."""
    def check(w):
        record_id = record_of(w)
        response = w.call(who, method, path_of(url, record_id), json=body)
        found = assert_error(response, 404, "not_found")
        assert record_id in found["details"].values(), found
        absent = assert_error(w.call(who, method, path_of(url, "no-such-record"), json=body), 404, "not_found")
        assert found["message"].replace(record_id, "?") == absent["message"].replace("no-such-record", "?")
    return check
