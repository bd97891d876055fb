"""Entrypoints of attendance, service hours and a volunteer's record (rules in ``attendance.py``)."""
from services.chassis.actor import load_actor
from services.chassis.errors import NotFound
from services.chassis.rpc import rpc
from services.chassis.schemas import load, page_of
from services.chassis.union_tree import Tree

from .. import activities, attendance
from ..schemas.attendance import (
    AttendanceQuerySchema,
    CheckSchema,
    ConfirmSchema,
    TotalsQuerySchema,
)


class AttendanceEntrypoints:
    def _scope_of(self, actor):
        return Tree(self.registry).scope(actor.unit_id)

    @rpc
    def check_in(self, actor, signup_id, data=None):
        """Check a confirmed sign-up's volunteer in (CheckSchema: at, default now)."""
        actor = load_actor(actor)
        data = load(CheckSchema(), data or {}, "check-in")
        return attendance.view(attendance.check_in(self.db, actor, signup_id, data, self._scope_of(actor)))

    @rpc
    def check_out(self, actor, attendance_id, data=None):
        """Check out: the attendance proposes its minutes (not counted until confirmed)."""
        actor = load_actor(actor)
        data = load(CheckSchema(), data or {}, "check-out")
        return attendance.view(attendance.check_out(self.db, actor, attendance_id, data, self._scope_of(actor)))

    @rpc
    def confirm_hours(self, actor, attendance_id, data=None):
        """The organiser confirms the proposed minutes, or fewer: from now on they count."""
        actor = load_actor(actor)
        data = load(ConfirmSchema(), data or {}, "confirmation")
        return attendance.view(attendance.confirm(self.db, actor, attendance_id, data, self._scope_of(actor)))

    @rpc
    def get_attendance(self, actor, attendance_id):
        actor = load_actor(actor)
        scope = self._scope_of(actor)
        with self.db.database.reading_session() as session:
            return attendance.view(attendance.get(session, attendance_id, scope))

    @rpc
    def list_attendance(self, actor, activity_id, query=None):
        """An activity's attendances, by check-in time."""
        actor = load_actor(actor)
        params = load(AttendanceQuerySchema(), query or {}, "query")
        scope = self._scope_of(actor)
        with self.db.database.reading_session() as session:
            found_activity = activities.activity(session, activity_id, scope)
            found, total = attendance.of_activity(session, found_activity.id, params)
            items = [attendance.view(a) for a in found]
        return page_of(items, total, params["page"], params["page_size"])

    @rpc
    def hour_totals(self, actor, query):
        """Confirmed service hours of volunteers in scope, grouped by volunteer, team, unit, category or
        year (TotalsQuerySchema)."""
        actor = load_actor(actor)
        params = load(TotalsQuerySchema(), query or {}, "query")
        tree = Tree(self.registry)
        scope = tree.scope(actor.unit_id)
        if params.get("unit_id"):
            if params["unit_id"] not in scope:
                raise NotFound(f"no unit {params['unit_id']!r}", {"unit_id": params["unit_id"]})
            scope = tree.scope(params["unit_id"])
        with self.db.database.reading_session() as session:
            return attendance.totals(session, scope, params)

    @rpc
    def volunteer_record_csv(self, actor, volunteer_id):
        """The person's attendances in scope as CSV text."""
        actor = load_actor(actor)
        scope = self._scope_of(actor)
        with self.db.database.reading_session() as session:
            return attendance.record_csv(session, volunteer_id, scope)
