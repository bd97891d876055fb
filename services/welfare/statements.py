"""A fund's statement (对账单) for a period, and the postings as CSV for auditors (审计).

Periods are days in Beijing time, both ends included. A statement is the opening balance (every
posted change before the period), the period's lines with the balance after each, and the closing
balance; its lines come a page at a time, each page's running balance starting from the sum of
the lines before it, so a deep page costs one indexed sum, not a walk through the earlier pages.
Commitments change no posted balance: their lines show 0 and the pending change beside it.
"""
import csv
import io
from datetime import datetime, time, timedelta

from sqlalchemy import and_, func, select

from services.chassis.clock import BEIJING
from services.chassis.schemas import page_of
from services.chassis.spreadsheets import cell

from .models.ledger import Fund, Posting

_P = Posting.__table__.c
LINE = (_P.seq, _P.id, _P.at, _P.kind, _P.amount, _P.posted_change, _P.pending_change, _P.purpose,
        _P.budget_year, _P.pending_id, _P.reverses_id, _P.honouree_id, _P.reference, _P.memo, _P.account,
        _P.unit_id, _P.idempotency_key)


def bounds(start, end):
    """The UTC instants of a period of Beijing days: [start 00:00, the day after end 00:00)."""
    return (datetime.combine(start, time(), BEIJING), datetime.combine(end + timedelta(days=1), time(), BEIJING))


def statement(connection, fund, params):
    since, until = bounds(params["start"], params["end"])
    in_period = and_(_P.fund_id == fund.id, _P.at >= since, _P.at < until)
    # int(): PostgreSQL sums bigints as numeric
    opening = int(connection.scalar(select(func.coalesce(func.sum(_P.posted_change), 0))
                                .where(_P.fund_id == fund.id, _P.at < since)))
    totals = connection.execute(select(
        func.count(_P.seq),
        func.coalesce(func.sum(_P.posted_change), 0),
        func.coalesce(func.sum(_P.posted_change).filter(_P.posted_change > 0), 0),
        func.coalesce(func.sum(-_P.posted_change).filter(_P.posted_change < 0), 0),
    ).where(in_period)).one()
    count, net, credits, debits = (int(figure) for figure in totals)
    page, size = params["page"], params["page_size"]
    rows = connection.execute(select(*LINE).where(in_period).order_by(_P.seq)
                              .offset((page - 1) * size).limit(size)).all()
    running = opening
    if rows:
        running += int(connection.scalar(select(func.coalesce(func.sum(_P.posted_change), 0))
                                         .where(in_period, _P.seq < rows[0].seq)))
    lines = []
    for row in rows:
        running += row.posted_change
        lines.append(dict(line_view(row), balance=running))
    return dict(page_of(lines, count, page, size), fund_id=fund.id, fund_code=fund.code, fund_name=fund.name,
                start=params["start"].isoformat(), end=params["end"].isoformat(), opening_balance=opening,
                credits=credits, debits=debits, closing_balance=opening + net)


def line_view(row):
    return {"seq": row.seq, "posting_id": row.id, "at": row.at.isoformat(), "kind": _value(row.kind),
            "amount": row.amount, "posted_change": row.posted_change, "pending_change": row.pending_change,
            "purpose": _value(row.purpose), "budget_year": row.budget_year, "commitment_id": row.pending_id,
            "reverses_id": row.reverses_id, "honouree_id": row.honouree_id, "reference": row.reference,
            "memo": row.memo, "account": row.account, "unit_id": row.unit_id}


# --- the auditors' CSV ---------------------------------------------------------------------------

COLUMNS = ("seq", "posting_id", "at", "fund_code", "kind", "amount_fen", "amount_yuan", "posted_change",
           "pending_change", "purpose", "budget_year", "commitment_id", "reverses_id", "honouree_id",
           "reference", "memo", "account", "unit_id", "idempotency_key", "debit_account_id",
           "credit_account_id", "chain")


def export(connection, scope, params):
    """Every posting of the funds in scope (or of one) in the period, oldest first, as CSV text
    (UTF-8 with a BOM, so spreadsheet programs read the Chinese right)."""
    since, until = bounds(params["start"], params["end"])
    funds = select(Fund.__table__.c.id).where(Fund.__table__.c.owner_unit_id.in_(scope))
    where = [_P.fund_id.in_(funds), _P.at >= since, _P.at < until]
    if params.get("fund_id"):
        where.append(_P.fund_id == params["fund_id"])
    codes = dict(connection.execute(select(Fund.__table__.c.id, Fund.__table__.c.code)).all())
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    query = select(*LINE, _P.fund_id, _P.debit_account_id, _P.credit_account_id, _P.chain).where(*where) \
        .order_by(_P.seq)
    for row in connection.execute(query):
        line = line_view(row)
        writer.writerow([cell(v) for v in (
            row.seq, row.id, line["at"], codes.get(row.fund_id, row.fund_id), line["kind"], row.amount,
            f"{row.amount // 100}.{row.amount % 100:02d}", row.posted_change, row.pending_change, line["purpose"],
            row.budget_year, row.pending_id, row.reverses_id, row.honouree_id, row.reference, row.memo,
            row.account, row.unit_id, row.idempotency_key, row.debit_account_id, row.credit_account_id,
            row.chain)])
    return out.getvalue()


def _value(member):
    return getattr(member, "value", member)
