"""Service cards (劳模服务卡) and the service items (服务项目) they carry.

The catalogue of service items is the city's: only officers of the city federation add or change
items. An inactive item goes on no new card and into no change of items; cards that carry it keep it.

A card is issued to an eligible honouree (an active honour, alive: the registry's roster says) in
the issuer's scope, with a unique number ``LM`` + year + six-digit sequence + a check digit (Luhn
over the ten digits), e.g. ``LM20260000018``. States:

    active ──suspend──▶ suspended ──resume──▶ active
    active | suspended ──cancel──▶ cancelled (final)

An honouree has at most one live (active or suspended) card: the database holds that rule too
(``live_honouree_id`` is unique). Issuing another is a 409 that names the live card; a retry with
the same ``request_id`` returns the first card. Every change is audited; issue, suspension,
resumption and cancellation are events (no personal data: ids, number, status).

The caller's entrypoint has asked the registry's roster for the honouree (before the unit of work
opened): ``row`` below is that roster row, and a card whose honouree is not in the actor's roster
is not found, as if absent.
"""
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from services.chassis.actor import SYSTEM
from services.chassis.audit import record_change, trail_of
from services.chassis.database import earlier_request, new_id
from services.chassis.errors import Conflict, Forbidden, Invalid, NotFound
from services.chassis.people import must_be_eligible

from .models.cards import (
    LIVE,
    CardNumberSequence,
    CardStatus,
    ServiceCard,
    ServiceCardItem,
    ServiceItem,
)

PREFIX = "LM"
SEQUENCE_DIGITS = 6
MAX_SEQUENCE = 10 ** SEQUENCE_DIGITS - 1


# --- card numbers -------------------------------------------------------------------------------

def luhn_digit(digits):
    """The Luhn check digit of a string of digits (catches any one wrong digit and most swaps)."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 0:  # the digit next to the check digit is doubled
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return str((10 - total % 10) % 10)


def format_number(year, sequence):
    body = f"{year:04d}{sequence:0{SEQUENCE_DIGITS}d}"
    return f"{PREFIX}{body}{luhn_digit(body)}"


def is_card_number(text):
    """Whether ``text`` reads as a card number: LM, ten digits, and the right check digit."""
    if not isinstance(text, str) or len(text) != len(PREFIX) + 4 + SEQUENCE_DIGITS + 1:
        return False
    body, check = text[len(PREFIX):-1], text[-1]
    return text.startswith(PREFIX) and (body + check).isascii() and (body + check).isdigit() \
        and luhn_digit(body) == check


def year_counter(session, year):
    """The year's counter row, under lock (FOR UPDATE on PostgreSQL; on SQLite every write
    transaction holds the database's write lock from BEGIN IMMEDIATE): issues wait here in turn."""
    counter = session.get(CardNumberSequence, year, with_for_update=True, populate_existing=True)
    if counter is None:
        try:
            with session.begin_nested():
                counter = CardNumberSequence(year=year, last=0)
                session.add(counter)
        except IntegrityError:  # another issuer made the year's row first: take it in turn
            counter = session.get(CardNumberSequence, year, with_for_update=True, populate_existing=True)
    return counter


def next_number(counter):
    """The next number of a counter taken with :func:`year_counter`: never one given before (the
    unique constraint on card_number backs that up); cancelled cards' numbers are not reused."""
    if counter.last >= MAX_SEQUENCE:
        raise Conflict(f"the card numbers of {counter.year} are used up", {"year": counter.year})
    counter.last += 1
    return format_number(counter.year, counter.last)


# --- the catalogue ------------------------------------------------------------------------------

def must_be_city(unit):
    if unit.get("tier") != "city":
        raise Forbidden("only the city federation's officers manage the service items",
                        {"unit_id": unit.get("id")})


def item(session, code, lock=False):
    found = session.get(ServiceItem, code, with_for_update=lock or None) if isinstance(code, str) else None
    if found is None:
        raise NotFound(f"no service item {code!r}", {"code": code})
    return found


def items(session, active=None):
    query = select(ServiceItem).order_by(ServiceItem.code)
    if active is not None:
        query = query.where(ServiceItem.active == active)
    return session.scalars(query).all()


def create_item(uow, actor, data):
    session, now = uow.session, uow.database.clock.now()
    if session.get(ServiceItem, data["code"]) is not None:
        raise Conflict("a service item with this code exists already", {"code": data["code"]})
    made = ServiceItem(code=data["code"], name=data["name"], description=data["description"],
                       active=data["active"], created_at=now, updated_at=now)
    try:
        with session.begin_nested():
            session.add(made)
    except IntegrityError:  # made by another request in between
        raise Conflict("a service item with this code exists already", {"code": data["code"]}) from None
    record_change(uow, actor, "service_item", made.code, "created", None, item_snapshot(made))
    return made


def change_item(uow, actor, code, changes):
    session = uow.session
    found = item(session, code, lock=True)
    before = item_snapshot(found)
    for name in ("name", "description", "active"):
        if name in changes:
            setattr(found, name, changes[name])
    after = item_snapshot(found)
    if after != before:
        found.updated_at = uow.database.clock.now()
        record_change(uow, actor, "service_item", found.code, "changed", before, after)
    return found


def item_snapshot(found):
    return {"name": found.name, "description": found.description, "active": found.active}


def item_view(found):
    return dict(item_snapshot(found), code=found.code, created_at=found.created_at.isoformat(),
                updated_at=found.updated_at.isoformat())


def checked_items(session, codes, keep=()):
    """The codes, each an active catalogue item (or one in ``keep``: what the card carries already)."""
    known = {i.code: i for i in session.scalars(select(ServiceItem).where(ServiceItem.code.in_(codes)))}
    errors = {}
    for code in codes:
        if code not in known:
            errors[code] = ["no such service item"]
        elif not known[code].active and code not in keep:
            errors[code] = ["the service item is no longer offered"]
    if errors:
        raise Invalid("the card's service items must be active items of the catalogue", {"items": errors})
    return sorted(codes)


# --- cards --------------------------------------------------------------------------------------

def not_found(card_id):
    return NotFound(f"no service card {card_id!r}", {"card_id": card_id})


def get(session, card_id, lock=False):
    card = None
    if isinstance(card_id, str) and len(card_id) <= 32:
        card = session.get(ServiceCard, card_id, with_for_update=lock or None, populate_existing=lock)
    if card is None:
        raise not_found(card_id)
    return card


def by_number(session, card_number):
    card = None
    if isinstance(card_number, str) and len(card_number) <= 16:
        card = session.scalar(select(ServiceCard).where(ServiceCard.card_number == card_number))
    if card is None:
        raise NotFound(f"no service card numbered {card_number!r}", {"card_number": card_number})
    return card


def live_card(session, honouree_id, lock=False):
    query = select(ServiceCard).where(ServiceCard.live_honouree_id == honouree_id)
    if lock:
        query = query.with_for_update()
    return session.scalar(query)


def live_conflict(card):
    return Conflict(f"the honouree has a live service card already: {card.card_number}",
                    {"card_id": card.id, "card_number": card.card_number, "status": card.status.value,
                     "honouree_id": card.honouree_id})


def issue(uow, actor, data, row):
    """A new active card for the honouree of ``row`` (in scope); returns (card, new)."""
    session, clock = uow.session, uow.database.clock
    now = clock.now()
    codes = checked_items(session, data["items"])
    # the year's counter first: issues wait there in turn, so what is read below (an earlier
    # request, a live card) is what every issue before this one committed
    counter = year_counter(session, clock.today().year)
    earlier = earlier_request(session, ServiceCard, data.get("request_id"))
    if earlier is not None:
        return retried(earlier, data), False
    must_be_eligible(row, "no card can be issued")
    live = live_card(session, row["honouree_id"])
    if live is not None:
        raise live_conflict(live)
    card = ServiceCard(
        id=new_id(), request_id=data.get("request_id"), card_number=next_number(counter), honouree_id=row["honouree_id"],
        live_honouree_id=row["honouree_id"], managing_unit_id=row["managing_unit_id"],
        issued_by_unit_id=actor.unit_id, status=CardStatus.ACTIVE, version=1, issued_by_account=actor.account,
        issued_at=now, updated_at=now, items=[ServiceCardItem(item_code=code) for code in codes])
    try:
        with session.begin_nested():
            session.add(card)
    except IntegrityError:
        # another issue for this honouree (or with this request_id) committed in between
        earlier = earlier_request(session, ServiceCard, data.get("request_id"))
        if earlier is not None:
            return retried(earlier, data), False
        live = live_card(session, row["honouree_id"])
        if live is not None:
            raise live_conflict(live) from None
        raise
    record_change(uow, actor, "service_card", card.id, "issued", None, snapshot(card))
    uow.record_event("service_card_issued", event_of(card))
    return card, True


def retried(earlier, data):
    if earlier.honouree_id != data["honouree_id"]:
        raise Conflict("this request_id was used for another honouree's card",
                       {"request_id": earlier.request_id, "card_id": earlier.id})
    return earlier


def _move(uow, actor, card_id, row, allowed, what):
    card = get(uow.session, card_id, lock=True)
    if card.honouree_id != row["honouree_id"]:  # the entrypoint asked the roster about another card
        raise not_found(card_id)
    if card.status not in allowed:
        raise Conflict(f"a {card.status.value} card cannot be {what}",
                       {"card_id": card.id, "status": card.status.value,
                        "allowed_from": [s.value for s in allowed]})
    before = snapshot(card)
    card.managing_unit_id = row["managing_unit_id"]  # the registry's, as of now
    return card, before


def _changed(uow, actor, card, before, action, event=None, note=None):
    card.version += 1
    card.updated_at = uow.database.clock.now()
    uow.session.flush()
    after = snapshot(card)
    if note:  # a note of the change, for the trail only
        after["note"] = note
    record_change(uow, actor, "service_card", card.id, action, before, after)
    if event:
        uow.record_event(event, event_of(card))
    return card


def suspend(uow, actor, card_id, reason, row):
    card, before = _move(uow, actor, card_id, row, (CardStatus.ACTIVE,), "suspended")
    card.status = CardStatus.SUSPENDED
    card.suspension_reason = reason
    card.suspended_at = uow.database.clock.now()
    return _changed(uow, actor, card, before, "suspended", "service_card_suspended")


def resume(uow, actor, card_id, note, row):
    card, before = _move(uow, actor, card_id, row, (CardStatus.SUSPENDED,), "resumed")
    must_be_eligible(row, "the card cannot be resumed")
    card.status = CardStatus.ACTIVE
    card.suspended_at = None
    return _changed(uow, actor, card, before, "resumed", "service_card_resumed", note)


def cancel(uow, actor, card_id, reason, row):
    card, before = _move(uow, actor, card_id, row, LIVE, "cancelled")
    return _cancelled(uow, actor, card, before, reason)


def _cancelled(uow, actor, card, before, reason):
    now = uow.database.clock.now()
    card.status = CardStatus.CANCELLED
    card.live_honouree_id = None
    card.cancellation_reason = reason
    card.cancelled_at = now
    card.cancelled_by_account = actor.account
    return _changed(uow, actor, card, before, "cancelled", "service_card_cancelled")


def change_items(uow, actor, card_id, codes, row):
    card, before = _move(uow, actor, card_id, row, LIVE, "changed")
    held = {i.item_code for i in card.items}
    wanted = checked_items(uow.session, codes, keep=held)
    if set(wanted) == held:
        return card
    kept = [i for i in card.items if i.item_code in wanted]
    card.items = kept + [ServiceCardItem(item_code=code) for code in wanted if code not in held]
    return _changed(uow, actor, card, before, "items_changed")


def cancel_for_revocation(uow, honouree_id, reason):
    """On revocation of an honouree's last active honour: cancel the live card, as the system.

    Idempotent: with no live card (none issued, or cancelled already) nothing changes and None is
    returned; else the cancelled card's view."""
    card = live_card(uow.session, honouree_id, lock=True)
    if card is None:
        return None
    return view(_cancelled(uow, SYSTEM, card, snapshot(card), reason))


# --- reading ------------------------------------------------------------------------------------

def listing(session, rows, status=None, honouree_id=None, page=1, page_size=50):
    """The cards of the honourees in ``rows`` (roster rows of the scope), by card number."""
    query = select(ServiceCard.id, ServiceCard.honouree_id).order_by(ServiceCard.card_number)
    if status is not None:
        query = query.where(ServiceCard.status == CardStatus(status))
    if honouree_id is not None:
        query = query.where(ServiceCard.honouree_id == honouree_id)
    wanted = [card_id for card_id, holder in session.execute(query) if holder in rows]
    chosen = wanted[(page - 1) * page_size: page * page_size]
    found = {c.id: c for c in session.scalars(select(ServiceCard).where(ServiceCard.id.in_(chosen)))} \
        if chosen else {}
    return [found[card_id] for card_id in chosen], len(wanted)


def audit(session, metadata, card):
    return trail_of(session, metadata, {"service_card": [card.id]})


def snapshot(card):
    return {"status": card.status.value, "items": sorted(i.item_code for i in card.items),
            "managing_unit_id": card.managing_unit_id, "suspension_reason": card.suspension_reason,
            "cancellation_reason": card.cancellation_reason}


def event_of(card):
    return {"card_id": card.id, "card_number": card.card_number, "honouree_id": card.honouree_id,
            "status": card.status.value}


def view(card, row=None):
    """The card; ``row`` (its honouree's roster row) gives the name and current managing unit."""
    def at(value):
        return value.isoformat() if value is not None else None
    return {"id": card.id, "card_number": card.card_number, "honouree_id": card.honouree_id,
            "honouree_name": row["name"] if row else None,
            "managing_unit_id": row["managing_unit_id"] if row else card.managing_unit_id,
            "status": card.status.value, "items": sorted(i.item_code for i in card.items),
            "issued_by_unit_id": card.issued_by_unit_id, "issued_by_account": card.issued_by_account,
            "issued_at": at(card.issued_at), "suspension_reason": card.suspension_reason,
            "suspended_at": at(card.suspended_at), "cancellation_reason": card.cancellation_reason,
            "cancelled_at": at(card.cancelled_at), "cancelled_by_account": card.cancelled_by_account,
            "request_id": card.request_id, "version": card.version, "updated_at": at(card.updated_at)}
