"""The ledger's tables: funds, their yearly budgets, accounts, postings, refused requests.

Each fund has a small chart of accounts of its own (``<fund id>:balance`` and its counterparts
``:appropriations``, ``:donations``, ``:payees``), so a posting touches the rows of one fund only:
two funds never wait on each other, and a fund's rows are locked in one order (by account id).
The account rows keep running totals (TigerBeetle's debits/credits, pending and posted) that the
invariant check (``services/welfare/invariants.py``) recomputes from the postings.

Postings are append-only: the migration adds triggers that refuse UPDATE and DELETE on them.
A commitment stays pending until a later posting resolves it (``pending_id``, unique): a
disbursement posts it, a void releases it.
"""
from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from services.chassis.database import UtcDateTime, enum_of

from ..vocabulary import FundKind, PostingKind, Purpose
from . import Base


class Fund(Base):
    """A special fund (专项资金) of a unit: what it may pay for, and its accounts."""

    __tablename__ = "funds"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    request_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[FundKind] = mapped_column(enum_of(FundKind, "fund_kind"))
    owner_unit_id: Mapped[str] = mapped_column(String(64), index=True)
    purposes: Mapped[str] = mapped_column(String(300))  # comma-separated Purpose values (专款专用)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at = mapped_column(UtcDateTime, nullable=False)


class Budget(Base):
    """A fund's yearly budget for one purpose, and how much of it is spent or committed."""

    __tablename__ = "budgets"
    __table_args__ = (
        CheckConstraint("used >= 0 AND used <= amount", name="within_budget"),
    )

    fund_id: Mapped[str] = mapped_column(ForeignKey("funds.id"), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    purpose: Mapped[Purpose] = mapped_column(enum_of(Purpose, "purpose"), primary_key=True)
    amount: Mapped[int] = mapped_column(BigInteger)
    used: Mapped[int] = mapped_column(BigInteger, default=0)  # committed + disbursed - released - reversed


class LedgerAccount(Base):
    """One account of a fund's chart, with its running totals in fen."""

    __tablename__ = "ledger_accounts"
    __table_args__ = (
        # the fund itself can never be overdrawn, pending commitments included: the database says so too
        CheckConstraint("role != 'balance' OR credits_posted - debits_posted - debits_pending >= 0",
                        name="not_overdrawn"),
    )

    id: Mapped[str] = mapped_column(String(48), primary_key=True)  # "<fund id>:<role>"
    fund_id: Mapped[str] = mapped_column(ForeignKey("funds.id"), index=True)
    role: Mapped[str] = mapped_column(String(20))  # balance | appropriations | donations | payees
    debits_pending: Mapped[int] = mapped_column(BigInteger, default=0)
    debits_posted: Mapped[int] = mapped_column(BigInteger, default=0)
    credits_pending: Mapped[int] = mapped_column(BigInteger, default=0)
    credits_posted: Mapped[int] = mapped_column(BigInteger, default=0)
    chain: Mapped[str] = mapped_column(String(64), default="")  # the balance account's last posting hash


class Posting(Base):
    """One double-entry posting: ``amount`` fen from the debit account to the credit account."""

    __tablename__ = "postings"
    __table_args__ = (
        CheckConstraint("amount > 0", name="positive"),
        CheckConstraint("debit_account_id != credit_account_id", name="two_accounts"),
        Index("ix_postings_fund_seq", "fund_id", "seq"),
        Index("ix_postings_fund_at", "fund_id", "at", "posted_change"),
        Index("ix_postings_honouree", "honouree_id"),
        Index("ix_postings_reference", "reference"),
    )

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(32), unique=True)
    idempotency_key: Mapped[str] = mapped_column(String(100), unique=True)
    digest: Mapped[str] = mapped_column(String(64))  # of the request: the same key with other content is refused
    kind: Mapped[PostingKind] = mapped_column(enum_of(PostingKind, "posting_kind"))
    fund_id: Mapped[str] = mapped_column(ForeignKey("funds.id"))
    debit_account_id: Mapped[str] = mapped_column(ForeignKey("ledger_accounts.id"))
    credit_account_id: Mapped[str] = mapped_column(ForeignKey("ledger_accounts.id"))
    amount: Mapped[int] = mapped_column(BigInteger)
    posted_change: Mapped[int] = mapped_column(BigInteger)  # + or - on the fund's posted balance
    pending_change: Mapped[int] = mapped_column(BigInteger)  # + or - on the fund's pending commitments
    purpose: Mapped[Purpose | None] = mapped_column(enum_of(Purpose, "purpose"), nullable=True)
    budget_year: Mapped[int | None] = mapped_column(Integer, nullable=True)
    pending_id: Mapped[str | None] = mapped_column(String(32), unique=True)  # the commitment resolved
    reverses_id: Mapped[str | None] = mapped_column(String(32), unique=True)  # the posting reversed
    honouree_id: Mapped[str | None] = mapped_column(String(32))  # the payee, when a person
    reference: Mapped[str | None] = mapped_column(String(100))  # what it pays for: "hardship:<id>", ...
    memo: Mapped[str] = mapped_column(String(500), default="")
    account: Mapped[str] = mapped_column(String(64))  # who posted it
    unit_id: Mapped[str] = mapped_column(String(64))  # for which unit
    at = mapped_column(UtcDateTime, nullable=False)
    chain: Mapped[str] = mapped_column(String(64))  # sha256 of the fund's previous chain and this posting


class RefusedRequest(Base):
    """A posting request the ledger refused: a retry with the same key gets the same refusal."""

    __tablename__ = "refused_requests"

    idempotency_key: Mapped[str] = mapped_column(String(100), primary_key=True)
    digest: Mapped[str] = mapped_column(String(64))
    error: Mapped[str] = mapped_column(String(40))
    message: Mapped[str] = mapped_column(String(500))
    details: Mapped[str] = mapped_column(Text)
    at = mapped_column(UtcDateTime, nullable=False)
