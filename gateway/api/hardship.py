"""Routes of hardship aid (困难帮扶) and sick visits (看望生病劳模).

Officers apply and record visits; reviewers review, approve (over the threshold: the tier above the
honouree's managing unit, else 403 naming it) and refuse; finance pays; the applicant unit's
officers cancel; anyone signed in reads what is in scope (an application or a visit belongs to
the honouree's managing unit when it was made, and to the units above it). The supporting facts
and the visits' notes are personal data: "***" without the personal-data right.
"""
from marshmallow import Schema, fields

from services.welfare.responses.hardship import (
    HardshipApplicationOut,
    HardshipApplicationPageOut,
    HardshipAuditEntryOut,
    SickVisitOut,
    SickVisitPageOut,
)
from services.welfare.schemas.hardship import (
    HardshipApprovalSchema,
    HardshipCancellationSchema,
    HardshipNoteSchema,
    HardshipQuerySchema,
    HardshipRefusalSchema,
    NewHardshipApplicationSchema,
    NewSickVisitSchema,
    SickVisitQuerySchema,
)

from ..http import http
from ..roles import ANYONE, AUDITORS, FINANCE, OFFICERS, REVIEWERS

TAG = "welfare"
APPLICATION = "/api/v1/hardship-applications/<string:application_id>"


class HardshipAuditOut(Schema):
    """Who changed the application, when, from what to what (the facts always masked); oldest first."""

    items = fields.List(fields.Nested(HardshipAuditEntryOut), required=True)


class HardshipRoutes:
    """Mixed into GatewayService: needs ``welfare`` (an RpcClient)."""

    # --- hardship aid --------------------------------------------------------------------------

    @http("GET", "/api/v1/hardship-applications", roles=ANYONE, query=HardshipQuerySchema,
          response=HardshipApplicationPageOut, tag=TAG,
          summary="Hardship aid applications (困难帮扶) in your scope, newest first")
    def list_hardship_applications(self, request, caller, query):
        return self.welfare.list_hardship_applications(caller.actor.to_dict(), query)

    @http("POST", "/api/v1/hardship-applications", roles=OFFICERS, body=NewHardshipApplicationSchema,
          response=HardshipApplicationOut, status=201, errors=(404, 409), tag=TAG,
          summary="Apply for hardship aid for an eligible honouree in your scope; a retry with the same "
                  "request_id returns the first application")
    def apply_hardship_aid(self, request, caller, body):
        return 201, self.welfare.apply_hardship_aid(caller.actor.to_dict(), body)["application"]

    @http("GET", APPLICATION, roles=ANYONE, response=HardshipApplicationOut, tag=TAG,
          summary="A hardship aid application with its steps")
    def get_hardship_application(self, request, caller, application_id):
        return self.welfare.get_hardship_application(caller.actor.to_dict(), application_id)

    @http("POST", APPLICATION + "/review", roles=REVIEWERS, body=HardshipNoteSchema,
          response=HardshipApplicationOut, errors=(409,), tag=TAG,
          summary="Review a submitted application (the managing unit or a unit above it)")
    def review_hardship_application(self, request, caller, application_id, body):
        return self.welfare.review_hardship_application(caller.actor.to_dict(), application_id, body)

    @http("POST", APPLICATION + "/approve", roles=REVIEWERS, body=HardshipApprovalSchema,
          response=HardshipApplicationOut, errors=(409,), tag=TAG,
          summary="Approve a reviewed application: the amount is committed from the fund; above the threshold "
                  "only the tier above the managing unit (or higher) approves (403 naming it)")
    def approve_hardship_application(self, request, caller, application_id, body):
        return self.welfare.approve_hardship_application(caller.actor.to_dict(), application_id, body)

    @http("POST", APPLICATION + "/refuse", roles=REVIEWERS, body=HardshipRefusalSchema,
          response=HardshipApplicationOut, errors=(409,), tag=TAG,
          summary="Refuse an application not yet paid, with the reasons (final; a commitment made is voided)")
    def refuse_hardship_application(self, request, caller, application_id, body):
        return self.welfare.refuse_hardship_application(caller.actor.to_dict(), application_id, body)

    @http("POST", APPLICATION + "/pay", roles=FINANCE, body=HardshipNoteSchema,
          response=HardshipApplicationOut, errors=(409,), tag=TAG,
          summary="Pay an approved application from its fund (the commitment posted, once)")
    def pay_hardship_application(self, request, caller, application_id, body):
        return self.welfare.pay_hardship_application(caller.actor.to_dict(), application_id, body)

    @http("POST", APPLICATION + "/cancel", roles=OFFICERS, body=HardshipCancellationSchema,
          response=HardshipApplicationOut, errors=(409,), tag=TAG,
          summary="Cancel an application not yet paid (the applicant unit), with the reason")
    def cancel_hardship_application(self, request, caller, application_id, body):
        return self.welfare.cancel_hardship_application(caller.actor.to_dict(), application_id, body)

    @http("GET", APPLICATION + "/audit", roles=AUDITORS, response=HardshipAuditOut, tag=TAG,
          summary="The audit trail of a hardship aid application")
    def hardship_application_audit(self, request, caller, application_id):
        return {"items": self.welfare.hardship_application_audit(caller.actor.to_dict(), application_id)}

    # --- sick visits ---------------------------------------------------------------------------

    @http("GET", "/api/v1/sick-visits", roles=ANYONE, query=SickVisitQuerySchema, response=SickVisitPageOut,
          tag=TAG, summary="Sick visits (看望生病劳模) in your scope, newest first")
    def list_sick_visits(self, request, caller, query):
        return self.welfare.list_sick_visits(caller.actor.to_dict(), query)

    @http("POST", "/api/v1/sick-visits", roles=OFFICERS, body=NewSickVisitSchema, response=SickVisitOut,
          status=201, errors=(404, 409), tag=TAG,
          summary="Record a visit to a sick honouree in your scope, with money given from a fund (optional); "
                  "a retry with the same request_id returns the first visit")
    def record_sick_visit(self, request, caller, body):
        return 201, self.welfare.record_sick_visit(caller.actor.to_dict(), body)["visit"]

    @http("GET", "/api/v1/sick-visits/<string:visit_id>", roles=ANYONE, response=SickVisitOut, tag=TAG,
          summary="A sick visit")
    def get_sick_visit(self, request, caller, visit_id):
        return self.welfare.get_sick_visit(caller.actor.to_dict(), visit_id)
