"""What a service asks the registry about the union tree (the registry owns it), once per call.

``Tree(registry)`` wraps the registry's RPC client: ``get_unit`` answers are
kept for the length of one entrypoint call, so a call asks each question at
most once. Entrypoints ask before they open their unit of work, so no RPC
waits inside a database transaction.

Scopes are also kept by the process for SCOPE_SECONDS: the tree changes
seldom, and without this nomination's entrypoints would wait on the registry while the
registry's conferral handler waits on nomination's ``candidate_record`` —
under load the two worker pools could hold each other up until both time out.
A unit added to the tree is seen here within SCOPE_SECONDS.
"""
import time

from services.chassis.errors import Invalid, NotFound

SCOPE_SECONDS = 60
_scopes = {}  # unit id -> (monotonic time it is good until, frozenset of unit ids)


class Tree:
    def __init__(self, registry):
        self.registry = registry
        self._units = {}

    def scope(self, unit_id):
        """The unit ids a caller acting for ``unit_id`` may see (itself and all below, both trees)."""
        now = time.monotonic()
        kept = _scopes.get(unit_id)
        if kept is None or kept[0] <= now:
            kept = _scopes[unit_id] = (now + SCOPE_SECONDS, frozenset(self.registry.scope_of(unit_id)))
        return kept[1]

    def unit(self, unit_id):
        """The registry's unit: ``{id, name, tier, parent_id, system_parent_id, created_at}``."""
        if unit_id not in self._units:
            self._units[unit_id] = self.registry.get_unit(unit_id)
        return self._units[unit_id]

    def unit_for(self, field, unit_id):
        """The unit named by an input field; an unknown one is the input's fault (Invalid)."""
        try:
            return self.unit(unit_id)
        except NotFound:
            raise Invalid(f"unknown unit {unit_id!r}", {field: [f"no unit {unit_id!r}"]}) from None

    def units(self, unit_ids):
        """Many units by id, in one call; the ids the registry does not know are absent."""
        wanted = [u for u in dict.fromkeys(unit_ids) if u not in self._units]
        if wanted:
            for unit in self.registry.get_units(wanted):
                self._units[unit["id"]] = unit
        return {u: self._units[u] for u in unit_ids if u in self._units}


def is_child(unit, parent_id):
    """Whether ``unit`` hangs directly below ``parent_id`` in either tree."""
    return parent_id in (unit.get("parent_id"), unit.get("system_parent_id"))
