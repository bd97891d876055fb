"""Entrypoints of the corps: teams and volunteers (rules in ``services/volunteer/corps.py``).

Each asks the registry what it needs (the actor's scope, the honouree's roster row) before its unit
of work opens.
"""
from services.chassis.actor import load_actor
from services.chassis.errors import NotFound
from services.chassis.rpc import rpc
from services.chassis.schemas import load, page_of
from services.chassis.union_tree import Tree

from .. import corps
from ..schemas.corps import (
    EndSchema,
    TeamChangesSchema,
    TeamQuerySchema,
    TeamSchema,
    VolunteerChangesSchema,
    VolunteerQuerySchema,
    VolunteerSchema,
)


class CorpsEntrypoints:
    def _scope(self, actor):
        return Tree(self.registry).scope(actor.unit_id)

    def _team_view(self, team_id, scope):
        with self.db.database.reading_session() as session:
            found = corps.team(session, team_id, scope)
            return corps.team_view(found, corps.active_counts(session, [found.id]).get(found.id, 0))

    def _volunteer_view(self, volunteer_id, scope):
        with self.db.database.reading_session() as session:
            return corps.volunteer_view(corps.volunteer(session, volunteer_id, scope))

    # --- teams -------------------------------------------------------------------------------

    @rpc
    def create_team(self, actor, data):
        """A new team (TeamSchema) of a unit in scope; a district team's unit is a district union.
        The same request_id returns the first team."""
        actor = load_actor(actor)
        data = load(TeamSchema(), data, "team")
        tree = Tree(self.registry)
        unit = tree.unit_for("unit_id", data["unit_id"])
        scope = tree.scope(actor.unit_id)
        made = corps.create_team(self.db, actor, data, unit, scope)
        return corps.team_view(made, corps.active_counts(self.db.session, [made.id]).get(made.id, 0))

    @rpc
    def get_team(self, actor, team_id):
        actor = load_actor(actor)
        return self._team_view(team_id, self._scope(actor))

    @rpc
    def update_team(self, actor, team_id, changes):
        """Change a team's name, description or whether it admits other people than honourees."""
        actor = load_actor(actor)
        changes = load(TeamChangesSchema(), changes, "team changes")
        found = corps.change_team(self.db, actor, team_id, changes, self._scope(actor))
        return corps.team_view(found, corps.active_counts(self.db.session, [found.id]).get(found.id, 0))

    @rpc
    def list_teams(self, actor, query=None):
        """The teams in scope (TeamQuerySchema: kind, unit_id and below), by unit and name."""
        actor = load_actor(actor)
        params = load(TeamQuerySchema(), query or {}, "query")
        scope = self._narrowed(actor, params.get("unit_id"))
        with self.db.database.reading_session() as session:
            found, total = corps.teams(session, scope, params)
            counts = corps.active_counts(session, [t.id for t in found])
            items = [corps.team_view(t, counts.get(t.id, 0)) for t in found]
        return page_of(items, total, params["page"], params["page_size"])

    def _narrowed(self, actor, unit_id):
        tree = Tree(self.registry)
        scope = tree.scope(actor.unit_id)
        if unit_id:
            if unit_id not in scope:
                raise NotFound(f"no unit {unit_id!r}", {"unit_id": unit_id})
            scope = tree.scope(unit_id)
        return scope

    # --- volunteers --------------------------------------------------------------------------

    @rpc
    def enrol_volunteer(self, actor, data):
        """A volunteer joins a team in scope (VolunteerSchema): an eligible honouree of the actor's
        roster, or another person where the team admits them. The same request_id returns the first."""
        actor = load_actor(actor)
        data = load(VolunteerSchema(), data, "volunteer")
        row = None
        if data.get("honouree_id"):
            rows = self.registry.roster(actor.to_dict(), {"honouree_ids": [data["honouree_id"]]})
            row = next((r for r in rows if r["honouree_id"] == data["honouree_id"]), None)
            if row is None:
                raise NotFound(f"no honouree {data['honouree_id']!r}", {"honouree_id": data["honouree_id"]})
        scope = self._scope(actor)
        return corps.volunteer_view(corps.enrol(self.db, actor, data, scope, row))

    @rpc
    def get_volunteer(self, actor, volunteer_id):
        actor = load_actor(actor)
        return self._volunteer_view(volunteer_id, self._scope(actor))

    @rpc
    def update_volunteer(self, actor, volunteer_id, changes):
        """Replace an active volunteer's skills and/or availability."""
        actor = load_actor(actor)
        changes = load(VolunteerChangesSchema(), changes, "volunteer changes")
        return corps.volunteer_view(corps.change_volunteer(self.db, actor, volunteer_id, changes,
                                                           self._scope(actor)))

    @rpc
    def end_volunteer(self, actor, volunteer_id, data):
        """End an active membership (the volunteer leaves the team), with a reason; the record stays."""
        actor = load_actor(actor)
        data = load(EndSchema(), data, "end")
        return corps.volunteer_view(corps.end(self.db, actor, volunteer_id, data["reason"], self._scope(actor)))

    @rpc
    def list_volunteers(self, actor, query=None):
        """The volunteers of teams in scope (VolunteerQuerySchema), by team and joining time."""
        actor = load_actor(actor)
        params = load(VolunteerQuerySchema(), query or {}, "query")
        scope = self._scope(actor)
        with self.db.database.reading_session() as session:
            found, total = corps.volunteers(session, scope, params)
            items = [corps.volunteer_view(v) for v in found]
        return page_of(items, total, params["page"], params["page_size"])
