"""Entrypoints of the suggestion express lane (建言献策直通车): submitting, the city's handling
(accept or decline, transfer, answer, commend), the list and the overdue list by the clock.

Each asks the registry what it needs (the scope, the unit's tier, the proposers' roster rows)
before its unit of work opens. The rules are in ``services/association/suggestions.py``.
"""
from services.chassis.actor import load_actor
from services.chassis.errors import NotFound
from services.chassis.rpc import rpc
from services.chassis.schemas import load, page_of
from services.chassis.union_tree import Tree

from .. import suggestions
from ..schemas.suggestions import (
    AnswerSchema,
    NewSuggestionSchema,
    NoteSchema,
    OverdueQuerySchema,
    ReasonSchema,
    SuggestionQuerySchema,
    TransferSchema,
)


class SuggestionEntrypoints:

    def _at_the_city(self, actor, suggestion_id):
        """The scope, once the suggestion is found in it and the actor is the city's (404, then 403)."""
        tree = Tree(self.registry)
        scope = tree.scope(actor.unit_id)
        with self.db.database.reading_session() as session:
            suggestions.in_scope(session, suggestion_id, scope)
        suggestions.must_be_city(tree.unit(actor.unit_id))
        return scope

    @rpc
    def submit_suggestion(self, actor, data):
        """A suggestion by eligible honourees in scope (NewSuggestionSchema): {suggestion, created}."""
        actor = load_actor(actor)
        data = load(NewSuggestionSchema(), data, "suggestion")
        rows = self.registry.roster(actor.to_dict(), {"honouree_ids": data["honouree_ids"]})
        today = self.clock.today()
        found, created = suggestions.submit(self.db, actor, data, rows, today)
        return {"suggestion": suggestions.view(found, today), "created": created}

    @rpc
    def get_suggestion(self, actor, suggestion_id):
        actor = load_actor(actor)
        scope = Tree(self.registry).scope(actor.unit_id)
        with self.db.database.reading_session() as session:
            return suggestions.view(suggestions.in_scope(session, suggestion_id, scope), self.clock.today())

    @rpc
    def accept_suggestion(self, actor, suggestion_id, data=None):
        actor = load_actor(actor)
        note = load(NoteSchema(), data or {}, "decision")["note"]
        scope = self._at_the_city(actor, suggestion_id)
        found = suggestions.decide(self.db, actor, suggestion_id, scope, True, note)
        return suggestions.view(found, self.clock.today())

    @rpc
    def decline_suggestion(self, actor, suggestion_id, data):
        actor = load_actor(actor)
        reason = load(ReasonSchema(), data, "decision")["reason"]
        scope = self._at_the_city(actor, suggestion_id)
        found = suggestions.decide(self.db, actor, suggestion_id, scope, False, reason)
        return suggestions.view(found, self.clock.today())

    @rpc
    def transfer_suggestion(self, actor, suggestion_id, data):
        """An accepted suggestion goes to a handling body, its answer due by the deadline."""
        actor = load_actor(actor)
        data = load(TransferSchema(), data, "transfer")
        scope = self._at_the_city(actor, suggestion_id)
        today = self.clock.today()
        return suggestions.view(suggestions.transfer(self.db, actor, suggestion_id, scope, data, today), today)

    @rpc
    def answer_suggestion(self, actor, suggestion_id, data):
        """The handling body's answer and the feedback on it, recorded today."""
        actor = load_actor(actor)
        data = load(AnswerSchema(), data, "answer")
        scope = self._at_the_city(actor, suggestion_id)
        today = self.clock.today()
        return suggestions.view(suggestions.answer(self.db, actor, suggestion_id, scope, data, today), today)

    @rpc
    def commend_suggestion(self, actor, suggestion_id, data=None):
        """An answered suggestion commended as excellent (优秀建言)."""
        actor = load_actor(actor)
        note = load(NoteSchema(), data or {}, "commendation")["note"]
        scope = self._at_the_city(actor, suggestion_id)
        found = suggestions.commend(self.db, actor, suggestion_id, scope, note)
        return suggestions.view(found, self.clock.today())

    @rpc
    def list_suggestions(self, actor, query=None):
        """Suggestions submitted in scope (status, category, year, commended, unit_id), newest first."""
        actor = load_actor(actor)
        params = load(SuggestionQuerySchema(), query or {}, "query")
        tree = Tree(self.registry)
        units = tree.scope(actor.unit_id)
        if params.get("unit_id"):
            if params["unit_id"] not in units:
                raise NotFound(f"no unit {params['unit_id']!r}", {"unit_id": params["unit_id"]})
            units = units & tree.scope(params["unit_id"])
        today = self.clock.today()
        with self.db.database.reading_session() as session:
            found, total = suggestions.listing(session, units, params)
            return page_of([suggestions.view(s, today) for s in found], total, params["page"], params["page_size"])

    @rpc
    def overdue_suggestions(self, actor, query=None):
        """Transferred suggestions in scope past their deadline without an answer (by the service's
        clock, Beijing dates), the longest late first."""
        actor = load_actor(actor)
        params = load(OverdueQuerySchema(), query or {}, "query")
        units = Tree(self.registry).scope(actor.unit_id)
        today = self.clock.today()
        with self.db.database.reading_session() as session:
            found, total = suggestions.overdue(session, units, params, today)
            return page_of([suggestions.view(s, today) for s in found], total, params["page"], params["page_size"])
