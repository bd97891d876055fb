"""Recuperation (疗休养) entrypoints: plans, batches, allocation, places, the overdue list, progress.

Rules live in ``services.welfare.recuperation``. Each call asks the registry (scope, roster)
before it opens its unit of work; reads run on read-only sessions.
"""
from services.chassis.actor import load_actor
from services.chassis.rpc import rpc
from services.chassis.schemas import load, page_of
from services.chassis.union_tree import Tree

from .. import recuperation
from ..schemas.recuperation import (
    NewRecuperationBatchSchema,
    NewRecuperationPlanSchema,
    RecuperationAllocationSchema,
    RecuperationBatchQuerySchema,
    RecuperationOverdueQuerySchema,
    RecuperationPlaceOutcomeSchema,
    RecuperationPlaceQuerySchema,
    RecuperationPlanQuerySchema,
)


class RecuperationEntrypoints:

    @rpc
    def create_recuperation_plan(self, actor, data):
        """A five-year plan of the actor's unit (NewRecuperationPlanSchema); a retry returns the same."""
        actor = load_actor(actor)
        data = load(NewRecuperationPlanSchema(), data, "plan")
        return recuperation.plan_view(recuperation.create_plan(self.db, actor, data))

    @rpc
    def list_recuperation_plans(self, actor, query=None):
        actor = load_actor(actor)
        params = load(RecuperationPlanQuerySchema(), query or {}, "query")
        scope = Tree(self.registry).scope(actor.unit_id)
        with self.db.database.reading_session() as session:
            items, total = recuperation.list_plans(session, scope, params["page"], params["page_size"])
            return page_of([recuperation.plan_view(p) for p in items], total, params["page"], params["page_size"])

    @rpc
    def get_recuperation_plan(self, actor, plan_id):
        actor = load_actor(actor)
        scope = Tree(self.registry).scope(actor.unit_id)
        with self.db.database.reading_session() as session:
            return recuperation.plan_view(recuperation.get_plan(session, scope, plan_id))

    @rpc
    def recuperation_plan_progress(self, actor, plan_id):
        """Places used (allocated + attended) against the plan's, per year and in total."""
        actor = load_actor(actor)
        scope = Tree(self.registry).scope(actor.unit_id)
        with self.db.database.reading_session() as session:
            return recuperation.progress(session, scope, plan_id)

    @rpc
    def create_recuperation_batch(self, actor, plan_id, data):
        """A batch of the plan (NewRecuperationBatchSchema); a retry returns the same."""
        actor = load_actor(actor)
        data = load(NewRecuperationBatchSchema(), data, "batch")
        scope = Tree(self.registry).scope(actor.unit_id)
        batch = recuperation.create_batch(self.db, actor, scope, plan_id, data)
        return recuperation.batch_views(self.db.session, [batch])[0]

    @rpc
    def list_recuperation_batches(self, actor, plan_id, query=None):
        actor = load_actor(actor)
        params = load(RecuperationBatchQuerySchema(), query or {}, "query")
        scope = Tree(self.registry).scope(actor.unit_id)
        with self.db.database.reading_session() as session:
            items, total = recuperation.list_batches(session, scope, plan_id, params["page"], params["page_size"])
            return page_of(recuperation.batch_views(session, items), total, params["page"], params["page_size"])

    @rpc
    def get_recuperation_batch(self, actor, batch_id):
        actor = load_actor(actor)
        scope = Tree(self.registry).scope(actor.unit_id)
        with self.db.database.reading_session() as session:
            return recuperation.batch_views(session, [recuperation.get_batch(session, scope, batch_id)])[0]

    @rpc
    def allocate_recuperation_batch(self, actor, batch_id, data=None):
        """Fill the batch's free places from the roster of the actor's scope, most overdue first."""
        actor = load_actor(actor)
        data = load(RecuperationAllocationSchema(), data or {}, "allocation")
        scope = Tree(self.registry).scope(actor.unit_id)
        roster = self.registry.roster(actor.to_dict(), dict(recuperation.ROSTER_QUERY))
        batch, run, places = recuperation.allocate(self.db, actor, scope, batch_id, data, roster,
                                                   self.clock.today())
        return recuperation.allocation_view(self.db.session, batch, run, places)

    @rpc
    def list_recuperation_places(self, actor, batch_id, query=None):
        actor = load_actor(actor)
        params = load(RecuperationPlaceQuerySchema(), query or {}, "query")
        scope = Tree(self.registry).scope(actor.unit_id)
        with self.db.database.reading_session() as session:
            items, total = recuperation.list_places(session, scope, batch_id, params.get("status"),
                                                    params["page"], params["page_size"])
            return page_of([recuperation.place_view(p) for p in items], total, params["page"], params["page_size"])

    @rpc
    def record_recuperation_outcome(self, actor, place_id, data):
        """allocated → attended | declined | cancelled (RecuperationPlaceOutcomeSchema)."""
        actor = load_actor(actor)
        data = load(RecuperationPlaceOutcomeSchema(), data, "outcome")
        scope = Tree(self.registry).scope(actor.unit_id)
        place = recuperation.record_outcome(self.db, actor, scope, place_id, data, self.clock.today())
        return recuperation.place_view(place)

    @rpc
    def recuperation_overdue(self, actor, query=None):
        """A page of the in-service honourees of the scope with no attended recuperation in two years."""
        actor = load_actor(actor)
        params = load(RecuperationOverdueQuerySchema(), query or {}, "query")
        roster = self.registry.roster(actor.to_dict(), dict(recuperation.ROSTER_QUERY))
        with self.db.database.reading_session() as session:
            last = recuperation.last_attended(session)
        due = recuperation.overdue(roster, last, self.clock.today())
        start = (params["page"] - 1) * params["page_size"]
        return page_of(due[start:start + params["page_size"]], len(due), params["page"], params["page_size"])

    @rpc
    def recuperation_batch_audit(self, actor, batch_id):
        """The recorded changes of a batch and its places, oldest first."""
        actor = load_actor(actor)
        scope = Tree(self.registry).scope(actor.unit_id)
        with self.db.database.reading_session() as session:
            return recuperation.batch_trail(session, self.db.database.metadata, scope, batch_id)
