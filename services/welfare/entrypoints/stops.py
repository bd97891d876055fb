"""Care stops: the registry's revocations and conferrals, and reading the stops in scope."""
from services.chassis.actor import load_actor
from services.chassis.errors import NotFound
from services.chassis.events import event_handler
from services.chassis.rpc import rpc
from services.chassis.schemas import load
from services.chassis.union_tree import Tree

from .. import stops
from ..models.stops import CareStop
from ..schemas.stops import CareStopQuerySchema


class StopEntrypoints:

    @event_handler("registry", "honour_revoked")
    def on_honour_revoked(self, event):
        """A revoked honour: when none is left, the person's care ends (services/welfare/stops.py)."""
        return stops.stop(self.db, event, self.clock.today())

    @event_handler("registry", "honour_conferred")
    def on_honour_conferred(self, event):
        """A conferred honour lifts a stop in force for its holder."""
        return stops.lift(self.db, event)

    @rpc
    def list_care_stops(self, actor, query=None):
        """The stops of people managed in the actor's scope when their care stopped, newest first."""
        actor = load_actor(actor)
        params = load(CareStopQuerySchema(), query or {}, "query")
        scope = Tree(self.registry).scope(actor.unit_id)
        with self.db.database.reading_session() as session:
            return stops.listing(session, scope, params)

    @rpc
    def get_care_stop(self, actor, honouree_id):
        actor = load_actor(actor)
        scope = Tree(self.registry).scope(actor.unit_id)
        with self.db.database.reading_session() as session:
            kept = session.get(CareStop, honouree_id) if isinstance(honouree_id, str) else None
            if kept is None or kept.managing_unit_id not in scope:
                raise NotFound(f"no care stop for {honouree_id!r}", {"honouree_id": honouree_id})
            return stops.view(kept)
