"""Who is acting: the account and unit a gateway request is made for.

Every RPC that reads or changes records takes an ``actor`` first. The
gateway fills it from the verified token; services trust it as they trust
the broker, filter their queries by the actor's unit, and write it into
the audit trail.
"""
from dataclasses import dataclass, field

from marshmallow import Schema, fields, post_load, validate

from .schemas import load

ROLES = ("admin", "officer", "reviewer", "finance", "auditor")


@dataclass(frozen=True)
class Actor:
    account: str
    unit_id: str
    roles: tuple = field(default=())
    personal_data: bool = False  # may see ID numbers, family income, health in clear

    def has_role(self, role):
        return role in self.roles

    def to_dict(self):
        return {"account": self.account, "unit_id": self.unit_id, "roles": list(self.roles),
                "personal_data": self.personal_data}


class ActorSchema(Schema):
    account = fields.String(required=True, validate=validate.Length(min=1, max=64))
    unit_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    roles = fields.List(fields.String(validate=validate.OneOf(ROLES)), load_default=list)
    personal_data = fields.Boolean(load_default=False)

    @post_load
    def make(self, data, **kwargs):
        return Actor(data["account"], data["unit_id"], tuple(data["roles"]), data["personal_data"])


ACTOR = ActorSchema()  # marshmallow schemas keep no state between loads: one serves every call


def load_actor(data):
    return load(ACTOR, data, "actor")


SYSTEM = Actor("system", "system")  # changes laomo makes itself (event handlers, imports by command)
