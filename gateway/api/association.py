"""Routes of the model-worker association (劳模协会) over HTTP: real-name membership (实名入会) and
innovation studios (劳模创新工作室).

Officers enrol a living honouree with an active honour (the registry says) and record leaving,
with the reason; anyone signed in reads the memberships in scope and their history. A membership
ends by itself when its holder's last active honour is revoked (the service's event handler).
Officers apply for studios and complete the evidence of the six criteria (六有); the city
federation's reviewers recognise or decline them (403 for another unit's reviewers).
Officers submit honourees' suggestions (建言献策直通车); the city federation accepts or declines them
(reviewers), transfers them to a handling body and records the answer (officers), and commends
excellent ones (reviewers); anyone signed in reads them and the overdue list in scope.
Learning and exchange events are shared: officers of any unit create them and sign up eligible
honourees of their scope, and cancel those sign-ups before the event begins; the organiser marks
attendance (403 for another unit). The organs
(council and standing council by term, sector committees, branches, troupes) are read by everyone;
the city sets up all but branches, a unit its branches; seats go to active members of the association.
"""
from marshmallow import Schema, fields

from services.association.responses.learning import (
    ExchangeCountOut,
    LearningEventOut,
    LearningEventPageOut,
    SignupOut,
    SignupPageOut,
)
from services.association.responses.membership import (
    MembershipHistoryEntryOut,
    MembershipOut,
    MembershipPageOut,
)
from services.association.responses.organs import OrganOut, OrganPageOut
from services.association.responses.research import ResearchPageOut, ResearchResultOut
from services.association.responses.studios import (
    RecognitionCountOut,
    StudioOut,
    StudioPageOut,
)
from services.association.responses.suggestions import SuggestionOut, SuggestionPageOut
from services.association.schemas.learning import (
    AttendanceSchema,
    CancelSignupSchema,
    ExchangeCountQuerySchema,
    LearningEventQuerySchema,
    NewLearningEventSchema,
    SignupQuerySchema,
    SignupSchema,
)
from services.association.schemas.membership import (
    JoinSchema,
    LeaveSchema,
    MembershipQuerySchema,
)
from services.association.schemas.organs import (
    EndSeatSchema,
    NewOrganSchema,
    OrganQuerySchema,
    SeatChangeSchema,
    SeatSchema,
)
from services.association.schemas.research import (
    NewResearchResultSchema,
    ResearchQuerySchema,
)
from services.association.schemas.studios import (
    AssessmentSchema,
    DeclineSchema,
    EvidenceChangesSchema,
    NewStudioSchema,
    RecognitionCountQuerySchema,
    RecognitionSchema,
    StudioQuerySchema,
)
from services.association.schemas.suggestions import (
    AnswerSchema,
    NewSuggestionSchema,
    NoteSchema,
    OverdueQuerySchema,
    ReasonSchema,
    SuggestionQuerySchema,
    TransferSchema,
)

from ..http import http
from ..roles import ANYONE, OFFICERS, REVIEWERS

TAG = "association"
STATE = (404, 409)


class MembershipHistoryOut(Schema):
    """Who changed the membership, when, from what to what; oldest first."""

    items = fields.List(fields.Nested(MembershipHistoryEntryOut), required=True)


class AssociationRoutes:
    """Mixed into GatewayService: needs ``association`` (an RpcClient)."""

    # --- real-name membership (实名入会) -------------------------------------------------------

    @http("GET", "/api/v1/memberships", roles=ANYONE, query=MembershipQuerySchema, response=MembershipPageOut,
          errors=(404,), tag=TAG,
          summary="The association's memberships in your scope, newest first (status, unit, district, "
                  "joined year)")
    def list_memberships(self, request, caller, query):
        return self.association.list_memberships(caller.actor.to_dict(), query)

    @http("POST", "/api/v1/memberships", roles=OFFICERS, body=JoinSchema, response=MembershipOut, status=201,
          errors=STATE, tag=TAG,
          summary="Enrol an honouree in your scope (实名入会): living, with an active honour; 409 naming what is "
                  "missing or the membership in force; a retry with the same request_id returns the first")
    def join_association(self, request, caller, body):
        return 201, self.association.join_association(caller.actor.to_dict(), body)["membership"]

    @http("GET", "/api/v1/memberships/<string:membership_id>", roles=ANYONE, response=MembershipOut, tag=TAG,
          summary="A membership: active, left (with the reason) or ended on a revocation")
    def get_membership(self, request, caller, membership_id):
        return self.association.get_membership(caller.actor.to_dict(), membership_id)

    @http("POST", "/api/v1/memberships/<string:membership_id>/leave", roles=OFFICERS, body=LeaveSchema,
          response=MembershipOut, errors=STATE, tag=TAG,
          summary="The member leaves the association (退会), with the reason; 409 unless active")
    def leave_association(self, request, caller, membership_id, body):
        return self.association.leave_association(caller.actor.to_dict(), membership_id, body)

    @http("GET", "/api/v1/memberships/<string:membership_id>/history", roles=ANYONE,
          response=MembershipHistoryOut, tag=TAG,
          summary="The history of a membership: joined, left, ended, moved with a transfer; oldest first")
    def membership_history(self, request, caller, membership_id):
        return {"items": self.association.membership_history(caller.actor.to_dict(), membership_id)}

    # --- innovation studios (劳模创新工作室) ----------------------------------------------------

    @http("GET", "/api/v1/studios", roles=ANYONE, query=StudioQuerySchema, response=StudioPageOut, errors=(404,),
          tag=TAG, summary="Innovation studios applied by units in your scope, newest first (status, level, "
                           "year recognised, unit)")
    def list_studios(self, request, caller, query):
        return self.association.list_studios(caller.actor.to_dict(), query)

    @http("POST", "/api/v1/studios", roles=OFFICERS, body=NewStudioSchema, response=StudioOut, status=201,
          errors=STATE, tag=TAG,
          summary="Apply for an innovation studio of a unit in your scope, led by an eligible honouree, with "
                  "the evidence of the six criteria (六有); a retry with the same request_id returns the first")
    def apply_for_studio(self, request, caller, body):
        return 201, self.association.apply_for_studio(caller.actor.to_dict(), body)["studio"]

    @http("GET", "/api/v1/studios/recognitions", roles=ANYONE, query=RecognitionCountQuerySchema,
          response=RecognitionCountOut, tag=TAG,
          summary="A year's recognitions in your scope by level; city-level ones against the target of about 50")
    def studio_recognitions(self, request, caller, query):
        return self.association.studio_recognitions(caller.actor.to_dict(), query)

    @http("GET", "/api/v1/studios/<string:studio_id>", roles=ANYONE, response=StudioOut, tag=TAG,
          summary="An innovation studio: its evidence, what is missing, the city's decision")
    def get_studio(self, request, caller, studio_id):
        return self.association.get_studio(caller.actor.to_dict(), studio_id)

    @http("PATCH", "/api/v1/studios/<string:studio_id>/evidence", roles=OFFICERS, body=EvidenceChangesSchema,
          response=StudioOut, errors=STATE, tag=TAG,
          summary="Give, replace or take away the evidence of some of the six criteria while the application waits")
    def change_studio_evidence(self, request, caller, studio_id, body):
        return self.association.change_studio_evidence(caller.actor.to_dict(), studio_id, body)

    @http("POST", "/api/v1/studios/<string:studio_id>/recognise", roles=REVIEWERS, body=RecognitionSchema,
          response=StudioOut, errors=(403, 404, 409), tag=TAG,
          summary="The city recognises the studio at a level in a year; 409 naming each missing criterion")
    def recognise_studio(self, request, caller, studio_id, body):
        return self.association.recognise_studio(caller.actor.to_dict(), studio_id, body)

    @http("POST", "/api/v1/studios/<string:studio_id>/assessments", roles=REVIEWERS, body=AssessmentSchema,
          response=StudioOut, status=201, errors=(403, 404, 409), tag=TAG,
          summary="The city's yearly assessment of a recognised studio with the year's outputs (patents, "
                  "techniques, awards, economic benefit in fen); once a year")
    def assess_studio(self, request, caller, studio_id, body):
        return 201, self.association.assess_studio(caller.actor.to_dict(), studio_id, body)

    @http("POST", "/api/v1/studios/<string:studio_id>/decline", roles=REVIEWERS, body=DeclineSchema,
          response=StudioOut, errors=(403, 404, 409), tag=TAG,
          summary="The city declines the application, with the reason")
    def decline_studio(self, request, caller, studio_id, body):
        return self.association.decline_studio(caller.actor.to_dict(), studio_id, body)

    # --- the suggestion express lane (建言献策直通车) -------------------------------------------

    @http("GET", "/api/v1/suggestions", roles=ANYONE, query=SuggestionQuerySchema, response=SuggestionPageOut,
          errors=(404,), tag=TAG, summary="Suggestions submitted in your scope, newest first (status, category, "
                                          "year, commended, unit)")
    def list_suggestions(self, request, caller, query):
        return self.association.list_suggestions(caller.actor.to_dict(), query)

    @http("POST", "/api/v1/suggestions", roles=OFFICERS, body=NewSuggestionSchema, response=SuggestionOut,
          status=201, errors=STATE, tag=TAG,
          summary="Submit a suggestion proposed by eligible honourees in your scope; a retry with the same "
                  "request_id returns the first")
    def submit_suggestion(self, request, caller, body):
        return 201, self.association.submit_suggestion(caller.actor.to_dict(), body)["suggestion"]

    @http("GET", "/api/v1/suggestions/overdue", roles=ANYONE, query=OverdueQuerySchema, response=SuggestionPageOut,
          tag=TAG, summary="Transferred suggestions in your scope past their deadline without an answer, the "
                           "longest late first")
    def overdue_suggestions(self, request, caller, query):
        return self.association.overdue_suggestions(caller.actor.to_dict(), query)

    @http("GET", "/api/v1/suggestions/<string:suggestion_id>", roles=ANYONE, response=SuggestionOut, tag=TAG,
          summary="A suggestion, its handling and whether it is overdue")
    def get_suggestion(self, request, caller, suggestion_id):
        return self.association.get_suggestion(caller.actor.to_dict(), suggestion_id)

    @http("POST", "/api/v1/suggestions/<string:suggestion_id>/accept", roles=REVIEWERS, body=NoteSchema,
          response=SuggestionOut, errors=(403, 404, 409), tag=TAG, summary="The city accepts a submitted suggestion")
    def accept_suggestion(self, request, caller, suggestion_id, body):
        return self.association.accept_suggestion(caller.actor.to_dict(), suggestion_id, body)

    @http("POST", "/api/v1/suggestions/<string:suggestion_id>/decline", roles=REVIEWERS, body=ReasonSchema,
          response=SuggestionOut, errors=(403, 404, 409), tag=TAG,
          summary="The city declines a submitted suggestion, with the reason")
    def decline_suggestion(self, request, caller, suggestion_id, body):
        return self.association.decline_suggestion(caller.actor.to_dict(), suggestion_id, body)

    @http("POST", "/api/v1/suggestions/<string:suggestion_id>/transfer", roles=OFFICERS, body=TransferSchema,
          response=SuggestionOut, errors=(403, 404, 409), tag=TAG,
          summary="The city transfers an accepted suggestion to a handling body, its answer due by the deadline")
    def transfer_suggestion(self, request, caller, suggestion_id, body):
        return self.association.transfer_suggestion(caller.actor.to_dict(), suggestion_id, body)

    @http("POST", "/api/v1/suggestions/<string:suggestion_id>/answer", roles=OFFICERS, body=AnswerSchema,
          response=SuggestionOut, errors=(403, 404, 409), tag=TAG,
          summary="The city records the handling body's answer and the feedback on it")
    def answer_suggestion(self, request, caller, suggestion_id, body):
        return self.association.answer_suggestion(caller.actor.to_dict(), suggestion_id, body)

    @http("POST", "/api/v1/suggestions/<string:suggestion_id>/commend", roles=REVIEWERS, body=NoteSchema,
          response=SuggestionOut, errors=(403, 404, 409), tag=TAG,
          summary="The city commends an answered suggestion as excellent (优秀建言)")
    def commend_suggestion(self, request, caller, suggestion_id, body):
        return self.association.commend_suggestion(caller.actor.to_dict(), suggestion_id, body)

    # --- learning and exchanges (劳模大讲堂、培训、交流) ------------------------------------------

    @http("GET", "/api/v1/learning-events", roles=ANYONE, query=LearningEventQuerySchema,
          response=LearningEventPageOut, tag=TAG,
          summary="Learning and exchange events (shared), latest first (kind, year)")
    def list_learning_events(self, request, caller, query):
        return self.association.list_learning_events(caller.actor.to_dict(), query)

    @http("POST", "/api/v1/learning-events", roles=OFFICERS, body=NewLearningEventSchema, response=LearningEventOut,
          status=201, tag=TAG, summary="Create a lecture, salon, training or degree class, or an exchange, "
                                       "organised by your unit")
    def create_learning_event(self, request, caller, body):
        return 201, self.association.create_learning_event(caller.actor.to_dict(), body)["event"]

    @http("GET", "/api/v1/learning-events/exchange-participants", roles=ANYONE, query=ExchangeCountQuerySchema,
          response=ExchangeCountOut, tag=TAG,
          summary="Honourees in your scope who attended an international or HK/Macao/Taiwan exchange in the "
                  "year, against the target of 100")
    def exchange_participants(self, request, caller, query):
        return self.association.exchange_participants(caller.actor.to_dict(), query)

    @http("GET", "/api/v1/learning-events/<string:event_id>", roles=ANYONE, response=LearningEventOut, tag=TAG,
          summary="A learning or exchange event, with how many signed up and attended")
    def get_learning_event(self, request, caller, event_id):
        return self.association.get_learning_event(caller.actor.to_dict(), event_id)

    @http("GET", "/api/v1/learning-events/<string:event_id>/signups", roles=ANYONE, query=SignupQuerySchema,
          response=SignupPageOut, tag=TAG,
          summary="The event's sign-ups: all for the organiser's scope, else your own people's")
    def learning_signups(self, request, caller, event_id, query):
        return self.association.learning_signups(caller.actor.to_dict(), event_id, query)

    @http("POST", "/api/v1/learning-events/<string:event_id>/signups", roles=OFFICERS, body=SignupSchema,
          response=SignupOut, status=201, errors=STATE, tag=TAG,
          summary="Sign up an eligible honouree in your scope; 409 when full, twice or not eligible")
    def sign_up_for_learning(self, request, caller, event_id, body):
        return 201, self.association.sign_up_for_learning(caller.actor.to_dict(), event_id, body)

    @http("POST", "/api/v1/learning-events/<string:event_id>/signups/<string:honouree_id>/cancel", roles=OFFICERS,
          body=CancelSignupSchema, response=SignupOut, errors=(403, 404, 409), tag=TAG,
          summary="Cancel a person's sign-up before the event begins (officers of the person's managing unit "
                  "or above), with an optional reason; the sign-up stays as cancelled; 409 once cancelled or begun")
    def cancel_learning_signup(self, request, caller, event_id, honouree_id, body):
        return self.association.cancel_learning_signup(caller.actor.to_dict(), event_id, honouree_id, body)

    @http("POST", "/api/v1/learning-events/<string:event_id>/attendance", roles=OFFICERS, body=AttendanceSchema,
          response=LearningEventOut, errors=(403, 404, 409), tag=TAG,
          summary="The organiser marks who attended, once the event has begun")
    def mark_learning_attendance(self, request, caller, event_id, body):
        return self.association.mark_learning_attendance(caller.actor.to_dict(), event_id, body)

    # --- organs: council, standing council, sector committees, branches, troupes ---------------

    @http("GET", "/api/v1/organs", roles=ANYONE, query=OrganQuerySchema, response=OrganPageOut, tag=TAG,
          summary="The association's organs (shared) with their members, newest first (kind, term, unit)")
    def list_organs(self, request, caller, query):
        return self.association.list_organs(caller.actor.to_dict(), query)

    @http("POST", "/api/v1/organs", roles=OFFICERS, body=NewOrganSchema, response=OrganOut, status=201,
          errors=(403, 404, 409), tag=TAG,
          summary="Set up a council or standing council of a term, a sector committee or a troupe (the city), or "
                  "a branch of a unit in your scope")
    def create_organ(self, request, caller, body):
        return 201, self.association.create_organ(caller.actor.to_dict(), body)["organ"]

    @http("GET", "/api/v1/organs/<string:organ_id>", roles=ANYONE, response=OrganOut, tag=TAG,
          summary="An organ and its members with their positions")
    def get_organ(self, request, caller, organ_id):
        return self.association.get_organ(caller.actor.to_dict(), organ_id)

    @http("POST", "/api/v1/organs/<string:organ_id>/members", roles=OFFICERS, body=SeatSchema, response=OrganOut,
          status=201, errors=(403, 404, 409), tag=TAG,
          summary="Give an active member of the association in your scope a seat and a position")
    def add_organ_member(self, request, caller, organ_id, body):
        return 201, self.association.add_organ_member(caller.actor.to_dict(), organ_id, body)

    @http("POST", "/api/v1/organs/<string:organ_id>/members/<string:honouree_id>/end", roles=OFFICERS,
          body=EndSeatSchema, response=OrganOut, errors=(403, 404, 409), tag=TAG,
          summary="End a seat with the reason and date; the ended seat stays on the organ as history")
    def end_organ_seat(self, request, caller, organ_id, honouree_id, body):
        return self.association.end_organ_seat(caller.actor.to_dict(), organ_id, honouree_id, body)

    @http("PATCH", "/api/v1/organs/<string:organ_id>/members/<string:honouree_id>", roles=OFFICERS,
          body=SeatChangeSchema, response=OrganOut, errors=(403, 404, 409), tag=TAG,
          summary="Change an active seat's position (one president, secretary-general or head per organ)")
    def change_organ_seat(self, request, caller, organ_id, honouree_id, body):
        return self.association.change_organ_seat(caller.actor.to_dict(), organ_id, honouree_id, body)

    # --- the yearly research results (调研成果) of the suggestion express lane ------------------

    @http("GET", "/api/v1/research-results", roles=ANYONE, query=ResearchQuerySchema, response=ResearchPageOut,
          tag=TAG, summary="The research results (shared), newest first; a year's set and its count with `year`")
    def list_research_results(self, request, caller, query):
        return self.association.list_research_results(caller.actor.to_dict(), query)

    @http("POST", "/api/v1/research-results", roles=OFFICERS, body=NewResearchResultSchema,
          response=ResearchResultOut, status=201, errors=(403, 404), tag=TAG,
          summary="The city records a research result by honourees, perhaps grown from suggestions")
    def record_research_result(self, request, caller, body):
        return 201, self.association.record_research_result(caller.actor.to_dict(), body)["result"]

    @http("GET", "/api/v1/research-results/<string:result_id>", roles=ANYONE, response=ResearchResultOut, tag=TAG,
          summary="One research result")
    def get_research_result(self, request, caller, result_id):
        return self.association.get_research_result(caller.actor.to_dict(), result_id)
