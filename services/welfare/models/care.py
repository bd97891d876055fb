"""Care: the Spring Festival condolence campaigns (春节慰问) and their batches.

A campaign (慰问活动) says who pays how much: an amount in fen per honour level, the paying fund,
and optionally a fund per district. Running it makes a batch (批次): the eligible honourees are
snapshotted into items, one per campaign and honouree (a unique constraint: nobody is on a
campaign twice), and a runner pays the items in chunks. An item paid keeps its posting; a failed
one keeps the ledger's reason and is retried by the next run. The batch's counters are kept in
the same transactions as its items, so its progress is always consistent.

``lease_owner``/``lease_until`` say which runner works the batch: a runner renews its lease with
every chunk; a dead runner's lease runs out and another picks the batch up.
"""
import enum

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services.chassis.database import UtcDateTime, enum_of

from . import Base


class Level(enum.Enum):
    """Honour levels, highest first: an honouree's amount is their highest active honour's."""

    NATIONAL = "national"      # 全国劳模
    MUNICIPAL = "municipal"    # 北京市劳模、先进工作者
    DISTRICT = "district"      # 区级劳模


class BatchState(enum.Enum):
    RUNNING = "running"    # items left to pay (a runner holds it, or will pick it up)
    FINISHED = "finished"  # every item paid, failed or left out


class ItemState(enum.Enum):
    PENDING = "pending"    # to pay
    PAID = "paid"          # paid: the posting is kept
    FAILED = "failed"      # the ledger refused (not enough money, over budget): retried by the next run
    LEFT_OUT = "left_out"  # not paid: the person's care stopped (last honour revoked)


class CondolenceCampaign(Base):
    """A Spring Festival condolence campaign of a unit (owner), for its scope."""

    __tablename__ = "condolence_campaigns"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    request_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(100))
    year: Mapped[int] = mapped_column(Integer)  # the festival's year: also the budget year paid from
    amount_national: Mapped[int] = mapped_column(BigInteger)  # fen
    amount_municipal: Mapped[int] = mapped_column(BigInteger)
    amount_district: Mapped[int] = mapped_column(BigInteger)
    fund_id: Mapped[str] = mapped_column(ForeignKey("funds.id"))  # pays unless the district has its own
    owner_unit_id: Mapped[str] = mapped_column(String(64), index=True)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at = mapped_column(UtcDateTime, nullable=False)


class CondolenceDistrictFund(Base):
    """The fund that pays the campaign's honourees of one district."""

    __tablename__ = "condolence_district_funds"

    campaign_id: Mapped[str] = mapped_column(ForeignKey("condolence_campaigns.id"), primary_key=True)
    district_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    fund_id: Mapped[str] = mapped_column(ForeignKey("funds.id"))


class CondolenceBatch(Base):
    """One run of a campaign: its counters, its times, and the lease of the runner working it."""

    __tablename__ = "condolence_batches"
    __table_args__ = (
        UniqueConstraint("campaign_id", "number", name="uq_condolence_batches_campaign_number"),
        Index("ix_condolence_batches_state", "state", "started_at"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    request_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    campaign_id: Mapped[str] = mapped_column(ForeignKey("condolence_campaigns.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)  # the campaign's first run, second run, ...
    state: Mapped[BatchState] = mapped_column(enum_of(BatchState, "condolence_batch_state"))
    total: Mapped[int] = mapped_column(Integer)  # items taken into this run
    paid: Mapped[int] = mapped_column(Integer)
    failed: Mapped[int] = mapped_column(Integer)
    left_out: Mapped[int] = mapped_column(Integer)
    already_paid: Mapped[int] = mapped_column(Integer)  # eligible but paid by an earlier run: skipped
    started_by: Mapped[str] = mapped_column(String(64))
    started_at = mapped_column(UtcDateTime, nullable=False)
    finished_at = mapped_column(UtcDateTime, nullable=True)
    lease_owner: Mapped[str | None] = mapped_column(String(100))
    lease_until = mapped_column(UtcDateTime, nullable=True)  # wall time, not the service's clock


class CondolenceItem(Base):
    """One honouree of a campaign: what they get, from which fund, and what became of it."""

    __tablename__ = "condolence_items"
    __table_args__ = (
        UniqueConstraint("campaign_id", "honouree_id", name="uq_condolence_items_campaign_honouree"),
        Index("ix_condolence_items_batch_state", "batch_id", "state", "id"),
        Index("ix_condolence_items_honouree", "honouree_id", "state"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)  # also the paying order
    campaign_id: Mapped[str] = mapped_column(ForeignKey("condolence_campaigns.id"))
    batch_id: Mapped[str] = mapped_column(ForeignKey("condolence_batches.id"))  # the run that last took it
    honouree_id: Mapped[str] = mapped_column(String(32))
    managing_unit_id: Mapped[str] = mapped_column(String(64))
    district_id: Mapped[str | None] = mapped_column(String(64))
    level: Mapped[Level] = mapped_column(enum_of(Level, "condolence_level"))
    fund_id: Mapped[str] = mapped_column(ForeignKey("funds.id"))
    amount: Mapped[int] = mapped_column(BigInteger)  # fen
    state: Mapped[ItemState] = mapped_column(enum_of(ItemState, "condolence_item_state"))
    reason: Mapped[str | None] = mapped_column(String(500))  # why it failed or was left out
    posting_id: Mapped[str | None] = mapped_column(String(32))
    attempts: Mapped[int] = mapped_column(Integer)
    paid_at = mapped_column(UtcDateTime, nullable=True)
    updated_at = mapped_column(UtcDateTime, nullable=False)
