"""Entrypoints of real-name membership (实名入会): joining, leaving, the member list, a membership's
history, and the registry's events that end or move memberships.

Each asks the registry what it needs (the scope, the roster row of the person) before its unit of
work opens. The rules are in ``services/association/membership.py``.
"""
from services.chassis.actor import load_actor
from services.chassis.errors import NotFound
from services.chassis.events import event_handler
from services.chassis.rpc import rpc
from services.chassis.schemas import load, page_of
from services.chassis.union_tree import Tree

from .. import membership
from ..schemas.membership import JoinSchema, LeaveSchema, MembershipQuerySchema


class MembershipEntrypoints:
    # helpers (not entrypoints) ---------------------------------------------------------------

    def _names(self, actor, honouree_ids):
        """{honouree_id: name} of those on the actor's roster (one roster call; none for no ids)."""
        ids = sorted(set(honouree_ids))
        if not ids:
            return {}
        return {r["honouree_id"]: r["name"] for r in self.registry.roster(actor.to_dict(), {"honouree_ids": ids})}

    def _membership_view(self, actor, membership_id, scope):
        with self.db.database.reading_session() as session:
            found = membership.in_scope(session, membership_id, scope)
            honouree_id = found.honouree_id
            reply = membership.view(found)
        reply["honouree_name"] = self._names(actor, [honouree_id]).get(honouree_id)
        return reply

    # --- RPCs ---------------------------------------------------------------------------------

    @rpc
    def join_association(self, actor, data):
        """An honouree in scope joins (JoinSchema): {membership, created}. 404 for a person not on the
        actor's roster; 409 for one deceased or without an active honour (naming what is missing),
        or a member already (naming the membership); the same request_id returns the first."""
        actor = load_actor(actor)
        data = load(JoinSchema(), data, "membership")
        rows = self.registry.roster(actor.to_dict(), {"honouree_ids": [data["honouree_id"]]})
        row = next((r for r in rows if r["honouree_id"] == data["honouree_id"]), None)
        if row is None:
            raise NotFound(f"no honouree {data['honouree_id']!r}", {"honouree_id": data["honouree_id"]})
        found, created = membership.join(self.db, actor, data, row, self.clock.today())
        return {"membership": membership.view(found, row["name"]), "created": created}

    @rpc
    def leave_association(self, actor, membership_id, data):
        """The member leaves, with the reason (LeaveSchema); 409 unless the membership is active."""
        actor = load_actor(actor)
        reason = load(LeaveSchema(), data, "leaving")["reason"]
        scope = Tree(self.registry).scope(actor.unit_id)
        with self.db.database.reading_session() as session:  # the name is asked for before the change
            honouree_id = membership.in_scope(session, membership_id, scope).honouree_id
        name = self._names(actor, [honouree_id]).get(honouree_id)
        return membership.view(membership.leave(self.db, actor, membership_id, reason, scope), name)

    @rpc
    def get_membership(self, actor, membership_id):
        actor = load_actor(actor)
        return self._membership_view(actor, membership_id, Tree(self.registry).scope(actor.unit_id))

    @rpc
    def list_memberships(self, actor, query=None):
        """Memberships of honourees managed in scope (MembershipQuerySchema: status, unit_id,
        district_id, joined_year, honouree_id), newest first, a page at a time."""
        actor = load_actor(actor)
        params = load(MembershipQuerySchema(), query or {}, "query")
        tree = Tree(self.registry)
        units = tree.scope(actor.unit_id)
        if params.get("unit_id"):
            if params["unit_id"] not in units:
                raise NotFound(f"no unit {params['unit_id']!r}", {"unit_id": params["unit_id"]})
            units = units & tree.scope(params["unit_id"])
        with self.db.database.reading_session() as session:
            found, total = membership.listing(session, units, params)
            items = [membership.view(m) for m in found]
        names = self._names(actor, [m["honouree_id"] for m in items])
        for item in items:
            item["honouree_name"] = names.get(item["honouree_id"])
        return page_of(items, total, params["page"], params["page_size"])

    @rpc
    def membership_history(self, actor, membership_id):
        """Who changed the membership, when, from what to what (joined, left, ended, transferred); oldest first."""
        actor = load_actor(actor)
        scope = Tree(self.registry).scope(actor.unit_id)
        with self.db.database.reading_session() as session:
            found = membership.in_scope(session, membership_id, scope)
            return membership.history(session, self.db.database.metadata, found)

    # --- the registry's events ----------------------------------------------------------------

    @event_handler("registry", "honour_revoked")
    def on_honour_revoked(self, event):
        """A revoked honour: when none is left, the person's active membership ends (reason kept)."""
        return membership.end_on_revocation(self.db, event)

    @event_handler("registry", "management_transferred")
    def on_management_transferred(self, event):
        """The person's management moved: their memberships follow (scope, unit and district filters)."""
        to_unit = event.get("to_unit_id") if isinstance(event, dict) else None
        return membership.follow_transfer(self.db, event, self._district_of(to_unit))

    def _district_of(self, unit_id):
        """The district union above a unit, up its first-parent chain, as the registry reckons a
        record's district (None for system-only units or an unknown id)."""
        tree, seen = Tree(self.registry), set()
        while isinstance(unit_id, str) and unit_id not in seen:
            seen.add(unit_id)
            try:
                unit = tree.unit(unit_id)
            except NotFound:
                return None
            if unit.get("tier") == "district":
                return unit["id"]
            unit_id = unit.get("parent_id")
        return None
