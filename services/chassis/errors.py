"""The error hierarchy every service raises and the gateway maps to HTTP.

Each class is registered with nameko's exception registry, so an error raised
in a service arrives at the RPC caller as the same class with the same
message and details, not as a generic ``RemoteError``.
"""
import json

from nameko.exceptions import deserialize_to_instance


class LaomoError(Exception):
    """Base of the errors a client can cause; never a bug in laomo itself."""

    code = "error"
    http_status = 400

    def __init__(self, message, details=None):
        # both travel in ``args``, as nameko serialises exceptions by their args; the details as JSON
        # text, because nameko turns every value that is not a string into one (2 -> "2", None -> "None")
        if isinstance(details, str):
            details = json.loads(details)
        self.details = details or {}
        super().__init__(message, json.dumps(self.details, ensure_ascii=False, sort_keys=True, default=str))

    @property
    def message(self):
        return self.args[0]

    def __str__(self):
        return self.message

    def to_dict(self):
        return {"error": self.code, "message": self.message, "details": self.details}


@deserialize_to_instance
class Invalid(LaomoError):
    """The input breaks a rule; ``details`` maps field names to messages."""

    code = "invalid"
    http_status = 422


@deserialize_to_instance
class NotFound(LaomoError):
    """No such record, or none the caller may see (scope hides it)."""

    code = "not_found"
    http_status = 404


@deserialize_to_instance
class Conflict(LaomoError):
    """The request contradicts the current state (a duplicate, a step out of order)."""

    code = "conflict"
    http_status = 409


@deserialize_to_instance
class Forbidden(LaomoError):
    """The caller's role does not allow the action."""

    code = "forbidden"
    http_status = 403


@deserialize_to_instance
class BadRequest(LaomoError):
    """The request cannot be read at all (not JSON, not UTF-8, the wrong content type)."""

    code = "bad_request"
    http_status = 400


@deserialize_to_instance
class Unauthenticated(LaomoError):
    """No valid credentials: no token, a forged or expired or revoked one, a wrong password."""

    code = "unauthenticated"
    http_status = 401


@deserialize_to_instance
class TooManyRequests(LaomoError):
    """Too many attempts in a while; ``details.retry_after`` says how many seconds to wait."""

    code = "too_many_requests"
    http_status = 429


@deserialize_to_instance
class ServiceUnavailable(LaomoError):
    """A service the request needs did not answer (not running, not declared)."""

    code = "service_unavailable"
    http_status = 503


@deserialize_to_instance
class ServiceTimeout(LaomoError):
    """A service did not answer within the caller's timeout."""

    code = "service_timeout"
    http_status = 504


CLIENT_ERRORS = (Invalid, NotFound, Conflict, Forbidden, BadRequest, Unauthenticated, TooManyRequests)
ERRORS = {error.code: error for error in CLIENT_ERRORS}  # by code, to raise a kept error again
