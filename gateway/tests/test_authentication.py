"""Who is calling: 401 without a good token, 403 without a role or before the one-time password is changed."""
from datetime import timedelta

import pytest
from sqlalchemy import select
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from gateway import accounts
from gateway.authentication import PASSWORD_CHANGE_REQUIRED, Authentication
from gateway.models import Account
from gateway.roles import ADMINS, ANYONE, OFFICERS, REVIEWERS
from gateway.tokens import Tokens
from services.chassis.errors import Forbidden, Unauthenticated

from .conftest import AUDIENCE, ISSUER, LIFETIME, NOW

STRONG = "Harbour-light-7"


@pytest.fixture
def authentication(database, tokens, clock):
    """The shared extension as ``setup`` makes it, with the test's database, key and clock."""
    auth = Authentication()
    auth.tokens, auth.clock, auth.database = tokens, clock, database
    return auth


@pytest.fixture
def root(database):
    with database.unit_of_work() as uow:
        account, _ = accounts.create_first_admin(uow, "bj", "root", "City administrator", NOW)
    return accounts.actor_of(account)


def new_officer(database, root, password_changed=True):
    with database.unit_of_work() as uow:
        account, one_time = accounts.create(uow, root, ["bj", "bj-hd"], {
            "username": "li.ming", "display_name": "李明", "unit_id": "bj-hd", "roles": ["officer"]}, NOW)
    if password_changed:
        with database.unit_of_work() as uow:
            account = accounts.change_password(uow, accounts.actor_of(account), account.id, one_time, STRONG, NOW)
    return account


def with_token(token):
    return Request(EnvironBuilder(path="/", headers={"Authorization": f"Bearer {token}"}).get_environ())


def token_of(tokens, account, now=NOW):
    return tokens.issue(account, now)[0]


def test_a_good_token_and_role_make_the_caller(authentication, database, root, tokens):
    officer = new_officer(database, root)
    token, claims = tokens.issue(officer, NOW)
    caller = authentication.caller(with_token(token), OFFICERS)
    assert caller.account_id == officer.id and caller.username == "li.ming"
    assert caller.claims == claims
    assert caller.actor.account == "li.ming" and caller.actor.unit_id == "bj-hd"
    assert caller.actor.roles == ("officer",) and caller.must_change_password is False


def test_no_token_is_401(authentication):
    with pytest.raises(Unauthenticated) as caught:
        authentication.caller(Request(EnvironBuilder(path="/").get_environ()), ANYONE)
    assert caught.value.details == {"token": ["missing"]}


def test_a_token_signed_with_another_key_is_401(authentication, database, root):
    officer = new_officer(database, root)
    forged = token_of(Tokens("o" * 40, ISSUER, AUDIENCE, LIFETIME), officer)
    with pytest.raises(Unauthenticated):
        authentication.caller(with_token(forged), ANYONE)


def test_a_token_expires_by_the_gateways_clock(authentication, database, root, tokens, clock):
    officer = new_officer(database, root)
    token = token_of(tokens, officer)
    clock.advance(seconds=LIFETIME - 1)
    assert authentication.caller(with_token(token), ANYONE).account_id == officer.id
    clock.advance(seconds=1)
    with pytest.raises(Unauthenticated) as caught:
        authentication.caller(with_token(token), ANYONE)
    assert caught.value.details == {"token": ["expired"]}


def test_a_token_ended_by_logout_is_401(authentication, database, root, tokens):
    officer = new_officer(database, root)
    token, claims = tokens.issue(officer, NOW)
    with database.unit_of_work() as uow:
        accounts.revoke(uow, claims, NOW)
    with pytest.raises(Unauthenticated):
        authentication.caller(with_token(token), ANYONE)


def test_a_token_from_before_a_reset_or_of_a_disabled_account_is_401(authentication, database, root, tokens):
    officer = new_officer(database, root)
    before_reset = token_of(tokens, officer)
    with database.unit_of_work() as uow:
        accounts.reset_password(uow, root, ["bj", "bj-hd"], officer.id, NOW)
    with pytest.raises(Unauthenticated):
        authentication.caller(with_token(before_reset), ANYONE)
    with database.unit_of_work() as uow:
        officer = accounts.update(uow, root, ["bj", "bj-hd"], officer.id, {"active": False}, NOW)
    with pytest.raises(Unauthenticated):
        authentication.caller(with_token(token_of(tokens, officer)), ANYONE)


def test_a_role_the_caller_lacks_is_403_naming_both(authentication, database, root, tokens):
    officer = new_officer(database, root)
    with pytest.raises(Forbidden) as caught:
        authentication.caller(with_token(token_of(tokens, officer)), ADMINS)
    assert caught.value.details == {"required_roles": ["admin"], "your_roles": ["officer"]}


def test_roles_are_read_from_the_account_at_every_request(authentication, database, root, tokens):
    officer = new_officer(database, root)
    token = token_of(tokens, officer)
    with pytest.raises(Forbidden):
        authentication.caller(with_token(token), REVIEWERS)
    with database.unit_of_work() as uow:
        accounts.update(uow, root, ["bj", "bj-hd"], officer.id, {"roles": ["reviewer"]}, NOW)
    assert authentication.caller(with_token(token), REVIEWERS).actor.roles == ("reviewer",)
    with pytest.raises(Forbidden):
        authentication.caller(with_token(token), OFFICERS)


def test_a_pending_one_time_password_is_403_except_where_allowed(authentication, database, root, tokens):
    officer = new_officer(database, root, password_changed=False)
    token = token_of(tokens, officer)
    with pytest.raises(Forbidden) as caught:
        authentication.caller(with_token(token), OFFICERS)
    assert caught.value.details == {"reason": PASSWORD_CHANGE_REQUIRED}
    caller = authentication.caller(with_token(token), ANYONE, while_password_pending=True)
    assert caller.must_change_password is True and caller.account_id == officer.id


def test_the_first_admin_must_change_its_password_before_managing_accounts(authentication, database, root,
                                                                           tokens, clock):
    with database.reading_session() as session:
        admin = session.scalars(select(Account)).one()
    with pytest.raises(Forbidden) as caught:
        authentication.caller(with_token(token_of(tokens, admin)), ADMINS)
    assert caught.value.details["reason"] == PASSWORD_CHANGE_REQUIRED
    clock.advance(minutes=1)
    assert authentication.caller(with_token(token_of(tokens, admin, NOW + timedelta(minutes=1))), ADMINS,
                                 while_password_pending=True).username == "root"
