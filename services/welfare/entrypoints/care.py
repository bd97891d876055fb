"""Entrypoints of the Spring Festival condolence campaigns (春节慰问); the rules are in
``services/welfare/condolence.py``.

Each RPC asks the registry what it needs (the scope, the roster) before its unit of work opens.
The payments are made by the timer below, in every running replica: it picks up unfinished
batches when the service starts and while it runs (a lease keeps two replicas off one batch).
"""
import os
import socket
import uuid

from nameko.dependency_providers import Config
from nameko.timer import timer

from services.chassis.actor import load_actor
from services.chassis.rpc import rpc
from services.chassis.schemas import load, page_of
from services.chassis.union_tree import Tree

from .. import condolence
from ..schemas.care import (
    CampaignQuerySchema,
    ItemQuerySchema,
    NewCampaignSchema,
    RunSchema,
)

# this process's name as a runner of batches: unique per start, so a restarted replica waits out
# the lease of the one that died
RUNNER = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
TICK_SECONDS = 1.0


class CareEntrypoints:
    config = Config()  # CONDOLENCE_CHUNK, CONDOLENCE_LEASE_SECONDS (optional)

    def _condolence_setting(self, name, default):
        value = (getattr(self, "config", None) or {}).get(name)
        return default if value in (None, "") else type(default)(value)

    def _condolence_campaign(self, actor, campaign_id):
        """(scope, the roster's actor) for a campaign in the actor's scope; NotFound otherwise."""
        scope = Tree(self.registry).scope(actor.unit_id)
        with self.db.database.reading_session() as session:
            campaign = condolence.campaign_in_scope(session, campaign_id, scope)
            return scope, condolence.roster_actor(actor, campaign)

    @rpc
    def create_condolence_campaign(self, actor, data):
        """A Spring Festival condolence campaign of the actor's unit (officers)."""
        actor = load_actor(actor)
        data = load(NewCampaignSchema(), data, "condolence campaign")
        scope = Tree(self.registry).scope(actor.unit_id)
        campaign = condolence.create(self.db, actor, data, scope)
        return condolence.view(self.db.session, campaign)

    @rpc
    def list_condolence_campaigns(self, actor, query=None):
        """The campaigns of units in the actor's scope, newest first."""
        actor = load_actor(actor)
        params = load(CampaignQuerySchema(), query or {}, "query")
        scope = Tree(self.registry).scope(actor.unit_id)
        with self.db.database.reading_session() as session:
            rows, total = condolence.listing(session, scope, params)
            return page_of([condolence.view(session, c) for c in rows], total, params["page"], params["page_size"])

    @rpc
    def get_condolence_campaign(self, actor, campaign_id):
        actor = load_actor(actor)
        scope = Tree(self.registry).scope(actor.unit_id)
        with self.db.database.reading_session() as session:
            return condolence.view(session, condolence.campaign_in_scope(session, campaign_id, scope))

    @rpc
    def preview_condolence_campaign(self, actor, campaign_id):
        """What a run would pay now, per fund, with the shortfall; and how many are paid already."""
        actor = load_actor(actor)
        scope, asking = self._condolence_campaign(actor, campaign_id)
        roster = self.registry.roster(asking, {"eligible": True})
        with self.db.database.reading_session() as session:
            return condolence.preview(session, condolence.campaign_in_scope(session, campaign_id, scope), roster)

    @rpc
    def run_condolence_campaign(self, actor, campaign_id, data=None):
        """Start a run: the eligible honourees not yet paid become the batch's items, paid by the
        service's runner in chunks. Returns the batch's progress."""
        actor = load_actor(actor)
        data = load(RunSchema(), data or {}, "run")
        scope, asking = self._condolence_campaign(actor, campaign_id)
        with self.db.database.reading_session() as session:
            earlier = condolence.earlier_run(session, campaign_id, data.get("request_id"))
            if earlier is not None:  # a retry: the first answer, without asking the registry again
                return condolence.batch_view(earlier)
        roster = self.registry.roster(asking, {"eligible": True})
        batch = condolence.start(self.db, actor, campaign_id, roster, scope, data.get("request_id"))
        return condolence.batch_view(batch)

    @rpc
    def get_condolence_batch(self, actor, batch_id):
        """A run's progress: total, paid, failed, left out, pending; its state and times."""
        actor = load_actor(actor)
        scope = Tree(self.registry).scope(actor.unit_id)
        with self.db.database.reading_session() as session:
            return condolence.batch_view(condolence.batch_in_scope(session, batch_id, scope))

    @rpc
    def list_condolence_batches(self, actor, campaign_id):
        """The campaign's runs, newest first."""
        actor = load_actor(actor)
        scope = Tree(self.registry).scope(actor.unit_id)
        with self.db.database.reading_session() as session:
            campaign = condolence.campaign_in_scope(session, campaign_id, scope)
            return [condolence.batch_view(b) for b in condolence.batches_of(session, campaign)]

    @rpc
    def list_condolence_items(self, actor, campaign_id, query=None):
        """A page of the campaign's items (one per honouree), in paying order."""
        actor = load_actor(actor)
        params = load(ItemQuerySchema(), query or {}, "query")
        scope = Tree(self.registry).scope(actor.unit_id)
        with self.db.database.reading_session() as session:
            campaign = condolence.campaign_in_scope(session, campaign_id, scope)
            items, total = condolence.items_page(session, campaign, params)
            return page_of(items, total, params["page"], params["page_size"])

    @timer(interval=TICK_SECONDS, eager=True)
    def work_condolence_batches(self):
        """Pay unfinished batches (for a few seconds at a time; the timer calls again at once)."""
        return condolence.work(
            self.db.database, RUNNER,
            chunk=self._condolence_setting("CONDOLENCE_CHUNK", condolence.CHUNK),
            lease_seconds=self._condolence_setting("CONDOLENCE_LEASE_SECONDS", condolence.LEASE_SECONDS))
