"""Entrypoints of innovation studios (劳模创新工作室): applying, completing the evidence of the six
criteria (六有), the city's decision, the list and the yearly count against the target.

Each asks the registry what it needs (the scope, the unit's tier, the leader's roster row) before
its unit of work opens. The rules are in ``services/association/studios.py``.
"""
from services.chassis.actor import load_actor
from services.chassis.errors import NotFound
from services.chassis.rpc import rpc
from services.chassis.schemas import load, page_of
from services.chassis.union_tree import Tree

from .. import studios
from ..schemas.studios import (
    AssessmentSchema,
    DeclineSchema,
    EvidenceChangesSchema,
    NewStudioSchema,
    RecognitionCountQuerySchema,
    RecognitionSchema,
    StudioQuerySchema,
)


class StudioEntrypoints:

    def _leader_row(self, actor, honouree_id):
        rows = self.registry.roster(actor.to_dict(), {"honouree_ids": [honouree_id]})
        return next((r for r in rows if r["honouree_id"] == honouree_id), None)

    @rpc
    def apply_for_studio(self, actor, data):
        """A unit in scope applies (NewStudioSchema): {studio, created}. 404 for a unit outside the
        scope; 409 when the leader is not an eligible honouree on the actor's roster."""
        actor = load_actor(actor)
        data = load(NewStudioSchema(), data, "innovation studio")
        if data["unit_id"] not in Tree(self.registry).scope(actor.unit_id):
            raise NotFound(f"no unit {data['unit_id']!r}", {"unit_id": data["unit_id"]})
        leader = self._leader_row(actor, data["leader_honouree_id"])
        found, created = studios.apply(self.db, actor, data, leader)
        return {"studio": studios.view(found), "created": created}

    @rpc
    def get_studio(self, actor, studio_id):
        actor = load_actor(actor)
        scope = Tree(self.registry).scope(actor.unit_id)
        with self.db.database.reading_session() as session:
            return studios.view(studios.in_scope(session, studio_id, scope))

    @rpc
    def change_studio_evidence(self, actor, studio_id, changes):
        """Give, replace or take away the evidence of some criteria while the application waits."""
        actor = load_actor(actor)
        changes = load(EvidenceChangesSchema(), changes, "evidence")
        scope = Tree(self.registry).scope(actor.unit_id)
        return studios.view(studios.change_evidence(self.db, actor, studio_id, changes, scope))

    @rpc
    def recognise_studio(self, actor, studio_id, data):
        """The city recognises the studio (RecognitionSchema); 409 naming each missing criterion."""
        actor = load_actor(actor)
        data = load(RecognitionSchema(), data, "recognition")
        tree = Tree(self.registry)
        scope = tree.scope(actor.unit_id)
        with self.db.database.reading_session() as session:
            leader_id = studios.in_scope(session, studio_id, scope).leader_honouree_id
        studios.must_be_city(tree.unit(actor.unit_id))
        leader = self._leader_row(actor, leader_id)
        eligible = leader is not None and leader["eligible"]
        return studios.view(studios.recognise(self.db, actor, studio_id, data, scope, eligible,
                                              self.clock.today().year))

    @rpc
    def decline_studio(self, actor, studio_id, data):
        """The city declines the application, with the reason."""
        actor = load_actor(actor)
        reason = load(DeclineSchema(), data, "decision")["reason"]
        tree = Tree(self.registry)
        scope = tree.scope(actor.unit_id)
        with self.db.database.reading_session() as session:
            studios.in_scope(session, studio_id, scope)
        studios.must_be_city(tree.unit(actor.unit_id))
        return studios.view(studios.decline(self.db, actor, studio_id, reason, scope))

    @rpc
    def assess_studio(self, actor, studio_id, data):
        """The city's yearly assessment of a recognised studio with the year's outputs (AssessmentSchema)."""
        actor = load_actor(actor)
        data = load(AssessmentSchema(), data, "assessment")
        tree = Tree(self.registry)
        scope = tree.scope(actor.unit_id)
        with self.db.database.reading_session() as session:
            studios.in_scope(session, studio_id, scope)
        studios.must_be_city(tree.unit(actor.unit_id))
        return studios.view(studios.assess(self.db, actor, studio_id, data, scope))

    @rpc
    def list_studios(self, actor, query=None):
        """Studios applied by units in scope (StudioQuerySchema: status, level, year, unit_id), newest first."""
        actor = load_actor(actor)
        params = load(StudioQuerySchema(), query or {}, "query")
        tree = Tree(self.registry)
        units = tree.scope(actor.unit_id)
        if params.get("unit_id"):
            if params["unit_id"] not in units:
                raise NotFound(f"no unit {params['unit_id']!r}", {"unit_id": params["unit_id"]})
            units = units & tree.scope(params["unit_id"])
        with self.db.database.reading_session() as session:
            found, total = studios.listing(session, units, params)
            return page_of([studios.view(s) for s in found], total, params["page"], params["page_size"])

    @rpc
    def studio_recognitions(self, actor, query=None):
        """The year's recognitions in scope by level, and the city-level ones against about 50."""
        actor = load_actor(actor)
        params = load(RecognitionCountQuerySchema(), query or {}, "query")
        units = Tree(self.registry).scope(actor.unit_id)
        with self.db.database.reading_session() as session:
            return studios.yearly_count(session, units, params.get("year") or self.clock.today().year)
