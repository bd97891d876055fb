"""The ledger's entrypoints: funds, budgets, postings, statements, the auditors' CSV."""
from services.chassis.actor import load_actor
from services.chassis.rpc import rpc
from services.chassis.schemas import load, page_of
from services.chassis.union_tree import Tree

from .. import funds, ledger, statements
from ..schemas.ledger import (
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


class LedgerEntrypoints:

    def _funds_scope(self, actor):
        return Tree(self.registry).scope(actor.unit_id)

    @rpc
    def create_fund(self, actor, data):
        """A fund of a unit in the actor's scope, with its purposes and its (empty) accounts."""
        actor = load_actor(actor)
        data = load(NewFundSchema(), data, "fund")
        scope = self._funds_scope(actor)
        fund = funds.create(self.db, actor, data, scope)
        return funds.view(self.db.session, fund, self.clock.today().year)

    @rpc
    def change_fund(self, actor, fund_id, changes):
        actor = load_actor(actor)
        changes = load(FundChangesSchema(), changes, "fund changes")
        fund = funds.change(self.db, actor, fund_id, changes, self._funds_scope(actor))
        return funds.view(self.db.session, fund, self.clock.today().year)

    @rpc
    def set_budget(self, actor, fund_id, data):
        """A purpose's budget for a year (BudgetSchema); returns the budget with its use."""
        actor = load_actor(actor)
        data = load(BudgetSchema(), data, "budget")
        return funds.budget_view(funds.set_budget(self.db, actor, fund_id, data, self._funds_scope(actor)))

    @rpc
    def get_fund(self, actor, fund_id, query=None):
        """The fund with its balances now and its budgets of a year (FundYearQuerySchema; this year)."""
        actor = load_actor(actor)
        year = load(FundYearQuerySchema(), query or {}, "query").get("year") or self.clock.today().year
        scope = self._funds_scope(actor)
        with self.db.database.reading_session() as session:
            fund = ledger.fund_in_scope(session, fund_id, scope)
            return funds.view(session, fund, year)

    @rpc
    def list_funds(self, actor, query=None):
        actor = load_actor(actor)
        params = load(FundQuerySchema(), query or {}, "query")
        scope = self._funds_scope(actor)
        year = self.clock.today().year
        with self.db.database.reading_session() as session:
            items, total = funds.listing(session, scope, params)
            return page_of(funds.views(session, items, year), total, params["page"], params["page_size"])

    @rpc
    def post(self, actor, request):
        """Move money (PostingRequestSchema), once per idempotency key: a retry gets the first answer,
        a refusal included. Runs in a unit of work of its own, retried on deadlock or serialization
        failure."""
        actor = load_actor(actor)
        request = load(PostingRequestSchema(), request, "posting")
        scope = self._funds_scope(actor)
        return ledger.post_request(self.db.database, actor, request, scope, funds.posting_view)

    @rpc
    def get_posting(self, actor, posting_id):
        actor = load_actor(actor)
        scope = self._funds_scope(actor)
        with self.db.database.reading_session() as session:
            return funds.posting_view(session, funds.posting_in_scope(session, posting_id, scope))

    @rpc
    def list_postings(self, actor, query=None):
        """A page of postings of the funds in scope, newest first (PostingQuerySchema)."""
        actor = load_actor(actor)
        params = load(PostingQuerySchema(), query or {}, "query")
        scope = self._funds_scope(actor)
        with self.db.database.reading_session() as session:
            items, total = funds.postings(session, scope, params)
            return page_of(items, total, params["page"], params["page_size"])

    @rpc
    def fund_statement(self, actor, fund_id, query):
        """Opening balance, a page of the period's lines with the balance after each, closing balance."""
        actor = load_actor(actor)
        params = load(StatementQuerySchema(), query, "query")
        scope = self._funds_scope(actor)
        with self.db.database.reading_session() as session:
            fund = ledger.fund_in_scope(session, fund_id, scope)
            return statements.statement(session.connection(), fund, params)

    @rpc
    def export_postings(self, actor, query):
        """The postings of the funds in scope (or of one) in a period, as CSV text for auditors."""
        actor = load_actor(actor)
        params = load(ExportQuerySchema(), query, "query")
        scope = self._funds_scope(actor)
        with self.db.database.reading_session() as session:
            if params.get("fund_id"):
                ledger.fund_in_scope(session, params["fund_id"], scope)
            return statements.export(session.connection(), scope, params)

    @rpc
    def fund_audit(self, actor, fund_id):
        """Who made and changed the fund and its budgets, when, from what to what; oldest first."""
        from services.chassis.audit import trail_of
        actor = load_actor(actor)
        scope = self._funds_scope(actor)
        with self.db.database.reading_session() as session:
            ledger.fund_in_scope(session, fund_id, scope)
            return trail_of(session, self.db.database.metadata, {"fund": [fund_id]})
