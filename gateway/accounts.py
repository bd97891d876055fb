"""Accounts (账号): who may log in, for which unit, with which roles.

The rules, kept apart from HTTP:

- An account acts for one unit and the units below it, with one or more
  roles (``services.chassis.actor.ROLES``) and, separately, the personal-data
  right (个人信息查看权) to see ID numbers, family income and health in clear.
- An admin creates and changes accounts only for its own unit and the units
  below it, and never grants the personal-data right it does not hold itself.
- Passwords are stored as scrypt hashes; a new or reset account gets a
  one-time password that must be changed before anything else is done.
- A password change or reset, or disabling the account, ends every token
  issued before it (the account's token version moves on); logout ends one.
- Failed logins are counted per account name and per client address; past
  the limit within the window, login answers 429 until the window has moved on.
"""
import base64
import hashlib
import hmac
import os
import re
import secrets
import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import bindparam, delete, func, select

from services.chassis.actor import ROLES, Actor
from services.chassis.audit import record_change
from services.chassis.errors import (
    Conflict,
    Forbidden,
    Invalid,
    NotFound,
    TooManyRequests,
    Unauthenticated,
)

from .models import Account, RevokedToken, login_failures, roles_of

# scrypt at n=2**14, r=8: about 16 MiB and some tens of milliseconds per check, as OWASP suggests
SCRYPT_N, SCRYPT_R, SCRYPT_P, SCRYPT_LENGTH = 2 ** 14, 8, 1, 32
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{2,63}$")
MIN_PASSWORD, MAX_PASSWORD = 10, 128


# --- passwords -------------------------------------------------------------------------------

def hash_password(password):
    salt = os.urandom(16)
    digest = _scrypt(password, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    return "$".join(("scrypt", str(SCRYPT_N), str(SCRYPT_R), str(SCRYPT_P),
                     _b64(salt), _b64(digest)))


def password_matches(stored, password):
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    candidate = _scrypt(password, _unb64(salt), int(n), int(r), int(p))
    return hmac.compare_digest(candidate, _unb64(digest))


def _scrypt(password, salt, n, r, p):
    return hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p,
                          maxmem=64 * 1024 * 1024, dklen=SCRYPT_LENGTH)


def _b64(raw):
    return base64.b64encode(raw).decode("ascii")


def _unb64(text):
    return base64.b64decode(text.encode("ascii"))


# a hash to check wrong account names against, so a login takes as long whether the name exists or not
_DECOY = hash_password(secrets.token_urlsafe(16))


def password_problems(password, username):
    """Why ``password`` may not be used (empty when it may)."""
    problems = []
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        problems.append(f"must be {MIN_PASSWORD} to {MAX_PASSWORD} characters long")
    kinds = sum(bool(re.search(pattern, password)) for pattern in (r"[A-Za-z]", r"[0-9]", r"[^A-Za-z0-9]"))
    if kinds < 2:
        problems.append("must mix at least two of letters, digits and other characters")
    if username and username.lower() in password.lower():
        problems.append("must not contain the account name")
    return problems


def one_time_password():
    # 16 characters from the URL-safe alphabet, with a digit guaranteed
    return secrets.token_urlsafe(12)[:15] + secrets.choice("23456789")


# --- reading ---------------------------------------------------------------------------------

def actor_of(account):
    """The actor of an account (an Account, or a row with its columns)."""
    return Actor(account.username, account.unit_id, roles_of(account.roles), account.personal_data)


def view(account):
    return {
        "id": account.id, "username": account.username, "display_name": account.display_name,
        "unit_id": account.unit_id, "roles": list(account.role_list),
        "personal_data": account.personal_data, "active": account.active,
        "must_change_password": account.must_change_password,
        "created_at": account.created_at.isoformat(), "created_by": account.created_by,
        "updated_at": account.updated_at.isoformat(),
        "password_changed_at": account.password_changed_at.isoformat(),
    }


def audit_view(account):
    return {"username": account.username, "display_name": account.display_name, "unit_id": account.unit_id,
            "roles": account.roles, "personal_data": account.personal_data, "active": account.active}


def get_in_scope(session, account_id, scope):
    """The account, if its unit is within ``scope`` (unit ids); else NotFound, as if absent."""
    account = session.get(Account, account_id)
    if account is None or account.unit_id not in scope:
        raise NotFound(f"no account '{account_id}'", {"account_id": account_id})
    return account


def listing(session, scope, *, unit_id=None, role=None, active=None, page=1, page_size=50):
    query = select(Account).where(Account.unit_id.in_(scope))
    if unit_id is not None:
        query = query.where(Account.unit_id == unit_id)
    if role is not None:
        # roles are stored sorted and comma-separated: match a whole name
        query = query.where(("," + Account.roles + ",").contains(f",{role},"))
    if active is not None:
        query = query.where(Account.active == active)
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    items = session.scalars(query.order_by(Account.unit_id, Account.username)
                            .offset((page - 1) * page_size).limit(page_size)).all()
    return items, total


# --- changing --------------------------------------------------------------------------------

def _check_grant(admin, unit_id, scope, roles, personal_data):
    if unit_id not in scope:
        raise NotFound(f"no unit '{unit_id}' within your scope", {"unit_id": unit_id})
    unknown = sorted(set(roles) - set(ROLES))
    if unknown or not roles:
        raise Invalid("the account has invalid fields",
                      {"roles": [f"one or more of {', '.join(ROLES)}"]})
    if personal_data and not admin.personal_data:
        raise Forbidden("only an admin who holds the personal-data right may grant it",
                        {"personal_data": ["you do not hold this right"]})


def create(uow, admin, scope, data, now):
    """A new account in ``scope`` (the admin's unit and below); returns (account, one-time password)."""
    username = data["username"].strip().lower()
    if not USERNAME.match(username):
        raise Invalid("the account has invalid fields", {"username": [
            "3 to 64 characters: lower-case letters, digits, '.', '_' or '-', starting with a letter or digit"]})
    roles = sorted(set(data["roles"]))
    _check_grant(admin, data["unit_id"], scope, roles, data.get("personal_data", False))
    session = uow.session
    if session.scalar(select(Account.id).where(Account.username == username)) is not None:
        raise Conflict(f"the account name '{username}' is taken", {"username": ["taken"]})
    password = one_time_password()
    account = Account(
        id=uuid.uuid4().hex, username=username, display_name=data["display_name"].strip(),
        unit_id=data["unit_id"], roles=",".join(roles), personal_data=data.get("personal_data", False),
        password_hash=hash_password(password), must_change_password=True, token_version=1, active=True,
        created_at=now, created_by=admin.account, updated_at=now, password_changed_at=now)
    session.add(account)
    session.flush()
    record_change(uow, admin, "account", account.id, "created", None, audit_view(account))
    return account, password


def update(uow, admin, scope, account_id, changes, now):
    """Change an account's name, unit, roles, personal-data right or activity, within scope."""
    account = get_in_scope(uow.session, account_id, scope)
    before = audit_view(account)
    roles = sorted(set(changes.get("roles", account.role_list)))
    unit_id = changes.get("unit_id", account.unit_id)
    personal_data = changes.get("personal_data", account.personal_data)
    if personal_data != account.personal_data or "roles" in changes or "unit_id" in changes:
        _check_grant(admin, unit_id, scope, roles, personal_data and not account.personal_data)
    if account.username == admin.account and changes.get("active") is False:
        raise Conflict("you cannot disable your own account", {"active": ["your own account"]})
    if "display_name" in changes:
        account.display_name = changes["display_name"].strip()
    account.unit_id, account.roles, account.personal_data = unit_id, ",".join(roles), personal_data
    if "active" in changes and changes["active"] != account.active:
        account.active = changes["active"]
        if not account.active:
            account.token_version += 1  # a disabled account's tokens end now
    account.updated_at = now
    record_change(uow, admin, "account", account.id, "updated", before, audit_view(account))
    return account


def reset_password(uow, admin, scope, account_id, now):
    """A new one-time password for an account in scope; every token it had ends."""
    account = get_in_scope(uow.session, account_id, scope)
    password = one_time_password()
    account.password_hash = hash_password(password)
    account.must_change_password = True
    account.token_version += 1
    account.password_changed_at = account.updated_at = now
    record_change(uow, admin, "account", account.id, "password_reset")
    return account, password


def change_password(uow, actor, account_id, current, new, now):
    """The caller's own password change; every token issued before it ends."""
    account = uow.session.get(Account, account_id)
    if account is None or not password_matches(account.password_hash, current):
        raise Invalid("the current password is wrong", {"current_password": ["wrong password"]})
    problems = password_problems(new, account.username)
    if password_matches(account.password_hash, new):
        problems.append("must differ from the current password")
    if problems:
        raise Invalid("the new password cannot be used", {"new_password": problems})
    account.password_hash = hash_password(new)
    account.must_change_password = False
    account.token_version += 1
    account.password_changed_at = account.updated_at = now
    record_change(uow, actor, "account", account.id, "password_changed")
    return account


def create_first_admin(uow, unit_id, username, display_name, now):
    """The city federation's first admin, made by the set-up command; refused once any account exists."""
    session = uow.session
    if session.scalar(select(func.count()).select_from(Account)):
        raise Conflict("accounts exist already; an admin creates further ones", {})
    password = one_time_password()
    account = Account(
        id=uuid.uuid4().hex, username=username, display_name=display_name, unit_id=unit_id,
        roles="admin", personal_data=True, password_hash=hash_password(password),
        must_change_password=True, token_version=1, active=True, created_at=now,
        created_by="set-up command", updated_at=now, password_changed_at=now)
    session.add(account)
    session.flush()
    system = Actor("set-up command", unit_id)
    record_change(uow, system, "account", account.id, "created", None, audit_view(account))
    return account, password


# --- logging in and out ----------------------------------------------------------------------

def check_rate(session, username, remote_addr, now, limits):
    """429 while too many logins failed for this name, or from this address, within the window."""
    max_per_name, max_per_address, window = limits
    since = now - timedelta(seconds=window)
    for column, value, limit in ((login_failures.c.username, username, max_per_name),
                                 (login_failures.c.remote_addr, remote_addr, max_per_address)):
        recent = session.execute(
            select(login_failures.c.at).where(column == value, login_failures.c.at > since)
            .order_by(login_failures.c.at.desc()).limit(limit)).scalars().all()
        if len(recent) >= limit:
            retry_after = max(1, int((recent[-1] + timedelta(seconds=window) - now).total_seconds()) + 1)
            raise TooManyRequests("too many failed logins; try again later", {"retry_after": retry_after})


def authenticate_password(session, username, password):
    """The account if ``password`` is its password and it is active; else None (same time either way)."""
    account_row = session.scalars(select(Account).where(Account.username == username)).first()
    if account_row is None:
        password_matches(_DECOY, password)
        return None
    if not password_matches(account_row.password_hash, password) or not account_row.active:
        return None
    return account_row


def record_failure(uow, username, remote_addr, now, reason):
    uow.session.execute(login_failures.insert().values(
        username=username[:64], remote_addr=remote_addr[:64], at=now, reason=reason))


def forget_failures(uow, username, now, window):
    """A successful login clears the name's failures; old rows of every name go too."""
    uow.session.execute(delete(login_failures).where(login_failures.c.username == username))
    uow.session.execute(delete(login_failures).where(login_failures.c.at <= now - timedelta(seconds=window)))


def revoke(uow, claims, now):
    """Logout: the token's id is refused until the token would have expired; expired ones are dropped."""
    session = uow.session
    session.execute(delete(RevokedToken).where(RevokedToken.expires_at <= now))
    if session.get(RevokedToken, claims["jti"]) is None:
        session.add(RevokedToken(jti=claims["jti"],
                                 expires_at=datetime.fromtimestamp(claims["exp"], UTC)))


ACCOUNTS, REVOKED = Account.__table__, RevokedToken.__table__
# the account and whether this token was logged out, in one query: it runs on every request
CALLER = (select(ACCOUNTS.c.id, ACCOUNTS.c.username, ACCOUNTS.c.unit_id, ACCOUNTS.c.roles,
                 ACCOUNTS.c.personal_data, ACCOUNTS.c.must_change_password, ACCOUNTS.c.active,
                 ACCOUNTS.c.token_version, REVOKED.c.jti.label("revoked"))
          .outerjoin(REVOKED, REVOKED.c.jti == bindparam("jti"))
          .where(ACCOUNTS.c.id == bindparam("sub")))


def caller_of(connection, claims):
    """The account (a row) behind verified token claims, if the token is still good; else Unauthenticated."""
    account = connection.execute(CALLER, {"sub": claims["sub"], "jti": claims["jti"]}).first()
    if account is None or not account.active or account.token_version != claims["ver"]:
        raise Unauthenticated("the bearer token is no longer valid; log in again", {"token": ["revoked"]})
    if account.revoked is not None:
        raise Unauthenticated("the bearer token was ended by logout; log in again", {"token": ["revoked"]})
    return account
