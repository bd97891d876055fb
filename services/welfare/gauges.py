"""The welfare ledger's business figures for Prometheus: each fund's money against its year's budget.

Labels are the fund's code and kind. Funds are few and made by the city's finance staff (a city fund,
the mutual-aid fund, one aid fund per district or large employer), so the series stay bounded; past
``MAX_FUND_SERIES`` funds the rest are summed under ``fund="other"`` rather than grow without end.
Amounts are yuan (元), from the ledger's integer fen.
"""
from sqlalchemy import select

from . import funds
from .models.ledger import Fund

MAX_FUND_SERIES = 100
FIGURES = (
    ("laomo_fund_balance_yuan", "Money posted to the fund, commitments not deducted.", "posted"),
    ("laomo_fund_committed_yuan", "Money promised by open commitments (pending payments).", "pending"),
    ("laomo_fund_available_yuan", "Money the fund can still commit or pay: balance less commitments.",
     "available"),
    ("laomo_fund_budget_yuan", "The fund's budget for this year, over all purposes.", "budget"),
    ("laomo_fund_budget_used_yuan", "This year's budget spent or committed.", "budget_used"),
)


def figures(session, today):
    rows = {}
    ordered = session.scalars(select(Fund).order_by(Fund.code)).all()
    for index, view in enumerate(funds.views(session, ordered, today.year)):
        labels = (view["code"], view["kind"]) if index < MAX_FUND_SERIES else ("other", "other")
        figures_of = rows.setdefault(labels, dict.fromkeys(("posted", "pending", "available", "budget",
                                                            "budget_used"), 0))
        for key in ("posted", "pending", "available"):
            figures_of[key] += view["balances"][key]
        figures_of["budget"] += sum(b["amount"] for b in view["budgets"])
        figures_of["budget_used"] += sum(b["used"] for b in view["budgets"])
    return [(name, help_text, {"fund": code, "kind": kind}, figures_of[key] / 100)
            for name, help_text, key in FIGURES for (code, kind), figures_of in rows.items()]
