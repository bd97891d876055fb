"""What the service-card and birthday RPCs (and their gateway routes) take: marshmallow input schemas."""
from marshmallow import Schema, ValidationError, fields, validate, validates

from services.chassis.schemas import UNIT_ID, PageRequest, Trimmed, choice

from ..models.cards import CardStatus

ITEM_CODE = validate.Regexp(r"^[a-z][a-z0-9_]{1,39}$",
                            error="lower-case letters, digits and underscores, 2 to 40, starting with a letter")
HONOUREE_ID = validate.Length(min=1, max=32)
REQUEST_ID = validate.Length(min=1, max=64)
REASON = validate.Length(min=1, max=2000)
MAX_ITEMS = 50


def _unique(values):
    if len(set(values)) != len(values):
        raise ValidationError("each only once")


# --- service items (the city's catalogue) -------------------------------------------------------

class ServiceItemSchema(Schema):
    """A new service item of the catalogue (the city's officers)."""

    code = fields.String(required=True, validate=ITEM_CODE, metadata={"description": "e.g. park_pass"})
    name = Trimmed(required=True, validate=validate.Length(min=1, max=50), metadata={"description": "e.g. 公园年票"})
    description = Trimmed(load_default="", validate=validate.Length(max=500))
    active = fields.Boolean(load_default=True)


class ServiceItemChangesSchema(Schema):
    """Changes to a service item: any of name, description, active."""

    name = Trimmed(validate=validate.Length(min=1, max=50))
    description = Trimmed(validate=validate.Length(max=500))
    active = fields.Boolean()


class ServiceItemQuerySchema(Schema):
    active = fields.Boolean(metadata={"description": "only active (true) or inactive (false) items"})


# --- service cards -----------------------------------------------------------------------------

class ItemsField(fields.List):
    def __init__(self, **kwargs):
        super().__init__(fields.String(validate=ITEM_CODE),
                         validate=[validate.Length(min=1, max=MAX_ITEMS), _unique], **kwargs)


class NewCardSchema(Schema):
    """A card for an eligible honouree in your scope, carrying these active service items."""

    honouree_id = fields.String(required=True, validate=HONOUREE_ID)
    items = ItemsField(required=True, metadata={"description": "codes of active service items, each once"})
    request_id = fields.String(load_default=None, validate=REQUEST_ID,
                               metadata={"description": "a retry with the same request_id returns the first card"})


class CardItemsSchema(Schema):
    """The service items the card carries from now on (all of them: the list replaces the old one)."""

    items = ItemsField(required=True)


class CardReasonSchema(Schema):
    """Why the card is suspended or cancelled (kept with the card)."""

    reason = Trimmed(required=True, validate=REASON)


class CardResumeSchema(Schema):
    """Resuming a suspended card; an optional note for the audit trail."""

    note = Trimmed(load_default=None, validate=REASON)


class CardQuerySchema(PageRequest):
    status = fields.String(validate=choice(CardStatus))
    unit_id = fields.String(validate=UNIT_ID,
                            metadata={"description": "honourees managed by this unit or below (in your scope)"})
    honouree_id = fields.String(validate=HONOUREE_ID)


# --- birthdays ----------------------------------------------------------------------------------

class BirthdayQuerySchema(PageRequest):
    days = fields.Integer(load_default=30, validate=validate.Range(min=1, max=366),
                          metadata={"description": "from today (Beijing) on, today included; 1 to 366"})
    greeted = fields.Boolean(metadata={"description": "only those greeted (true) or not yet (false)"})


class GreetingSchema(Schema):
    """A birthday greeting sent; once per honouree and year (a repeat returns the first)."""

    year = fields.Integer(load_default=None, strict=True,
                          metadata={"description": "the year of the birthday greeted; default: the honouree's "
                                                   "next birthday from today"})
    note = Trimmed(load_default=None, validate=validate.Length(min=1, max=500))

    @validates("year")
    def near(self, value, **kwargs):
        if value is not None and not 1900 <= value <= 2200:
            raise ValidationError("a year from 1900 to 2200")
