"""Routes of service cards (劳模服务卡), their service items, and birthday greetings (生日慰问).

Officers issue, suspend, resume and cancel cards, change their items and mark greetings; anyone
signed in reads what is in scope (a card is in scope when its honouree is). The catalogue of
service items is read by everyone and kept by the city federation's officers (403 for others).
"""
from marshmallow import Schema, fields

from services.welfare.responses.cards import (
    BirthdayPageOut,
    CardAuditEntryOut,
    GreetingOut,
    ServiceCardOut,
    ServiceCardPageOut,
    ServiceItemOut,
)
from services.welfare.schemas.cards import (
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

from ..http import http
from ..roles import ANYONE, AUDITORS, OFFICERS

TAG = "welfare"
STATE = (404, 409)


class ServiceItemListOut(Schema):
    """The catalogue of service items, by code."""

    items = fields.List(fields.Nested(ServiceItemOut), required=True)


class CardAuditOut(Schema):
    """Who changed the service card, when, from what to what; oldest first."""

    items = fields.List(fields.Nested(CardAuditEntryOut), required=True)


class CardRoutes:
    """Mixed into GatewayService: needs ``welfare`` (an RpcClient)."""

    # --- the catalogue of service items --------------------------------------------------------

    @http("GET", "/api/v1/service-items", roles=ANYONE, query=ServiceItemQuerySchema, response=ServiceItemListOut,
          tag=TAG, summary="The service items (服务项目) a card may carry")
    def list_service_items(self, request, caller, query):
        return {"items": self.welfare.list_service_items(caller.actor.to_dict(), query)}

    @http("POST", "/api/v1/service-items", roles=OFFICERS, body=ServiceItemSchema, response=ServiceItemOut,
          status=201, errors=(403, 409), tag=TAG, summary="Add a service item (the city federation's officers)")
    def create_service_item(self, request, caller, body):
        return 201, self.welfare.create_service_item(caller.actor.to_dict(), body)

    @http("PATCH", "/api/v1/service-items/<string:code>", roles=OFFICERS, body=ServiceItemChangesSchema,
          response=ServiceItemOut, errors=(403, 404), tag=TAG,
          summary="Change a service item's name, description or whether it is offered (the city's officers)")
    def update_service_item(self, request, caller, code, body):
        return self.welfare.update_service_item(caller.actor.to_dict(), code, body)

    # --- service cards -------------------------------------------------------------------------

    @http("GET", "/api/v1/service-cards", roles=ANYONE, query=CardQuerySchema, response=ServiceCardPageOut,
          errors=(404,), tag=TAG, summary="The service cards (劳模服务卡) of honourees in your scope, by number")
    def list_cards(self, request, caller, query):
        return self.welfare.list_cards(caller.actor.to_dict(), query)

    @http("POST", "/api/v1/service-cards", roles=OFFICERS, body=NewCardSchema, response=ServiceCardOut,
          status=201, errors=STATE, tag=TAG,
          summary="Issue a card to an eligible honouree in your scope; 409 naming a live card; a retry with "
                  "the same request_id returns the first card")
    def issue_card(self, request, caller, body):
        return 201, self.welfare.issue_card(caller.actor.to_dict(), body)["card"]

    @http("GET", "/api/v1/service-cards/by-number/<string:card_number>", roles=ANYONE, response=ServiceCardOut,
          tag=TAG, summary="The card with this number, in your scope")
    def find_card(self, request, caller, card_number):
        return self.welfare.find_card(caller.actor.to_dict(), card_number)

    @http("GET", "/api/v1/service-cards/<string:card_id>", roles=ANYONE, response=ServiceCardOut, tag=TAG,
          summary="A service card with its items and state")
    def get_card(self, request, caller, card_id):
        return self.welfare.get_card(caller.actor.to_dict(), card_id)

    @http("POST", "/api/v1/service-cards/<string:card_id>/suspend", roles=OFFICERS, body=CardReasonSchema,
          response=ServiceCardOut, errors=STATE, tag=TAG, summary="Suspend an active card, with the reason")
    def suspend_card(self, request, caller, card_id, body):
        return self.welfare.suspend_card(caller.actor.to_dict(), card_id, body)

    @http("POST", "/api/v1/service-cards/<string:card_id>/resume", roles=OFFICERS, body=CardResumeSchema,
          response=ServiceCardOut, errors=STATE, tag=TAG,
          summary="Resume a suspended card (its honouree still eligible)")
    def resume_card(self, request, caller, card_id, body):
        return self.welfare.resume_card(caller.actor.to_dict(), card_id, body)

    @http("POST", "/api/v1/service-cards/<string:card_id>/cancel", roles=OFFICERS, body=CardReasonSchema,
          response=ServiceCardOut, errors=STATE, tag=TAG, summary="Cancel a live card for good, with the reason")
    def cancel_card(self, request, caller, card_id, body):
        return self.welfare.cancel_card(caller.actor.to_dict(), card_id, body)

    @http("PUT", "/api/v1/service-cards/<string:card_id>/items", roles=OFFICERS, body=CardItemsSchema,
          response=ServiceCardOut, errors=STATE, tag=TAG,
          summary="Set the service items a live card carries (the list replaces the old one)")
    def change_card_items(self, request, caller, card_id, body):
        return self.welfare.change_card_items(caller.actor.to_dict(), card_id, body)

    @http("GET", "/api/v1/service-cards/<string:card_id>/audit", roles=AUDITORS, response=CardAuditOut, tag=TAG,
          summary="The audit trail of a service card")
    def card_audit(self, request, caller, card_id):
        return {"items": self.welfare.card_audit(caller.actor.to_dict(), card_id)}

    # --- birthday greetings --------------------------------------------------------------------

    @http("GET", "/api/v1/birthdays", roles=ANYONE, query=BirthdayQuerySchema, response=BirthdayPageOut, tag=TAG,
          summary="Eligible honourees in your scope with a birthday in the next days (today included), "
                  "and whether each is greeted")
    def upcoming_birthdays(self, request, caller, query):
        return self.welfare.upcoming_birthdays(caller.actor.to_dict(), query)

    @http("POST", "/api/v1/birthdays/<string:honouree_id>/greeting", roles=OFFICERS, body=GreetingSchema,
          response=GreetingOut, status=201, errors=STATE, tag=TAG,
          summary="Mark an honouree's birthday greeting sent, once per year (a repeat returns the first mark)")
    def mark_birthday_greeting(self, request, caller, honouree_id, body):
        return 201, self.welfare.mark_birthday_greeting(caller.actor.to_dict(), honouree_id, body)["greeting"]
