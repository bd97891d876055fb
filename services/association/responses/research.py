"""What the research-result RPCs return (documented in OpenAPI; tests check real replies)."""
from marshmallow import Schema, fields

from services.chassis.schemas import instant, maybe_text, page_schema, text


class ResearchResultOut(Schema):
    """A research result (调研成果) of the suggestion express lane."""

    id = text()
    title = text()
    year = fields.Integer(required=True)
    summary = text()
    honouree_ids = fields.List(fields.String(), required=True, metadata={"description": "who made it"})
    suggestion_ids = fields.List(fields.String(), required=True, metadata={"description": "what it grew from"})
    recorded_by_account = text()
    recorded_by_unit_id = text()
    request_id = maybe_text()
    created_at = instant()


ResearchPageOut = page_schema(ResearchResultOut, "ResearchPageOut",
                              "Research results, newest first; total: the count (of the year, when filtered).")
