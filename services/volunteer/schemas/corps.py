"""What the corps' RPCs (and their gateway routes) take: marshmallow input schemas."""
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from services.chassis.schemas import UNIT_ID, PageRequest, Trimmed, choice

from ..models.corps import Period, TeamKind, VolunteerKind, VolunteerStatus

ID = validate.Length(min=1, max=32)
REQUEST_ID = validate.Length(min=1, max=64)
SKILL = validate.Regexp(r"^[a-z][a-z0-9_]{1,39}$",
                        error="lower-case letters, digits and underscores, 2 to 40, starting with a letter")
MAX_SKILLS = 30


def _unique(values):
    if len(set(map(repr, values))) != len(values):
        raise ValidationError("each only once")


class SkillsField(fields.List):
    def __init__(self, **kwargs):
        super().__init__(fields.String(validate=SKILL), validate=[validate.Length(max=MAX_SKILLS), _unique],
                         **kwargs)


class SlotSchema(Schema):
    """A time a volunteer is usually free: weekday 1 (Monday) to 7 (Sunday) and a part of the day."""

    weekday = fields.Integer(required=True, validate=validate.Range(min=1, max=7))
    period = fields.String(required=True, validate=choice(Period))


class SlotsField(fields.List):
    def __init__(self, **kwargs):
        super().__init__(fields.Nested(SlotSchema), validate=[validate.Length(max=21), _unique], **kwargs)


# --- teams -------------------------------------------------------------------------------------

class TeamSchema(Schema):
    """A new team of the corps: a district's (unit_id a district union) or a profession's."""

    name = Trimmed(required=True, validate=validate.Length(min=1, max=100), metadata={"description": "e.g. 海淀劳模志愿服务队"})
    kind = fields.String(required=True, validate=choice(TeamKind))
    unit_id = fields.String(required=True, validate=UNIT_ID, metadata={"description": "the owning unit, in your scope"})
    profession = Trimmed(load_default=None, allow_none=True, validate=validate.Length(min=1, max=100),
                         metadata={"description": "a profession team's field, e.g. 医疗卫生"})
    admits_public = fields.Boolean(load_default=False,
                                   metadata={"description": "other people than honourees may join"})
    description = Trimmed(load_default="", validate=validate.Length(max=2000))
    request_id = fields.String(load_default=None, validate=REQUEST_ID,
                               metadata={"description": "a retry with the same request_id returns the first team"})

    @validates_schema
    def _profession(self, data, **kwargs):
        if data.get("kind") == TeamKind.PROFESSION.value and not data.get("profession"):
            raise ValidationError("a profession team names its profession", "profession")
        if data.get("kind") == TeamKind.DISTRICT.value and data.get("profession"):
            raise ValidationError("only a profession team names a profession", "profession")


class TeamChangesSchema(Schema):
    """Changes to a team: any of name, description, admits_public (members already in stay)."""

    name = Trimmed(validate=validate.Length(min=1, max=100))
    description = Trimmed(validate=validate.Length(max=2000))
    admits_public = fields.Boolean()


class TeamQuerySchema(PageRequest):
    kind = fields.String(validate=choice(TeamKind))
    unit_id = fields.String(validate=UNIT_ID, metadata={"description": "teams of this unit and those below"})


# --- volunteers --------------------------------------------------------------------------------

class JoinSchema(Schema):
    """A volunteer joining the team: an honouree in your scope (honouree_id), or, where the team admits
    them, another person (name)."""

    honouree_id = fields.String(load_default=None, allow_none=True, validate=ID)
    name = Trimmed(load_default=None, allow_none=True, validate=validate.Length(min=1, max=50),
                   metadata={"description": "another person's name (not for honourees: the registry's is used)"})
    skills = SkillsField(load_default=list, metadata={"description": "skill codes, e.g. first_aid"})
    availability = SlotsField(load_default=list)
    request_id = fields.String(load_default=None, validate=REQUEST_ID,
                               metadata={"description": "a retry with the same request_id returns the first"})

    @validates_schema
    def _who(self, data, **kwargs):
        if bool(data.get("honouree_id")) == bool(data.get("name")):
            raise ValidationError("either an honouree_id or another person's name", "_schema")


class VolunteerSchema(JoinSchema):
    """What ``enrol_volunteer`` takes: the team and who joins it."""

    team_id = fields.String(required=True, validate=ID)


class VolunteerChangesSchema(Schema):
    """A volunteer's new skills and/or availability (each replaces the old list)."""

    skills = SkillsField()
    availability = SlotsField()


class EndSchema(Schema):
    reason = Trimmed(required=True, validate=validate.Length(min=1, max=2000))


class VolunteerQuerySchema(PageRequest):
    team_id = fields.String(validate=ID)
    honouree_id = fields.String(validate=ID)
    kind = fields.String(validate=choice(VolunteerKind))
    status = fields.String(validate=choice(VolunteerStatus))
    skill = fields.String(validate=SKILL, metadata={"description": "volunteers offering this skill"})
