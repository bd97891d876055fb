"""Entrypoints of service cards (劳模服务卡), their service items, and birthday greetings.

Each asks the registry what it needs (the scope, the roster rows of the honourees concerned)
before its unit of work opens; a card whose honouree is not on the actor's roster is not found.
The rules are in ``services/welfare/cards.py`` and ``birthdays.py``.
"""
from services.chassis.actor import load_actor
from services.chassis.errors import NotFound
from services.chassis.rpc import rpc
from services.chassis.schemas import load, page_of
from services.chassis.union_tree import Tree

from .. import birthdays, cards
from ..schemas.cards import (
    BirthdayQuerySchema,
    CardItemsSchema,
    CardQuerySchema,
    CardReasonSchema,
    CardResumeSchema,
    GreetingSchema,
    NewCardSchema,
    ServiceItemChangesSchema,
    ServiceItemQuerySchema,
    ServiceItemSchema,
)


class CardEntrypoints:
    # helpers (not entrypoints) ---------------------------------------------------------------

    def _card_roster_row(self, actor, honouree_id):
        """The honouree's roster row, if in the actor's scope; else None."""
        if not isinstance(honouree_id, str) or not 1 <= len(honouree_id) <= 32:
            return None  # no honouree has such an id
        rows = self.registry.roster(actor.to_dict(), {"honouree_ids": [honouree_id]})
        return next((r for r in rows if r["honouree_id"] == honouree_id), None)

    def _card_in_scope(self, actor, card_id=None, card_number=None):
        """(card id, roster row) of a card whose honouree is in the actor's scope; NotFound if none."""
        with self.db.database.reading_session() as session:
            card = cards.get(session, card_id) if card_number is None else cards.by_number(session, card_number)
            found_id, holder = card.id, card.honouree_id
        row = self._card_roster_row(actor, holder)
        if row is None:
            if card_number is not None:
                raise NotFound(f"no service card numbered {card_number!r}", {"card_number": card_number})
            raise cards.not_found(card_id)
        return found_id, row

    def _card_view(self, card_id, row):
        with self.db.database.reading_session() as session:
            return cards.view(cards.get(session, card_id), row)

    # --- the service items' catalogue --------------------------------------------------------

    @rpc
    def list_service_items(self, actor, query=None):
        """The catalogue of service items (every actor sees it), by code."""
        load_actor(actor)
        params = load(ServiceItemQuerySchema(), query or {}, "query")
        with self.db.database.reading_session() as session:
            return [cards.item_view(i) for i in cards.items(session, params.get("active"))]

    @rpc
    def create_service_item(self, actor, data):
        """A new service item (the city federation only)."""
        actor = load_actor(actor)
        data = load(ServiceItemSchema(), data, "service item")
        cards.must_be_city(Tree(self.registry).unit(actor.unit_id))
        return cards.item_view(cards.create_item(self.db, actor, data))

    @rpc
    def update_service_item(self, actor, code, changes):
        """Change a service item's name, description or whether it is offered (the city only)."""
        actor = load_actor(actor)
        changes = load(ServiceItemChangesSchema(), changes, "service item changes")
        cards.must_be_city(Tree(self.registry).unit(actor.unit_id))
        return cards.item_view(cards.change_item(self.db, actor, code, changes))

    # --- service cards ------------------------------------------------------------------------

    @rpc
    def issue_card(self, actor, data):
        """A card for an eligible honouree in scope (NewCardSchema): {card, created}. Conflict when the
        honouree has a live card (naming it); the same request_id returns the first card."""
        actor = load_actor(actor)
        data = load(NewCardSchema(), data, "service card")
        row = self._card_roster_row(actor, data["honouree_id"])
        if row is None:
            raise NotFound(f"no honouree {data['honouree_id']!r}", {"honouree_id": data["honouree_id"]})
        card, created = cards.issue(self.db, actor, data, row)
        return {"card": cards.view(card, row), "created": created}

    @rpc
    def get_card(self, actor, card_id):
        actor = load_actor(actor)
        card_id, row = self._card_in_scope(actor, card_id)
        return self._card_view(card_id, row)

    @rpc
    def find_card(self, actor, card_number):
        """The card with this number, in scope."""
        actor = load_actor(actor)
        card_id, row = self._card_in_scope(actor, card_number=card_number)
        return self._card_view(card_id, row)

    @rpc
    def list_cards(self, actor, query=None):
        """The cards of honourees in scope (CardQuerySchema: status, unit_id, honouree_id), by number."""
        actor = load_actor(actor)
        params = load(CardQuerySchema(), query or {}, "query")
        tree = Tree(self.registry)
        roster_query = {"honouree_ids": [params["honouree_id"]]} if params.get("honouree_id") else {}
        rows = {r["honouree_id"]: r for r in self.registry.roster(actor.to_dict(), roster_query)}
        if params.get("unit_id"):
            if params["unit_id"] not in tree.scope(actor.unit_id):
                raise NotFound(f"no unit {params['unit_id']!r}", {"unit_id": params["unit_id"]})
            below = tree.scope(params["unit_id"])
            rows = {k: r for k, r in rows.items() if r["managing_unit_id"] in below}
        with self.db.database.reading_session() as session:
            found, total = cards.listing(session, rows, params.get("status"), params.get("honouree_id"),
                                         params["page"], params["page_size"])
            return page_of([cards.view(c, rows[c.honouree_id]) for c in found], total, params["page"],
                           params["page_size"])

    @rpc
    def suspend_card(self, actor, card_id, data):
        actor = load_actor(actor)
        reason = load(CardReasonSchema(), data, "suspension")["reason"]
        card_id, row = self._card_in_scope(actor, card_id)
        return cards.view(cards.suspend(self.db, actor, card_id, reason, row), row)

    @rpc
    def resume_card(self, actor, card_id, data=None):
        actor = load_actor(actor)
        note = load(CardResumeSchema(), data or {}, "resumption")["note"]
        card_id, row = self._card_in_scope(actor, card_id)
        return cards.view(cards.resume(self.db, actor, card_id, note, row), row)

    @rpc
    def cancel_card(self, actor, card_id, data):
        actor = load_actor(actor)
        reason = load(CardReasonSchema(), data, "cancellation")["reason"]
        card_id, row = self._card_in_scope(actor, card_id)
        return cards.view(cards.cancel(self.db, actor, card_id, reason, row), row)

    @rpc
    def change_card_items(self, actor, card_id, data):
        """The service items a live card carries from now on (the list replaces the old one)."""
        actor = load_actor(actor)
        codes = load(CardItemsSchema(), data, "service items")["items"]
        card_id, row = self._card_in_scope(actor, card_id)
        return cards.view(cards.change_items(self.db, actor, card_id, codes, row), row)

    @rpc
    def card_audit(self, actor, card_id):
        """Who changed the card, when, from what to what; oldest first."""
        actor = load_actor(actor)
        card_id, _ = self._card_in_scope(actor, card_id)
        with self.db.database.reading_session() as session:
            return cards.audit(session, self.db.database.metadata, cards.get(session, card_id))

    # --- birthday greetings -------------------------------------------------------------------

    @rpc
    def upcoming_birthdays(self, actor, query=None):
        """Eligible honourees in scope whose birthday is in the next ``days`` days (today, Beijing,
        included), soonest first, each with whether that birthday's greeting is marked."""
        actor = load_actor(actor)
        params = load(BirthdayQuerySchema(), query or {}, "query")
        today = self.clock.today()
        rows = self.registry.roster(actor.to_dict(), {"eligible": True})
        found = birthdays.upcoming(rows, today, params["days"])
        with self.db.database.reading_session() as session:
            found = birthdays.with_greetings(session, found, params.get("greeted"))
        page, size = params["page"], params["page_size"]
        return page_of(found[(page - 1) * size: page * size], len(found), page, size)

    @rpc
    def mark_birthday_greeting(self, actor, honouree_id, data=None):
        """Mark the honouree's birthday greeting sent (once per year: a repeat returns the first
        mark): {greeting, created}."""
        actor = load_actor(actor)
        data = load(GreetingSchema(), data or {}, "greeting")
        row = self._card_roster_row(actor, honouree_id)
        if row is None:
            raise NotFound(f"no honouree {honouree_id!r}", {"honouree_id": honouree_id})
        greeting, created = birthdays.mark(self.db, actor, row, data)
        return {"greeting": birthdays.view(greeting), "created": created}
