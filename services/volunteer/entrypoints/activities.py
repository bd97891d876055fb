"""Entrypoints of activities and sign-ups (rules in ``services/volunteer/activities.py``)."""
from services.chassis.actor import load_actor
from services.chassis.rpc import rpc
from services.chassis.schemas import load, page_of
from services.chassis.union_tree import Tree

from .. import activities
from ..schemas.activities import (
    ActivityCancelSchema,
    ActivityChangesSchema,
    ActivityQuerySchema,
    ActivitySchema,
    CancelSchema,
    SignupQuerySchema,
    SignupSchema,
)


class ActivityEntrypoints:
    def _activity_view(self, session, found):
        return activities.activity_view(found, activities.counts(session, [found.id])[found.id])

    @rpc
    def create_activity(self, actor, data):
        """A new draft activity (ActivitySchema) organised by a unit in scope."""
        actor = load_actor(actor)
        data = load(ActivitySchema(), data, "activity")
        tree = Tree(self.registry)
        unit = tree.unit_for("organiser_unit_id", data["organiser_unit_id"])
        made = activities.create(self.db, actor, data, unit, tree.scope(actor.unit_id))
        return self._activity_view(self.db.session, made)

    @rpc
    def publish_activity(self, actor, activity_id):
        """Open a draft activity for sign-up (before it begins)."""
        actor = load_actor(actor)
        found = activities.publish(self.db, actor, activity_id, Tree(self.registry).scope(actor.unit_id))
        return self._activity_view(self.db.session, found)

    @rpc
    def update_activity(self, actor, activity_id, changes):
        """Change an activity that has not begun (ActivityChangesSchema, ``version`` required):
        {activity, changed, promoted, clashes}: the changed fields, the waitlisted sign-ups a higher
        capacity confirmed, and the clashes a new time made with the people's other sign-ups (reported,
        not refused)."""
        actor = load_actor(actor)
        changes = load(ActivityChangesSchema(), changes, "changes")
        found, changed, promoted, clashed = activities.change(
            self.db, actor, activity_id, changes, Tree(self.registry).scope(actor.unit_id))
        return {"activity": self._activity_view(self.db.session, found), "changed": changed,
                "promoted": activities.signup_views(self.db.session, promoted), "clashes": clashed}

    @rpc
    def cancel_activity(self, actor, activity_id, data):
        """Call off an activity that has not begun, with the reason (ActivityCancelSchema): its live
        sign-ups are cancelled with that reason. {activity, cancelled_signups}."""
        actor = load_actor(actor)
        data = load(ActivityCancelSchema(), data, "cancellation")
        found, cancelled = activities.call_off(self.db, actor, activity_id, data["reason"],
                                               Tree(self.registry).scope(actor.unit_id))
        return {"activity": self._activity_view(self.db.session, found),
                "cancelled_signups": activities.signup_views(self.db.session, cancelled)}

    @rpc
    def get_activity(self, actor, activity_id):
        actor = load_actor(actor)
        scope = Tree(self.registry).scope(actor.unit_id)
        with self.db.database.reading_session() as session:
            return self._activity_view(session, activities.activity(session, activity_id, scope))

    @rpc
    def list_activities(self, actor, query=None):
        """The activities organised in scope (ActivityQuerySchema), by starting time."""
        actor = load_actor(actor)
        params = load(ActivityQuerySchema(), query or {}, "query")
        scope = Tree(self.registry).scope(actor.unit_id)
        with self.db.database.reading_session() as session:
            found, total = activities.activities(session, scope, params)
            counted = activities.counts(session, [a.id for a in found])
            items = [activities.activity_view(a, counted[a.id]) for a in found]
        return page_of(items, total, params["page"], params["page_size"])

    @rpc
    def sign_up(self, actor, activity_id, data):
        """Sign an active volunteer in scope up for a published activity: confirmed while places are
        free, waitlisted after; 409 on a clash with the person's other sign-ups at the same time."""
        actor = load_actor(actor)
        data = load(SignupSchema(), data, "sign-up")
        made = activities.sign_up(self.db, actor, activity_id, data, Tree(self.registry).scope(actor.unit_id))
        return activities.signup_views(self.db.session, [made])[0]

    @rpc
    def cancel_signup(self, actor, signup_id, data=None):
        """Cancel a live sign-up before the activity begins: {signup, promoted} (the waitlist moves up)."""
        actor = load_actor(actor)
        data = load(CancelSchema(), data or {}, "cancellation")
        found, promoted = activities.cancel(self.db, actor, signup_id, data.get("reason"),
                                            Tree(self.registry).scope(actor.unit_id))
        views = activities.signup_views(self.db.session, [found, *promoted])
        return {"signup": views[0], "promoted": views[1:]}

    @rpc
    def get_signup(self, actor, signup_id):
        actor = load_actor(actor)
        scope = Tree(self.registry).scope(actor.unit_id)
        with self.db.database.reading_session() as session:
            return activities.signup_views(session, [activities.signup(session, signup_id, scope)])[0]

    @rpc
    def list_signups(self, actor, activity_id, query=None):
        """An activity's sign-ups in order (SignupQuerySchema: status)."""
        actor = load_actor(actor)
        params = load(SignupQuerySchema(), query or {}, "query")
        scope = Tree(self.registry).scope(actor.unit_id)
        with self.db.database.reading_session() as session:
            found_activity = activities.activity(session, activity_id, scope)
            found, total = activities.signups(session, found_activity.id, params)
            items = activities.signup_views(session, found)
        return page_of(items, total, params["page"], params["page_size"])
