"""The gateway's own tables: accounts, revoked tokens, failed logins, and the audit trail of account changes."""
from sqlalchemy import Boolean, Column, Index, Integer, String, Table, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from services.chassis.audit import audit_table
from services.chassis.database import UtcDateTime, service_metadata


class Base(DeclarativeBase):
    metadata = service_metadata()


audit_table(Base.metadata)


def roles_of(text):
    """Roles as stored (sorted, comma-separated) to a tuple."""
    return tuple(role for role in text.split(",") if role)


class Account(Base):
    """A person's login; acts for one unit (and the units below it) with some roles."""
    __tablename__ = "accounts"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    unit_id: Mapped[str] = mapped_column(String(64), index=True)
    roles: Mapped[str] = mapped_column(String(200))  # comma-separated, sorted
    personal_data: Mapped[bool] = mapped_column(Boolean, default=False)
    password_hash: Mapped[str] = mapped_column(String(300))
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=True)
    # every token carries the version it was issued under; a password change or reset bumps it
    token_version: Mapped[int] = mapped_column(Integer, default=1)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at = mapped_column(UtcDateTime, nullable=False)
    created_by: Mapped[str] = mapped_column(String(64))
    updated_at = mapped_column(UtcDateTime, nullable=False)
    password_changed_at = mapped_column(UtcDateTime, nullable=False)

    @property
    def role_list(self):
        return roles_of(self.roles)


class RevokedToken(Base):
    """A token ended by logout before its expiry; kept until it would have expired anyway."""
    __tablename__ = "revoked_tokens"

    jti: Mapped[str] = mapped_column(String(32), primary_key=True)
    expires_at = mapped_column(UtcDateTime, nullable=False, index=True)


login_failures = Table(
    "login_failures", Base.metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("username", String(64), nullable=False),
    Column("remote_addr", String(64), nullable=False),
    Column("at", UtcDateTime, nullable=False),
    Column("reason", Text, nullable=False),
    Index("ix_login_failures_username_at", "username", "at"),
    Index("ix_login_failures_remote_addr_at", "remote_addr", "at"),
)
