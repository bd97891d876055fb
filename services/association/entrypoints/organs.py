"""Entrypoints of the association's organs (council, standing council, sector committees, branches,
troupes) and their members. Rules in ``services/association/organs.py``."""
from services.chassis.actor import load_actor
from services.chassis.errors import NotFound
from services.chassis.rpc import rpc
from services.chassis.schemas import load, page_of
from services.chassis.union_tree import Tree

from .. import organs
from ..schemas.organs import (
    EndSeatSchema,
    NewOrganSchema,
    OrganQuerySchema,
    SeatChangeSchema,
    SeatSchema,
)


class OrganEntrypoints:

    @rpc
    def create_organ(self, actor, data):
        """A new organ (NewOrganSchema): {organ, created}."""
        actor = load_actor(actor)
        data = load(NewOrganSchema(), data, "organ")
        tree = Tree(self.registry)
        found, created = organs.create(self.db, actor, data, tree.unit(actor.unit_id), tree.scope(actor.unit_id))
        return {"organ": organs.view(found), "created": created}

    @rpc
    def get_organ(self, actor, organ_id):
        load_actor(actor)
        with self.db.database.reading_session() as session:
            return organs.view(organs.get(session, organ_id))

    @rpc
    def list_organs(self, actor, query=None):
        load_actor(actor)
        params = load(OrganQuerySchema(), query or {}, "query")
        with self.db.database.reading_session() as session:
            items, total = organs.listing(session, params)
        return page_of(items, total, params["page"], params["page_size"])

    @rpc
    def add_organ_member(self, actor, organ_id, data):
        """An active association member on the actor's roster takes a seat (SeatSchema); returns the organ."""
        actor = load_actor(actor)
        data = load(SeatSchema(), data, "seat")
        with self.db.database.reading_session() as session:
            organs.get(session, organ_id)
        rows = self.registry.roster(actor.to_dict(), {"honouree_ids": [data["honouree_id"]]})
        row = next((r for r in rows if r["honouree_id"] == data["honouree_id"]), None)
        if row is None:
            raise NotFound(f"no honouree {data['honouree_id']!r}", {"honouree_id": data["honouree_id"]})
        scope = Tree(self.registry).scope(actor.unit_id)
        return organs.view(organs.add_seat(self.db, actor, organ_id, data, row, scope, self.clock.today()))

    @rpc
    def end_organ_seat(self, actor, organ_id, honouree_id, data):
        """The seat ends with a reason and a date (EndSeatSchema); the history stays. Returns the organ."""
        actor = load_actor(actor)
        data = load(EndSeatSchema(), data, "seat ending")
        scope = Tree(self.registry).scope(actor.unit_id)
        return organs.view(organs.end_seat(self.db, actor, organ_id, honouree_id, data, scope, self.clock.today()))

    @rpc
    def change_organ_seat(self, actor, organ_id, honouree_id, data):
        """An active seat's new position (SeatChangeSchema). Returns the organ."""
        actor = load_actor(actor)
        data = load(SeatChangeSchema(), data, "seat")
        scope = Tree(self.registry).scope(actor.unit_id)
        return organs.view(organs.change_position(self.db, actor, organ_id, honouree_id, data, scope))
