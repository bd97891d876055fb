"""What the service-card and birthday RPCs return (documented in OpenAPI; tests check real replies).

Bare lists: ``list_service_items`` (``ServiceItemOut``), ``card_audit`` (``CardAuditEntryOut``).
"""
from marshmallow import Schema, fields, validate

from services.chassis.schemas import (
    audit_entry_schema,
    count,
    flag,
    instant,
    maybe_instant,
    maybe_text,
    one_of,
    page_schema,
    text,
)

from ..models.cards import CardStatus

CARD_NUMBER = validate.Regexp(r"^LM[0-9]{11}$")


class ServiceItemOut(Schema):
    """A service item of the city's catalogue."""

    code = text()
    name = text()
    description = text()
    active = flag()
    created_at = instant()
    updated_at = instant()


class ServiceCardOut(Schema):
    """A service card (劳模服务卡) with the codes of the service items it carries."""

    id = text()
    card_number = text(validate=CARD_NUMBER, metadata={"description": "LM + year + 6-digit sequence + check digit"})
    honouree_id = text()
    honouree_name = maybe_text(metadata={"description": "from the registry's roster"})
    managing_unit_id = text()
    status = text(validate=one_of(CardStatus))
    items = fields.List(fields.String(), required=True)
    issued_by_unit_id = text()
    issued_by_account = text()
    issued_at = instant()
    suspension_reason = maybe_text(metadata={"description": "the latest suspension's reason"})
    suspended_at = maybe_instant()
    cancellation_reason = maybe_text()
    cancelled_at = maybe_instant()
    cancelled_by_account = maybe_text(metadata={"description": '"system" when cancelled on revocation'})
    request_id = maybe_text()
    version = fields.Integer(required=True, validate=validate.Range(min=1))
    updated_at = instant()


ServiceCardPageOut = page_schema(ServiceCardOut, "ServiceCardPageOut")


CardAuditEntryOut = audit_entry_schema(
    "CardAuditEntryOut", ("service_card",),
    "One recorded change of a service card, oldest first.")

class GreetingOut(Schema):
    """A birthday greeting marked sent."""

    id = text()
    honouree_id = text()
    year = fields.Integer(required=True)
    birthday = fields.Date(required=True, metadata={"description": "that year's birthday (28 Feb for 29 Feb "
                                                                   "in a common year)"})
    note = maybe_text()
    greeted_by_account = text()
    greeted_by_unit_id = text()
    greeted_at = instant()


class BirthdayOut(Schema):
    """An eligible honouree whose next birthday falls in the window."""

    honouree_id = text()
    name = text()
    managing_unit_id = text()
    birthday = fields.Date(required=True)
    days_until = count()
    turns = count(metadata={"description": "the age the honouree turns"})
    greeted = flag()
    greeting = fields.Nested(GreetingOut, required=True, allow_none=True)


BirthdayPageOut = page_schema(BirthdayOut, "BirthdayPageOut", "Birthdays in the window, soonest first.")
