"""Entrypoints of learning and exchange events: creating, signing up, attendance, the lists and the
yearly count of exchange participants. Rules in ``services/association/learning.py``."""
from services.chassis.actor import load_actor
from services.chassis.errors import NotFound
from services.chassis.rpc import rpc
from services.chassis.schemas import load, page_of
from services.chassis.union_tree import Tree

from .. import learning
from ..schemas.learning import (
    AttendanceSchema,
    CancelSignupSchema,
    ExchangeCountQuerySchema,
    LearningEventQuerySchema,
    NewLearningEventSchema,
    SignupQuerySchema,
    SignupSchema,
)


class LearningEntrypoints:

    @rpc
    def create_learning_event(self, actor, data):
        """An event organised by the actor's unit (NewLearningEventSchema): {event, created}."""
        actor = load_actor(actor)
        data = load(NewLearningEventSchema(), data, "learning event")
        found, created = learning.create(self.db, actor, data)
        return {"event": learning.view_of(self.db.session, found), "created": created}

    @rpc
    def get_learning_event(self, actor, event_id):
        load_actor(actor)
        with self.db.database.reading_session() as session:
            return learning.view_of(session, learning.get(session, event_id))

    @rpc
    def list_learning_events(self, actor, query=None):
        """Every event (they are shared), latest first; filters kind and year."""
        load_actor(actor)
        params = load(LearningEventQuerySchema(), query or {}, "query")
        with self.db.database.reading_session() as session:
            items, total = learning.listing(session, params)
        return page_of(items, total, params["page"], params["page_size"])

    @rpc
    def sign_up_for_learning(self, actor, event_id, data):
        """An eligible honouree on the actor's roster signs up (404 not on it; 409 full, twice, not eligible)."""
        actor = load_actor(actor)
        honouree_id = load(SignupSchema(), data, "sign-up")["honouree_id"]
        with self.db.database.reading_session() as session:
            learning.get(session, event_id)
        rows = self.registry.roster(actor.to_dict(), {"honouree_ids": [honouree_id]})
        row = next((r for r in rows if r["honouree_id"] == honouree_id), None)
        if row is None:
            raise NotFound(f"no honouree {honouree_id!r}", {"honouree_id": honouree_id})
        return learning.signup_view(learning.sign_up(self.db, actor, event_id, row))

    @rpc
    def cancel_learning_signup(self, actor, event_id, honouree_id, data=None):
        """Cancel a person's sign-up before the event begins, with an optional reason (CancelSignupSchema):
        officers whose scope holds the person's managing unit (403 for the organiser's other officers, 404
        for the rest); 409 once cancelled or once the event has begun. Returns the sign-up."""
        actor = load_actor(actor)
        data = load(CancelSignupSchema(), data or {}, "cancellation")
        scope = Tree(self.registry).scope(actor.unit_id)
        return learning.signup_view(learning.cancel(self.db, actor, event_id, honouree_id, data, scope))

    @rpc
    def learning_signups(self, actor, event_id, query=None):
        """The event's sign-ups: all for the organiser's scope, else those of people managed in scope."""
        actor = load_actor(actor)
        params = load(SignupQuerySchema(), query or {}, "query")
        scope = Tree(self.registry).scope(actor.unit_id)
        with self.db.database.reading_session() as session:
            items, total = learning.signups(session, learning.get(session, event_id), scope, params)
        return page_of(items, total, params["page"], params["page_size"])

    @rpc
    def mark_learning_attendance(self, actor, event_id, data):
        """The organiser marks who attended, once the event has begun; returns the event."""
        actor = load_actor(actor)
        data = load(AttendanceSchema(), data, "attendance")
        scope = Tree(self.registry).scope(actor.unit_id)
        event = learning.mark_attendance(self.db, actor, event_id, data, scope)
        return learning.view_of(self.db.session, event)

    @rpc
    def exchange_participants(self, actor, query=None):
        """Distinct honourees in scope who attended an exchange in the year, against the target of 100."""
        actor = load_actor(actor)
        params = load(ExchangeCountQuerySchema(), query or {}, "query")
        scope = Tree(self.registry).scope(actor.unit_id)
        with self.db.database.reading_session() as session:
            return learning.exchange_count(session, scope, params.get("year") or self.clock.today().year)
