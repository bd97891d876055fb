"""The ledger: funds (seeded: the plan's funds of the default units), their yearly budgets, accounts,
postings, refused requests; postings append-only.

Revision ID: 0002
Revises: 0001
"""
from datetime import datetime, timezone

import sqlalchemy as sa
from alembic import op

from services.chassis.database import UtcDateTime

# the vocabulary as it stood at this revision (services/welfare/vocabulary.py)
FUND_KINDS = ("city_special", "district_aid", "enterprise_aid", "mutual_aid")
PURPOSES = ("condolence", "hardship_aid", "recuperation", "health_check", "sick_visit", "activity", "service_card",
            "public_welfare")
POSTING_KINDS = ("appropriation", "donation", "commitment", "disbursement", "void", "reversal")
CITY_PURPOSES = ("condolence", "hardship_aid", "recuperation", "health_check", "sick_visit", "activity",
                 "service_card")
MUTUAL_AID_PURPOSES = ("condolence", "hardship_aid", "sick_visit", "public_welfare")
DISTRICT_PURPOSES = ("condolence", "hardship_aid", "recuperation", "health_check", "sick_visit", "activity")
# the registry's default districts (services/registry/migrations/versions/0002_default_units.py)
DISTRICTS = (
    ("bj-dongcheng", "东城区总工会"), ("bj-xicheng", "西城区总工会"), ("bj-chaoyang", "朝阳区总工会"),
    ("bj-fengtai", "丰台区总工会"), ("bj-shijingshan", "石景山区总工会"), ("bj-haidian", "海淀区总工会"),
    ("bj-mentougou", "门头沟区总工会"), ("bj-fangshan", "房山区总工会"), ("bj-tongzhou", "通州区总工会"),
    ("bj-shunyi", "顺义区总工会"), ("bj-changping", "昌平区总工会"), ("bj-daxing", "大兴区总工会"),
    ("bj-huairou", "怀柔区总工会"), ("bj-pinggu", "平谷区总工会"), ("bj-miyun", "密云区总工会"),
    ("bj-yanqing", "延庆区总工会"), ("bj-etown", "北京经济技术开发区总工会"),
)

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("entity", sa.String(length=40), nullable=False),
        sa.Column("entity_id", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("account", sa.String(length=64), nullable=False),
        sa.Column("unit_id", sa.String(length=64), nullable=False),
        sa.Column("at", UtcDateTime(), nullable=False),
        sa.Column("changes", sa.Text(), nullable=False),
        sa.Column("correlation_id", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index("ix_audit_log_entity", "audit_log", ["entity", "entity_id"])
    op.create_table(
        "funds",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("request_id", sa.String(length=64), nullable=True),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.Enum(*FUND_KINDS, name="fund_kind", native_enum=False, length=30), nullable=False),
        sa.Column("owner_unit_id", sa.String(length=64), nullable=False),
        sa.Column("purposes", sa.String(length=300), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_funds")),
        sa.UniqueConstraint("code", name=op.f("uq_funds_code")),
        sa.UniqueConstraint("request_id", name=op.f("uq_funds_request_id")),
    )
    op.create_index(op.f("ix_funds_owner_unit_id"), "funds", ["owner_unit_id"])
    op.create_table(
        "budgets",
        sa.Column("fund_id", sa.String(length=32), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.Enum(*PURPOSES, name="purpose", native_enum=False, length=30), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("used", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("used >= 0 AND used <= amount", name=op.f("ck_budgets_within_budget")),
        sa.ForeignKeyConstraint(["fund_id"], ["funds.id"], name=op.f("fk_budgets_fund_id_funds")),
        sa.PrimaryKeyConstraint("fund_id", "year", "purpose", name=op.f("pk_budgets")),
    )
    op.create_table(
        "ledger_accounts",
        sa.Column("id", sa.String(length=48), nullable=False),
        sa.Column("fund_id", sa.String(length=32), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("debits_pending", sa.BigInteger(), nullable=False),
        sa.Column("debits_posted", sa.BigInteger(), nullable=False),
        sa.Column("credits_pending", sa.BigInteger(), nullable=False),
        sa.Column("credits_posted", sa.BigInteger(), nullable=False),
        sa.Column("chain", sa.String(length=64), nullable=False),
        sa.CheckConstraint("role != 'balance' OR credits_posted - debits_posted - debits_pending >= 0",
                           name=op.f("ck_ledger_accounts_not_overdrawn")),
        sa.ForeignKeyConstraint(["fund_id"], ["funds.id"], name=op.f("fk_ledger_accounts_fund_id_funds")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_accounts")),
    )
    op.create_index(op.f("ix_ledger_accounts_fund_id"), "ledger_accounts", ["fund_id"])
    op.create_table(
        "postings",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("idempotency_key", sa.String(length=100), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.Enum(*POSTING_KINDS, name="posting_kind", native_enum=False, length=30),
                  nullable=False),
        sa.Column("fund_id", sa.String(length=32), nullable=False),
        sa.Column("debit_account_id", sa.String(length=48), nullable=False),
        sa.Column("credit_account_id", sa.String(length=48), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("posted_change", sa.BigInteger(), nullable=False),
        sa.Column("pending_change", sa.BigInteger(), nullable=False),
        sa.Column("purpose", sa.Enum(*PURPOSES, name="purpose", native_enum=False, length=30), nullable=True),
        sa.Column("budget_year", sa.Integer(), nullable=True),
        sa.Column("pending_id", sa.String(length=32), nullable=True),
        sa.Column("reverses_id", sa.String(length=32), nullable=True),
        sa.Column("honouree_id", sa.String(length=32), nullable=True),
        sa.Column("reference", sa.String(length=100), nullable=True),
        sa.Column("memo", sa.String(length=500), nullable=False),
        sa.Column("account", sa.String(length=64), nullable=False),
        sa.Column("unit_id", sa.String(length=64), nullable=False),
        sa.Column("at", UtcDateTime(), nullable=False),
        sa.Column("chain", sa.String(length=64), nullable=False),
        sa.CheckConstraint("amount > 0", name=op.f("ck_postings_positive")),
        sa.CheckConstraint("debit_account_id != credit_account_id", name=op.f("ck_postings_two_accounts")),
        sa.ForeignKeyConstraint(["credit_account_id"], ["ledger_accounts.id"],
                                name=op.f("fk_postings_credit_account_id_ledger_accounts")),
        sa.ForeignKeyConstraint(["debit_account_id"], ["ledger_accounts.id"],
                                name=op.f("fk_postings_debit_account_id_ledger_accounts")),
        sa.ForeignKeyConstraint(["fund_id"], ["funds.id"], name=op.f("fk_postings_fund_id_funds")),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_postings")),
        sa.UniqueConstraint("id", name=op.f("uq_postings_id")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_postings_idempotency_key")),
        sa.UniqueConstraint("pending_id", name=op.f("uq_postings_pending_id")),
        sa.UniqueConstraint("reverses_id", name=op.f("uq_postings_reverses_id")),
    )
    op.create_index("ix_postings_fund_seq", "postings", ["fund_id", "seq"])
    op.create_index("ix_postings_fund_at", "postings", ["fund_id", "at", "posted_change"])
    op.create_index("ix_postings_honouree", "postings", ["honouree_id"])
    op.create_index("ix_postings_reference", "postings", ["reference"])
    op.create_table(
        "refused_requests",
        sa.Column("idempotency_key", sa.String(length=100), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("error", sa.String(length=40), nullable=False),
        sa.Column("message", sa.String(length=500), nullable=False),
        sa.Column("details", sa.Text(), nullable=False),
        sa.Column("at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("idempotency_key", name=op.f("pk_refused_requests")),
    )
    append_only("postings")
    seed_funds()


def append_only(table):
    """The database itself refuses to change or delete a posting: corrections are new postings."""
    if op.get_bind().dialect.name == "sqlite":
        for action in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER {table}_append_only_{action.lower()} BEFORE {action} ON {table} "
                       f"BEGIN SELECT RAISE(ABORT, '{table} are append-only'); END")
    else:
        op.execute(f"CREATE FUNCTION {table}_append_only() RETURNS trigger LANGUAGE plpgsql AS "
                   f"$$ BEGIN RAISE EXCEPTION '{table} are append-only'; END $$")
        op.execute(f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                   f"FOR EACH ROW EXECUTE FUNCTION {table}_append_only()")


def seed_funds():
    """The funds the plan names, for the registry's default units: the federation's special fund, the
    mutual-aid fund, and each district's aid fund; empty, without budgets."""
    now = datetime.now(timezone.utc)
    funds = [("bj-special", "北京市总工会劳模专项经费", "city_special", "bj", CITY_PURPOSES),
             ("bj-mutual-aid", "劳模互助专项基金（北京市温暖基金会）", "mutual_aid", "bj", MUTUAL_AID_PURPOSES)]
    funds += [(f"{unit}-aid", f"{name}劳模帮扶专项资金", "district_aid", unit, DISTRICT_PURPOSES)
              for unit, name in DISTRICTS]
    fund_table = sa.table("funds", *(sa.column(c) for c in (
        "id", "code", "name", "kind", "owner_unit_id", "purposes", "version", "created_by", "created_at")))
    accounts = sa.table("ledger_accounts", *(sa.column(c) for c in (
        "id", "fund_id", "role", "debits_pending", "debits_posted", "credits_pending", "credits_posted", "chain")))
    op.bulk_insert(fund_table, [
        {"id": code, "code": code, "name": name, "kind": kind, "owner_unit_id": unit,
         "purposes": ",".join(sorted(purposes)), "version": 1, "created_by": "system", "created_at": now}
        for code, name, kind, unit, purposes in funds])
    op.bulk_insert(accounts, [
        {"id": f"{code}:{role}", "fund_id": code, "role": role, "debits_pending": 0, "debits_posted": 0,
         "credits_pending": 0, "credits_posted": 0, "chain": ""}
        for code, *_ in funds for role in ("appropriations", "balance", "donations", "payees")])


def downgrade():
    if op.get_bind().dialect.name != "sqlite":
        op.execute("DROP TRIGGER postings_append_only ON postings")
        op.execute("DROP FUNCTION postings_append_only()")
    for table in ("refused_requests", "postings", "ledger_accounts", "budgets", "funds", "audit_log"):
        op.drop_table(table)
