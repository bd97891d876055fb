"""Routes of the welfare ledger (专项资金) over HTTP. Entrypoints only.

Funds and their budgets are read by everyone signed in within scope; money moves only by a
posting, made by finance (财务) with the client's idempotency key in the body: send the same
posting again after a timeout and the answer is the first one, a refusal included. Statements,
postings and the CSV for auditors are for finance and auditors. A fund, posting or statement
outside your scope answers 404 as if absent.
"""
from marshmallow import Schema, fields
from werkzeug.wrappers import Response

from services.welfare.responses import ledger as responses
from services.welfare.schemas.ledger import (
    BudgetSchema,
    ExportQuerySchema,
    FundChangesSchema,
    FundQuerySchema,
    FundYearQuerySchema,
    NewFundSchema,
    PostingQuerySchema,
    PostingRequestSchema,
    StatementQuerySchema,
)

from ..http import http
from ..roles import ANYONE, AUDITORS, FINANCE, LEDGER_READERS

STATE = (404, 409)
TAG = "funds"


class FundAuditOut(Schema):
    """Who made and changed the fund and its budgets, when, from what to what; oldest first."""

    items = fields.List(fields.Nested(responses.FundAuditEntryOut), required=True)


class FundRoutes:
    """Mixed into GatewayService: needs ``welfare`` (an RpcClient)."""

    @http("GET", "/api/v1/funds", roles=ANYONE, query=FundQuerySchema, response=responses.FundPageOut, tag=TAG,
          summary="The funds (专项资金) of the units in your scope, with their balances and this year's budgets")
    def list_funds(self, request, caller, query):
        return self.welfare.list_funds(caller.actor.to_dict(), query)

    @http("POST", "/api/v1/funds", roles=FINANCE, body=NewFundSchema, response=responses.FundOut, status=201,
          errors=STATE, tag=TAG, summary="Make a fund of your unit (or one below) with the purposes it pays for")
    def create_fund(self, request, caller, body):
        return 201, self.welfare.create_fund(caller.actor.to_dict(), body)

    @http("GET", "/api/v1/funds/<string:fund_id>", roles=ANYONE, query=FundYearQuerySchema,
          response=responses.FundOut, errors=(404,), tag=TAG,
          summary="A fund: its balances now and a year's budgets (this year unless given)")
    def get_fund(self, request, caller, fund_id, query):
        return self.welfare.get_fund(caller.actor.to_dict(), fund_id, query)

    @http("PATCH", "/api/v1/funds/<string:fund_id>", roles=FINANCE, body=FundChangesSchema,
          response=responses.FundOut, errors=STATE, tag=TAG,
          summary="Rename a fund or allow it more purposes (a purpose once allowed stays)")
    def change_fund(self, request, caller, fund_id, body):
        return self.welfare.change_fund(caller.actor.to_dict(), fund_id, body)

    @http("POST", "/api/v1/funds/<string:fund_id>/budgets", roles=FINANCE, body=BudgetSchema,
          response=responses.BudgetOut, errors=STATE, tag=TAG,
          summary="Set a purpose's budget for a year (never below what is already used)")
    def set_budget(self, request, caller, fund_id, body):
        return self.welfare.set_budget(caller.actor.to_dict(), fund_id, body)

    @http("GET", "/api/v1/funds/<string:fund_id>/statement", roles=LEDGER_READERS, query=StatementQuerySchema,
          response=responses.StatementOut, errors=(404,), tag=TAG,
          summary="The fund's statement (对账单) for a period: opening balance, lines, closing balance")
    def fund_statement(self, request, caller, fund_id, query):
        return self.welfare.fund_statement(caller.actor.to_dict(), fund_id, query)

    @http("GET", "/api/v1/funds/<string:fund_id>/audit", roles=AUDITORS, response=FundAuditOut, errors=(404,),
          tag=TAG, summary="Who made and changed the fund and its budgets")
    def fund_audit(self, request, caller, fund_id):
        return {"items": self.welfare.fund_audit(caller.actor.to_dict(), fund_id)}

    @http("POST", "/api/v1/postings", roles=FINANCE, body=PostingRequestSchema, response=responses.PostingOut,
          status=201, errors=STATE, tag=TAG,
          summary="Move money by one posting, once per idempotency key (a retry gets the first answer)")
    def post(self, request, caller, body):
        return 201, self.welfare.post(caller.actor.to_dict(), body)

    @http("GET", "/api/v1/postings", roles=LEDGER_READERS, query=PostingQuerySchema,
          response=responses.PostingPageOut, tag=TAG, summary="Postings of the funds in your scope, newest first")
    def list_postings(self, request, caller, query):
        return self.welfare.list_postings(caller.actor.to_dict(), query)

    @http("GET", "/api/v1/postings/export", roles=LEDGER_READERS, query=ExportQuerySchema,
          response=("text/csv", responses.PostingsCsvOut), errors=(404,), tag=TAG,
          summary="The postings of a period as CSV, for auditors (审计): every fund in your scope, or one")
    def export_postings(self, request, caller, query):
        text = self.welfare.within(max(60, self.welfare.timeout)).export_postings(caller.actor.to_dict(), query)
        return Response(text.encode("utf-8"), content_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": 'attachment; filename="postings.csv"'})

    @http("GET", "/api/v1/postings/<string:posting_id>", roles=LEDGER_READERS, response=responses.PostingOut,
          errors=(404,), tag=TAG, summary="A posting (a commitment with its state: open, paid or void)")
    def get_posting(self, request, caller, posting_id):
        return self.welfare.get_posting(caller.actor.to_dict(), posting_id)
