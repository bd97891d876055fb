"""Entrypoints of the yearly research results (调研成果). Rules in ``services/association/research.py``."""
from services.chassis.actor import load_actor
from services.chassis.rpc import rpc
from services.chassis.schemas import load, page_of
from services.chassis.union_tree import Tree

from .. import research
from ..schemas.research import NewResearchResultSchema, ResearchQuerySchema


class ResearchEntrypoints:

    @rpc
    def record_research_result(self, actor, data):
        """The city records a result (NewResearchResultSchema): {result, created}."""
        actor = load_actor(actor)
        data = load(NewResearchResultSchema(), data, "research result")
        unit = Tree(self.registry).unit(actor.unit_id)
        rows = self.registry.roster(actor.to_dict(), {"honouree_ids": data["honouree_ids"]})
        found, created = research.record(self.db, actor, data, unit, rows)
        return {"result": research.view(found), "created": created}

    @rpc
    def get_research_result(self, actor, result_id):
        load_actor(actor)
        with self.db.database.reading_session() as session:
            return research.view(research.get(session, result_id))

    @rpc
    def list_research_results(self, actor, query=None):
        load_actor(actor)
        params = load(ResearchQuerySchema(), query or {}, "query")
        with self.db.database.reading_session() as session:
            items, total = research.listing(session, params)
        return page_of(items, total, params["page"], params["page_size"])
