"""Routes of the volunteer corps (首都劳模志愿服务团): its teams and volunteers, activities and sign-ups.

Officers keep the teams of units in their scope and who is in them, organise activities and sign
volunteers up, check them in and out and confirm their hours, and keep public-welfare projects; the city federation's finance
records donations to them into the mutual-aid fund; anyone signed in reads what is in scope (a team and its volunteers when the team's
unit is; an activity and its sign-ups when its organiser unit is). Outside it: 404.
"""
from werkzeug.wrappers import Response

from services.chassis.schemas import PageRequest
from services.volunteer.responses.activities import (
    ActivityCancelledOut,
    ActivityChangedOut,
    ActivityOut,
    ActivityPageOut,
    CancelledOut,
    SignupOut,
    SignupPageOut,
)
from services.volunteer.responses.attendance import (
    AttendanceOut,
    AttendancePageOut,
    RecordCsvOut,
    TotalsOut,
)
from services.volunteer.responses.corps import (
    TeamOut,
    TeamPageOut,
    VolunteerOut,
    VolunteerPageOut,
)
from services.volunteer.responses.projects import (
    DonationOut,
    DonationPageOut,
    ProjectOut,
    ProjectPageOut,
)
from services.volunteer.schemas.activities import (
    ActivityCancelSchema,
    ActivityChangesSchema,
    ActivityQuerySchema,
    ActivitySchema,
    CancelSchema,
    SignupQuerySchema,
    SignupSchema,
)
from services.volunteer.schemas.attendance import (
    AttendanceQuerySchema,
    CheckSchema,
    ConfirmSchema,
    TotalsQuerySchema,
)
from services.volunteer.schemas.corps import (
    EndSchema,
    JoinSchema,
    TeamChangesSchema,
    TeamQuerySchema,
    TeamSchema,
    VolunteerChangesSchema,
    VolunteerQuerySchema,
)
from services.volunteer.schemas.projects import (
    DonationSchema,
    ProjectQuerySchema,
    ProjectSchema,
)

from ..http import http
from ..roles import ANYONE, EXPORTERS, FINANCE, OFFICERS

TAG = "volunteer"
STATE = (404, 409)


class VolunteerRoutes:
    """Mixed into GatewayService: needs ``volunteer`` (an RpcClient)."""

    # --- teams -------------------------------------------------------------------------------

    @http("GET", "/api/v1/volunteer-teams", roles=ANYONE, query=TeamQuerySchema, response=TeamPageOut,
          errors=(404,), tag=TAG, summary="The corps' teams (志愿服务队) in your scope, by unit and name")
    def list_volunteer_teams(self, request, caller, query):
        return self.volunteer.list_teams(caller.actor.to_dict(), query)

    @http("POST", "/api/v1/volunteer-teams", roles=OFFICERS, body=TeamSchema, response=TeamOut, status=201,
          tag=TAG, summary="A new team of a unit in your scope: a district's (its district union) or a "
                           "profession's; a retry with the same request_id returns the first team")
    def create_volunteer_team(self, request, caller, body):
        return 201, self.volunteer.create_team(caller.actor.to_dict(), body)

    @http("GET", "/api/v1/volunteer-teams/<string:team_id>", roles=ANYONE, response=TeamOut, tag=TAG,
          summary="A team of the corps, with its number of active volunteers")
    def get_volunteer_team(self, request, caller, team_id):
        return self.volunteer.get_team(caller.actor.to_dict(), team_id)

    @http("PATCH", "/api/v1/volunteer-teams/<string:team_id>", roles=OFFICERS, body=TeamChangesSchema,
          response=TeamOut, tag=TAG, summary="Change a team's name, description, or whether it admits other "
                                              "people than honourees")
    def update_volunteer_team(self, request, caller, team_id, body):
        return self.volunteer.update_team(caller.actor.to_dict(), team_id, body)

    @http("POST", "/api/v1/volunteer-teams/<string:team_id>/volunteers", roles=OFFICERS, body=JoinSchema,
          response=VolunteerOut, status=201, errors=STATE, tag=TAG,
          summary="A volunteer joins the team: an eligible honouree in your scope, or another person where the "
                  "team admits them; 409 naming an active membership; a retry with the same request_id returns "
                  "the first")
    def enrol_volunteer(self, request, caller, team_id, body):
        return 201, self.volunteer.enrol_volunteer(caller.actor.to_dict(), dict(body, team_id=team_id))

    # --- volunteers --------------------------------------------------------------------------

    @http("GET", "/api/v1/volunteers", roles=ANYONE, query=VolunteerQuerySchema, response=VolunteerPageOut,
          tag=TAG, summary="The volunteers (志愿者) of the teams in your scope, by team and joining time")
    def list_volunteers(self, request, caller, query):
        return self.volunteer.list_volunteers(caller.actor.to_dict(), query)

    @http("GET", "/api/v1/volunteers/<string:volunteer_id>", roles=ANYONE, response=VolunteerOut, tag=TAG,
          summary="A volunteer's membership, skills and availability")
    def get_volunteer(self, request, caller, volunteer_id):
        return self.volunteer.get_volunteer(caller.actor.to_dict(), volunteer_id)

    @http("PATCH", "/api/v1/volunteers/<string:volunteer_id>", roles=OFFICERS, body=VolunteerChangesSchema,
          response=VolunteerOut, errors=STATE, tag=TAG,
          summary="Replace an active volunteer's skills and/or availability")
    def update_volunteer(self, request, caller, volunteer_id, body):
        return self.volunteer.update_volunteer(caller.actor.to_dict(), volunteer_id, body)

    @http("POST", "/api/v1/volunteers/<string:volunteer_id>/end", roles=OFFICERS, body=EndSchema,
          response=VolunteerOut, errors=STATE, tag=TAG,
          summary="End an active membership, with the reason; the record stays")
    def end_volunteer(self, request, caller, volunteer_id, body):
        return self.volunteer.end_volunteer(caller.actor.to_dict(), volunteer_id, body)

    # --- activities and sign-ups -------------------------------------------------------------

    @http("GET", "/api/v1/volunteer-activities", roles=ANYONE, query=ActivityQuerySchema, response=ActivityPageOut,
          tag=TAG, summary="The activities (志愿服务活动) organised in your scope, by starting time")
    def list_volunteer_activities(self, request, caller, query):
        return self.volunteer.list_activities(caller.actor.to_dict(), query)

    @http("POST", "/api/v1/volunteer-activities", roles=OFFICERS, body=ActivitySchema, response=ActivityOut,
          status=201, tag=TAG, summary="A new activity (a draft) organised by a unit in your scope; a retry with "
                                       "the same request_id returns the first")
    def create_volunteer_activity(self, request, caller, body):
        return 201, self.volunteer.create_activity(caller.actor.to_dict(), body)

    @http("GET", "/api/v1/volunteer-activities/<string:activity_id>", roles=ANYONE, response=ActivityOut, tag=TAG,
          summary="An activity with its places taken and its waitlist")
    def get_volunteer_activity(self, request, caller, activity_id):
        return self.volunteer.get_activity(caller.actor.to_dict(), activity_id)

    @http("POST", "/api/v1/volunteer-activities/<string:activity_id>/publish", roles=OFFICERS,
          response=ActivityOut, errors=STATE, tag=TAG, summary="Publish a draft activity: sign-up opens")
    def publish_volunteer_activity(self, request, caller, activity_id):
        return self.volunteer.publish_activity(caller.actor.to_dict(), activity_id)

    @http("PATCH", "/api/v1/volunteer-activities/<string:activity_id>", roles=OFFICERS, body=ActivityChangesSchema,
          response=ActivityChangedOut, errors=STATE, tag=TAG,
          summary="Change an activity that has not begun (title, place, description, time, capacity, required "
                  "skills); version guards against lost updates; capacity not below the places taken, more "
                  "places confirm the waitlist in order; clashes a new time makes are reported, not refused")
    def update_volunteer_activity(self, request, caller, activity_id, body):
        return self.volunteer.update_activity(caller.actor.to_dict(), activity_id, body)

    @http("POST", "/api/v1/volunteer-activities/<string:activity_id>/cancel", roles=OFFICERS,
          body=ActivityCancelSchema, response=ActivityCancelledOut, errors=STATE, tag=TAG,
          summary="Call off an activity that has not begun, with the reason: its sign-ups are cancelled with "
                  "it; 409 when cancelled already, begun, or someone has checked in")
    def cancel_volunteer_activity(self, request, caller, activity_id, body):
        return self.volunteer.cancel_activity(caller.actor.to_dict(), activity_id, body)

    @http("GET", "/api/v1/volunteer-activities/<string:activity_id>/signups", roles=ANYONE, query=SignupQuerySchema,
          response=SignupPageOut, tag=TAG, summary="An activity's sign-ups in the order they came")
    def list_volunteer_signups(self, request, caller, activity_id, query):
        return self.volunteer.list_signups(caller.actor.to_dict(), activity_id, query)

    @http("POST", "/api/v1/volunteer-activities/<string:activity_id>/signups", roles=OFFICERS, body=SignupSchema,
          response=SignupOut, status=201, errors=STATE, tag=TAG,
          summary="Sign an active volunteer in your scope up: confirmed while places are free, waitlisted "
                  "(候补) after; 409 when the person is signed up for another activity at the same time, lacks a "
                  "required skill, or the activity is not open")
    def sign_up_volunteer(self, request, caller, activity_id, body):
        return 201, self.volunteer.sign_up(caller.actor.to_dict(), activity_id, body)

    @http("GET", "/api/v1/volunteer-signups/<string:signup_id>", roles=ANYONE, response=SignupOut, tag=TAG,
          summary="A sign-up, with its place on the waitlist")
    def get_volunteer_signup(self, request, caller, signup_id):
        return self.volunteer.get_signup(caller.actor.to_dict(), signup_id)

    @http("POST", "/api/v1/volunteer-signups/<string:signup_id>/cancel", roles=OFFICERS, body=CancelSchema,
          response=CancelledOut, errors=STATE, tag=TAG,
          summary="Cancel a sign-up before the activity begins; a freed place goes to the waitlist's first")
    def cancel_volunteer_signup(self, request, caller, signup_id, body):
        return self.volunteer.cancel_signup(caller.actor.to_dict(), signup_id, body)

    # --- attendance, service hours, a volunteer's record -------------------------------------

    @http("POST", "/api/v1/volunteer-signups/<string:signup_id>/check-in", roles=OFFICERS, body=CheckSchema,
          response=AttendanceOut, status=201, errors=STATE, tag=TAG,
          summary="Check a confirmed sign-up's volunteer in (签到), from two hours before the activity until it ends")
    def check_in_volunteer(self, request, caller, signup_id, body):
        return 201, self.volunteer.check_in(caller.actor.to_dict(), signup_id, body)

    @http("POST", "/api/v1/volunteer-attendance/<string:attendance_id>/check-out", roles=OFFICERS, body=CheckSchema,
          response=AttendanceOut, errors=STATE, tag=TAG,
          summary="Check out (签退): the attendance proposes its minutes, which count only once confirmed")
    def check_out_volunteer(self, request, caller, attendance_id, body):
        return self.volunteer.check_out(caller.actor.to_dict(), attendance_id, body)

    @http("POST", "/api/v1/volunteer-attendance/<string:attendance_id>/confirm", roles=OFFICERS, body=ConfirmSchema,
          response=AttendanceOut, errors=STATE, tag=TAG,
          summary="The organiser confirms the proposed minutes, or fewer: from now on they count")
    def confirm_volunteer_hours(self, request, caller, attendance_id, body):
        return self.volunteer.confirm_hours(caller.actor.to_dict(), attendance_id, body)

    @http("GET", "/api/v1/volunteer-attendance/<string:attendance_id>", roles=ANYONE, response=AttendanceOut,
          tag=TAG, summary="An attendance (of an activity organised, or a volunteer, in your scope)")
    def get_volunteer_attendance(self, request, caller, attendance_id):
        return self.volunteer.get_attendance(caller.actor.to_dict(), attendance_id)

    @http("GET", "/api/v1/volunteer-activities/<string:activity_id>/attendance", roles=ANYONE,
          query=AttendanceQuerySchema, response=AttendancePageOut, tag=TAG,
          summary="An activity's attendances, by check-in time")
    def list_volunteer_attendance(self, request, caller, activity_id, query):
        return self.volunteer.list_attendance(caller.actor.to_dict(), activity_id, query)

    @http("GET", "/api/v1/volunteer-hours", roles=ANYONE, query=TotalsQuerySchema, response=TotalsOut,
          errors=(404,), tag=TAG,
          summary="Confirmed service hours (服务时长) of the volunteers in your scope, per volunteer, team, unit, "
                  "category or year")
    def volunteer_hour_totals(self, request, caller, query):
        return self.volunteer.hour_totals(caller.actor.to_dict(), query)

    @http("GET", "/api/v1/volunteers/<string:volunteer_id>/record", roles=EXPORTERS,
          response=("text/csv", RecordCsvOut), tag=TAG,
          summary="A volunteer's service record as CSV: the person's attendances in your scope")
    def volunteer_record(self, request, caller, volunteer_id):
        text = self.volunteer.volunteer_record_csv(caller.actor.to_dict(), volunteer_id)
        return Response(text.encode("utf-8"), content_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": 'attachment; filename="volunteer-record.csv"'})

    # --- public-welfare projects and donations -----------------------------------------------

    @http("GET", "/api/v1/volunteer-projects", roles=ANYONE, query=ProjectQuerySchema, response=ProjectPageOut,
          tag=TAG, summary="Public-welfare projects (公益项目) for vulnerable groups organised in your scope")
    def list_volunteer_projects(self, request, caller, query):
        return self.volunteer.list_projects(caller.actor.to_dict(), query)

    @http("POST", "/api/v1/volunteer-projects", roles=OFFICERS, body=ProjectSchema, response=ProjectOut, status=201,
          tag=TAG, summary="A public-welfare project, linked to the mutual-aid fund; a retry with the same "
                           "request_id returns the first")
    def create_volunteer_project(self, request, caller, body):
        return 201, self.volunteer.create_project(caller.actor.to_dict(), body)

    @http("GET", "/api/v1/volunteer-projects/<string:project_id>", roles=ANYONE, response=ProjectOut, tag=TAG,
          summary="A public-welfare project and what was donated to it")
    def get_volunteer_project(self, request, caller, project_id):
        return self.volunteer.get_project(caller.actor.to_dict(), project_id)

    @http("GET", "/api/v1/volunteer-projects/<string:project_id>/donations", roles=ANYONE, query=PageRequest,
          response=DonationPageOut, tag=TAG, summary="A project's donations, oldest first")
    def list_volunteer_donations(self, request, caller, project_id, query):
        return self.volunteer.list_donations(caller.actor.to_dict(), project_id, query)

    @http("POST", "/api/v1/volunteer-projects/<string:project_id>/donations", roles=FINANCE, body=DonationSchema,
          response=DonationOut, status=201, errors=(403, 404, 409), tag=TAG,
          summary="Record a donation to the project into the mutual-aid fund (the city federation's finance): "
                  "posted to the welfare ledger once; a retry with the same request_id returns the first")
    def donate_to_volunteer_project(self, request, caller, project_id, body):
        return 201, self.volunteer.within(max(30, self.volunteer.timeout)).donate(
            caller.actor.to_dict(), project_id, body)
