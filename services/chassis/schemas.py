"""Marshmallow helpers shared by every service: validation that raises :class:`Invalid`, paging."""
from marshmallow import Schema, ValidationError, fields, validate

from .errors import Invalid

MAX_PAGE_SIZE = 200


def load(schema, data, what="request"):
    """Validate ``data`` with ``schema``; field errors become one :class:`Invalid`."""
    if not isinstance(data, dict):
        raise Invalid(f"the {what} must be a JSON object", {"_schema": ["expected an object"]})
    try:
        return schema.load(data)
    except ValidationError as err:
        raise Invalid(f"the {what} has invalid fields", err.normalized_messages())


UNIT_ID = validate.Regexp(r"^[a-z0-9][a-z0-9-]{1,63}$",
                          error="lower-case letters, digits and hyphens, 2 to 64 characters")
PHONE = validate.Regexp(r"^\+?[0-9][0-9 -]{4,19}$", error="digits, spaces or hyphens, 5 to 20")


def choice(enum_class):
    return validate.OneOf([member.value for member in enum_class])


class Trimmed(fields.String):
    """Text with surrounding white space trimmed; nothing but spaces counts as empty.

    A maximum length holds for the text as sent, too: the documented ``maxLength`` is the limit a
    client sees, whatever white space it carries."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        for rule in self.validators:
            if isinstance(rule, validate.Length) and rule.max is not None and len(text) > rule.max:
                raise ValidationError(f"Longer than maximum length {rule.max}.")
        return text.strip()


MAX_PAGE = 1_000_000  # far past any list laomo has; a page past 2**63 rows would overflow SQL


class PageRequest(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=MAX_PAGE))
    page_size = fields.Integer(load_default=50, validate=validate.Range(min=1, max=MAX_PAGE_SIZE))


def page_of(items, total, page, page_size):
    return {"items": items, "total": total, "page": page, "page_size": page_size,
            "pages": (total + page_size - 1) // page_size}


def page_schema(item_schema, name, doc=None):
    """The schema of a page of ``item_schema`` (what :func:`page_of` returns), named ``name``, for documents."""
    return type(name, (Schema,), {
        "__doc__": doc or f"A page of {item_schema.__name__}: items, total, page, page_size, pages.",
        "items": fields.List(fields.Nested(item_schema), required=True),
        "total": fields.Integer(required=True, validate=validate.Range(min=0)),
        "page": fields.Integer(required=True, validate=validate.Range(min=1)),
        "page_size": fields.Integer(required=True, validate=validate.Range(min=1)),
        "pages": fields.Integer(required=True, validate=validate.Range(min=0)),
    })


# --- reply fields: every key of a reply is present (required); "maybe" ones may be null ---------

HIDDEN = "***"  # a personal field the actor may not see


def one_of(values):
    return validate.OneOf([getattr(v, "value", v) for v in values])


def text(**kwargs):
    return fields.String(required=True, **kwargs)


def maybe_text(**kwargs):
    return fields.String(required=True, allow_none=True, **kwargs)


def count(**kwargs):
    return fields.Integer(required=True, validate=validate.Range(min=0), **kwargs)


def instant(**kwargs):
    return fields.DateTime(required=True, **kwargs)


def maybe_instant(**kwargs):
    return fields.DateTime(required=True, allow_none=True, **kwargs)


def flag():
    return fields.Boolean(required=True)


def audit_entry_schema(name, entities, doc, actions=None):
    """The schema of one entry of an audit trail (what ``chassis.audit.trail_of`` returns) for records of
    ``entities``, named ``name`` for documents; ``actions``, when given, are the only actions."""
    return type(name, (Schema,), {
        "__doc__": doc,
        "entity": text(validate=validate.OneOf(tuple(entities))),
        "entity_id": text(),
        "at": instant(),
        "account": text(metadata={"description": '"system" for what laomo did itself (on an event); "public" '
                                                 "for what someone did without an account"}),
        "unit_id": text(),
        "action": text(validate=validate.OneOf(tuple(actions))) if actions else text(),
        "changes": fields.Dict(keys=fields.String(),
                               values=fields.List(fields.Raw(), validate=validate.Length(equal=2)), required=True, metadata={"description": "{field: [old value, new value]}; personal "
                                                                       "data masked"}),
    })
