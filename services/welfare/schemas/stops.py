"""What the care stops' RPCs accept."""
from marshmallow import fields

from services.chassis.schemas import PageRequest


class CareStopQuerySchema(PageRequest):
    in_force = fields.Boolean()  # true: not lifted; false: lifted since
