"""Routes of the registry (北京劳模信息数据库) over HTTP. Entrypoints only.

Each route checks the caller's role and input, then makes one RPC to the
registry with the caller's actor (account, unit, roles, personal-data right);
the registry filters by the actor's scope in its own queries, so a record
outside it answers 404 as if absent.
"""
from marshmallow import Schema, fields, validate
from werkzeug.wrappers import Response

from services.registry import responses
from services.registry.schemas import (
    ChangeReportSchema,
    HonoureeChangesSchema,
    HonoureeFilterSchema,
    HonoureeSearchSchema,
    HonourInputSchema,
    NewHonoureeSchema,
    NewUnitSchema,
    OverdueQuerySchema,
    RevocationDecisionSchema,
    RevocationQuerySchema,
    RevocationReasonsSchema,
    TodoQuerySchema,
    TransferQuerySchema,
    TransferRejectionSchema,
    TransferRequestSchema,
    UnitQuerySchema,
    VerificationSchema,
)

from ..http import CSV_BODY, http
from ..roles import ADMINS, ANYONE, AUDITORS, EXPORTERS, OFFICERS, REVIEWERS


class ProgressQuery(Schema):
    year = fields.Integer(validate=validate.Range(min=1950, max=2100))


class ImportQuery(Schema):
    dry_run = fields.Boolean(load_default=True)


class UnitListOut(Schema):
    """Units, without paging (a unit's children)."""

    items = fields.List(fields.Nested(responses.UnitOut), required=True)


class ScopeOut(Schema):
    """The units a caller acting for ``unit_id`` may see: it and every unit below it, in both trees."""

    unit_id = fields.String(required=True)
    unit_ids = fields.List(fields.String(), required=True)


class AuditTrailOut(Schema):
    """Who changed the record, when, from what to what; masked where it is personal data."""

    items = fields.List(fields.Nested(responses.AuditEntryOut), required=True)


class HonourTypesOut(Schema):
    """The honours laomo knows, by level."""

    items = fields.List(fields.Nested(responses.HonourTypeOut), required=True)


NOT_IN_SCOPE = (404,)
STATE = (404, 409)


class RegistryRoutes:
    """Mixed into GatewayService: needs ``registry`` (an RpcClient)."""

    # --- the union tree -----------------------------------------------------------------------

    @http("GET", "/api/v1/units", roles=ANYONE, query=UnitQuerySchema, response=responses.UnitPageOut, tag="units",
          summary="The union tree's units, by tier or parent")
    def list_units(self, request, caller, query):
        return self.registry.list_units(query)

    @http("POST", "/api/v1/units", roles=ADMINS, body=NewUnitSchema, response=responses.UnitOut, status=201,
          errors=(404, 409), tag="units",
          summary="Place a new unit below one in your scope (a grassroots union below a district, say)")
    def add_unit(self, request, caller, body):
        return 201, self.registry.add_unit(caller.actor.to_dict(), body)

    @http("GET", "/api/v1/units/<string:unit_id>", roles=ANYONE, response=responses.UnitOut, errors=(404,),
          tag="units", summary="One unit")
    def get_unit(self, request, caller, unit_id):
        return self.registry.get_unit(unit_id)

    @http("GET", "/api/v1/units/<string:unit_id>/children", roles=ANYONE, response=UnitListOut,
          errors=(404,), tag="units", summary="The units directly below a unit, in both trees")
    def list_children(self, request, caller, unit_id):
        return {"items": self.registry.list_children(unit_id)}

    @http("GET", "/api/v1/units/<string:unit_id>/scope", roles=ANYONE, response=ScopeOut, errors=(404,),
          tag="units", summary="A unit and every unit below it")
    def unit_scope(self, request, caller, unit_id):
        return {"unit_id": unit_id, "unit_ids": self.registry.scope_of(unit_id)}

    # --- honourees and honours ----------------------------------------------------------------

    @http("GET", "/api/v1/honourees", roles=ANYONE, query=HonoureeSearchSchema, response=responses.SearchPageOut,
          tag="honourees", summary="Search the honourees in your scope, page by page")
    def search_honourees(self, request, caller, query):
        return self.registry.search_honourees(caller.actor.to_dict(), query)

    @http("POST", "/api/v1/honourees", roles=OFFICERS, body=NewHonoureeSchema, response=responses.HonoureeOut,
          status=201, errors=(404, 409), tag="honourees",
          summary="Enter an honouree (录入), with honours; a retry with the same request_id changes nothing")
    def register_honouree(self, request, caller, body):
        return 201, self.registry.register_honouree(caller.actor.to_dict(), body)

    @http("GET", "/api/v1/honourees/<string:honouree_id>", roles=ANYONE, response=responses.HonoureeOut,
          errors=NOT_IN_SCOPE, tag="honourees",
          summary="An honouree's whole record with its honours; personal data masked without the right")
    def get_honouree(self, request, caller, honouree_id):
        return self.registry.get_honouree(caller.actor.to_dict(), honouree_id)

    @http("PATCH", "/api/v1/honourees/<string:honouree_id>", roles=OFFICERS, body=HonoureeChangesSchema,
          response=responses.HonoureeOut, errors=STATE, tag="honourees",
          summary="Correct an honouree's record (the managing unit)")
    def correct_honouree(self, request, caller, honouree_id, body):
        return self.registry.correct_honouree(caller.actor.to_dict(), honouree_id, body)

    @http("GET", "/api/v1/honourees/<string:honouree_id>/audit", roles=AUDITORS, response=AuditTrailOut,
          errors=NOT_IN_SCOPE, tag="honourees", summary="The audit trail of an honouree's record")
    def honouree_audit(self, request, caller, honouree_id):
        return {"items": self.registry.audit_trail(caller.actor.to_dict(), "honouree", honouree_id)}

    @http("POST", "/api/v1/honourees/<string:honouree_id>/honours", roles=OFFICERS, body=HonourInputSchema,
          response=responses.HonourOut, status=201, errors=STATE, tag="honourees",
          summary="Enter an honour conferred on an honouree")
    def confer_honour(self, request, caller, honouree_id, body):
        return 201, self.registry.confer_honour(caller.actor.to_dict(), honouree_id, body)

    @http("GET", "/api/v1/honour-types", roles=ANYONE, response=HonourTypesOut, tag="honourees",
          summary="The honour types (荣誉称号) laomo knows")
    def list_honour_types(self, request, caller):
        return {"items": self.registry.list_honour_types()}

    @http("GET", "/api/v1/honourees/export", roles=EXPORTERS, query=HonoureeFilterSchema, tag="import and export",
          response=("text/csv", responses.ExportOut), summary="The honourees in your scope matching the filters, as CSV")
    def export_honourees(self, request, caller, query):
        text = self.registry.export_honourees(caller.actor.to_dict(), query)
        return Response(text.encode("utf-8"), content_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": 'attachment; filename="honourees.csv"'})

    @http("POST", "/api/v1/honourees/import", roles=OFFICERS, query=ImportQuery, body=CSV_BODY,
          response=responses.ImportReportOut, tag="import and export",
          summary="Check a CSV of honourees (dry_run, the default) or enter all of them or none")
    def import_honourees(self, request, caller, query, body):
        dry_run = ImportQuery().load(query)["dry_run"]
        return self.registry.within(max(60, self.registry.timeout)).import_honourees(
            caller.actor.to_dict(), csv_text=body, dry_run=dry_run)

    @http("GET", "/api/v1/statistics", roles=ANYONE, query=HonoureeFilterSchema,
          response=responses.StatisticsOut, tag="honourees",
          summary="The team in your scope against its target, and its make-up")
    def statistics(self, request, caller, query):
        return self.registry.statistics(caller.actor.to_dict(), query)

    # --- annual verification (年度更新) and major-change reports (重大变化) ------------------------

    @http("POST", "/api/v1/honourees/<string:honouree_id>/verification", roles=OFFICERS,
          body=VerificationSchema, response=responses.VerificationOut, errors=STATE, tag="verification",
          summary="This year's verification: confirmed, or corrected")
    def verify_honouree(self, request, caller, honouree_id, body):
        return self.registry.verify_honouree(caller.actor.to_dict(), honouree_id, body)

    @http("GET", "/api/v1/verification/overdue", roles=ANYONE, query=OverdueQuerySchema,
          response=responses.OverduePageOut, tag="verification", summary="Records in your scope not yet verified this year")
    def overdue_verifications(self, request, caller, query):
        return self.registry.overdue_verifications(caller.actor.to_dict(), query)

    @http("GET", "/api/v1/verification/progress", roles=ANYONE, query=ProgressQuery,
          response=responses.ProgressOut, tag="verification",
          summary="Per managing unit in your scope: records due, verified, rate")
    def verification_progress(self, request, caller, query):
        return self.registry.verification_progress(caller.actor.to_dict(), ProgressQuery().load(query).get("year"))

    @http("POST", "/api/v1/honourees/<string:honouree_id>/change-reports", roles=OFFICERS,
          body=ChangeReportSchema, response=responses.ChangeReportOut, status=201, errors=STATE,
          tag="verification", summary="Report a major change, escalated one tier up")
    def report_change(self, request, caller, honouree_id, body):
        return 201, self.registry.report_change(caller.actor.to_dict(), honouree_id, body)

    @http("POST", "/api/v1/change-reports/<string:report_id>/acknowledge", roles=OFFICERS,
          response=responses.AcknowledgedChangeOut, errors=STATE, tag="verification",
          summary="Acknowledge a change report sent to your unit")
    def acknowledge_change(self, request, caller, report_id):
        return self.registry.acknowledge_change(caller.actor.to_dict(), report_id)

    @http("GET", "/api/v1/todo", roles=ANYONE, query=TodoQuerySchema, response=responses.TodoPageOut, tag="verification",
          summary="Your unit's to-do items (待办), oldest first")
    def list_todo(self, request, caller, query):
        return self.registry.list_todo(caller.actor.to_dict(), query)

    # --- transfers (管理关系转移) ----------------------------------------------------------------

    @http("POST", "/api/v1/honourees/<string:honouree_id>/transfers", roles=OFFICERS,
          body=TransferRequestSchema, response=responses.TransferOut, status=201, errors=STATE,
          tag="transfers", summary="Ask to move a record's management to another unit")
    def request_transfer(self, request, caller, honouree_id, body):
        return 201, self.registry.request_transfer(caller.actor.to_dict(), honouree_id, body)

    @http("POST", "/api/v1/transfers/<string:transfer_id>/accept", roles=OFFICERS,
          response=responses.TransferOut, errors=STATE, tag="transfers",
          summary="Accept a transfer (the side that did not ask)")
    def accept_transfer(self, request, caller, transfer_id):
        return self.registry.accept_transfer(caller.actor.to_dict(), transfer_id)

    @http("POST", "/api/v1/transfers/<string:transfer_id>/reject", roles=OFFICERS,
          body=TransferRejectionSchema, response=responses.TransferOut, errors=STATE, tag="transfers",
          summary="Reject a transfer, with a reason")
    def reject_transfer(self, request, caller, transfer_id, body):
        return self.registry.reject_transfer(caller.actor.to_dict(), transfer_id, body["reason"])

    @http("POST", "/api/v1/transfers/<string:transfer_id>/cancel", roles=OFFICERS,
          body=TransferRejectionSchema, response=responses.TransferOut, errors=STATE, tag="transfers",
          summary="Take back a pending transfer your unit asked for, with the reason")
    def cancel_transfer(self, request, caller, transfer_id, body):
        return self.registry.cancel_transfer(caller.actor.to_dict(), transfer_id, body["reason"])

    @http("GET", "/api/v1/transfers", roles=ANYONE, query=TransferQuerySchema, response=responses.TransferPageOut,
          tag="transfers", summary="Transfers in which your unit is either side")
    def list_transfers(self, request, caller, query):
        return self.registry.list_transfers(caller.actor.to_dict(), query)

    # --- revocation (退出机制) -------------------------------------------------------------------

    @http("POST", "/api/v1/honours/<string:honour_id>/revocations", roles=OFFICERS,
          body=RevocationReasonsSchema, response=responses.RevocationOut, status=201, errors=STATE,
          tag="revocations", summary="Ask for an honour to be revoked (the managing unit)")
    def request_revocation(self, request, caller, honour_id, body):
        return 201, self.registry.request_revocation(caller.actor.to_dict(), honour_id, body)

    @http("POST", "/api/v1/revocations/<string:revocation_id>/endorse", roles=REVIEWERS,
          body=RevocationReasonsSchema, response=responses.RevocationOut, errors=STATE, tag="revocations",
          summary="Support a request waiting at your unit: it goes one tier up")
    def endorse_revocation(self, request, caller, revocation_id, body):
        return self.registry.endorse_revocation(caller.actor.to_dict(), revocation_id, body)

    @http("POST", "/api/v1/revocations/<string:revocation_id>/refuse", roles=REVIEWERS,
          body=RevocationReasonsSchema, response=responses.RevocationOut, errors=STATE, tag="revocations",
          summary="Turn down a request waiting at your unit")
    def refuse_revocation(self, request, caller, revocation_id, body):
        return self.registry.refuse_revocation(caller.actor.to_dict(), revocation_id, body)

    @http("POST", "/api/v1/revocations/<string:revocation_id>/decide", roles=REVIEWERS,
          body=RevocationDecisionSchema, response=responses.RevocationOut, errors=STATE, tag="revocations",
          summary="The deciding unit's decision: revoke or refuse")
    def decide_revocation(self, request, caller, revocation_id, body):
        return self.registry.decide_revocation(caller.actor.to_dict(), revocation_id, body)

    @http("GET", "/api/v1/revocations/<string:revocation_id>", roles=ANYONE, response=responses.RevocationOut,
          errors=NOT_IN_SCOPE, tag="revocations", summary="One revocation request with its steps")
    def get_revocation(self, request, caller, revocation_id):
        return self.registry.get_revocation(caller.actor.to_dict(), revocation_id)

    @http("GET", "/api/v1/revocations", roles=ANYONE, query=RevocationQuerySchema, response=responses.RevocationPageOut,
          tag="revocations", summary="Revocation requests your unit may see, newest first")
    def list_revocations(self, request, caller, query):
        return self.registry.list_revocations(caller.actor.to_dict(), query)


