"""Small helpers the nomination modules share."""
import contextlib
import json

from services.chassis.actor import Actor
from services.chassis.errors import Conflict, Invalid

from .procedure import Refused

# who lodges an objection: anyone, without an account (the audit trail records this, never an address)
PUBLIC = Actor("public", "public")


def to_json(value):
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def from_json(text):
    return json.loads(text) if text else {}


def iso(value):
    return value.isoformat() if value is not None else None


@contextlib.contextmanager
def as_conflict():
    """The procedure's refusals become Conflict, with the missing step in the details."""
    try:
        yield
    except Refused as refused:
        raise Conflict(refused.message, {k: v for k, v in refused.details.items() if v is not None}) from None


def not_after_today(field, day, today):
    """Evidence dates (a meeting, an approval, a decision) cannot lie in the future."""
    if day > today:
        raise Invalid(f"{field} is after today", {field: [f"after today ({today.isoformat()})"]})
