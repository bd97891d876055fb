"""Health check-up (个性化体检) entrypoints: record, read, list, the overdue list, coverage.

Rules live in ``services.welfare.health``. The results are personal data: the RPC marks them
sensitive (never logged), the service seals them, and replies show them only with the right.
"""
from services.chassis.actor import load_actor
from services.chassis.rpc import rpc
from services.chassis.schemas import load, page_of
from services.chassis.union_tree import Tree

from .. import health
from ..schemas.health import (
    HealthCheckUpQuerySchema,
    HealthCoverageQuerySchema,
    HealthOverdueQuerySchema,
    NewHealthCheckUpSchema,
)


class HealthEntrypoints:

    @rpc(sensitive_arguments=("data.results",))
    def record_health_check_up(self, actor, data):
        """A check-up of an honouree in scope (NewHealthCheckUpSchema); a retry returns the same."""
        actor = load_actor(actor)
        data = load(NewHealthCheckUpSchema(), data, "check-up")
        found = self.registry.roster(actor.to_dict(), {"honouree_ids": [data["honouree_id"]]})
        person = next((row for row in found if row["honouree_id"] == data["honouree_id"]), None)
        check_up = health.record(self.db, self.sealer, actor, data, person, self.clock.today())
        return health.view(check_up, actor, self.sealer)

    @rpc
    def get_health_check_up(self, actor, check_up_id):
        """A check-up of an honouree in scope; the results "***" without the personal-data right."""
        actor = load_actor(actor)
        with self.db.database.reading_session() as session:
            check_up = health.find(session, check_up_id)
        roster = self.registry.roster(actor.to_dict(), {"honouree_ids": [check_up.honouree_id]})
        return health.view(health.visible(check_up, check_up_id, roster), actor, self.sealer)

    @rpc
    def list_health_check_ups(self, actor, query=None):
        """A page of the check-ups of the scope's honourees (or one honouree's), newest first."""
        actor = load_actor(actor)
        params = load(HealthCheckUpQuerySchema(), query or {}, "query")
        wanted = {"honouree_ids": [params["honouree_id"]]} if params.get("honouree_id") else {}
        roster = self.registry.roster(actor.to_dict(), wanted)
        with self.db.database.reading_session() as session:
            items, total = health.listing(session, [row["honouree_id"] for row in roster], params.get("year"),
                                          params["page"], params["page_size"])
            return page_of([health.view(c, actor, self.sealer) for c in items], total, params["page"],
                           params["page_size"])

    @rpc
    def health_check_ups_overdue(self, actor, query=None):
        """A page of the scope's eligible honourees with no check-up dated in the current year."""
        actor = load_actor(actor)
        params = load(HealthOverdueQuerySchema(), query or {}, "query")
        roster = self.registry.roster(actor.to_dict(), {"eligible": True})
        year = self.clock.today().year
        with self.db.database.reading_session() as session:
            checked, last = health.checked_in(session, year), health.last_checked(session)
        due = health.overdue(roster, checked, last)
        start = (params["page"] - 1) * params["page_size"]
        return page_of(due[start:start + params["page_size"]], len(due), params["page"], params["page_size"])

    @rpc
    def health_check_up_coverage(self, actor, query=None):
        """Per managing unit of the scope: eligible honourees, checked in the year, the ratio."""
        actor = load_actor(actor)
        params = load(HealthCoverageQuerySchema(), query or {}, "query")
        year = params.get("year") or self.clock.today().year
        roster = self.registry.roster(actor.to_dict(), {"eligible": True})
        units = Tree(self.registry).units(sorted({row["managing_unit_id"] for row in roster}))
        with self.db.database.reading_session() as session:
            checked = health.checked_in(session, year)
        return health.coverage(roster, checked, units, year)

    @rpc
    def health_check_up_audit(self, actor, check_up_id):
        """The recorded changes of a check-up in scope, oldest first; the results masked."""
        actor = load_actor(actor)
        with self.db.database.reading_session() as session:
            check_up = health.find(session, check_up_id)
        roster = self.registry.roster(actor.to_dict(), {"honouree_ids": [check_up.honouree_id]})
        health.visible(check_up, check_up_id, roster)
        with self.db.database.reading_session() as session:
            return health.trail(session, self.db.database.metadata, check_up)
