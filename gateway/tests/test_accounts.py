"""Accounts against a migrated gateway database (SQLite, and PostgreSQL under ``make test``)."""
import base64
import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from gateway import accounts
from gateway.models import Account, Base, RevokedToken, login_failures
from services.chassis.actor import Actor
from services.chassis.audit import trail_of
from services.chassis.errors import (
    Conflict,
    Forbidden,
    Invalid,
    NotFound,
    TooManyRequests,
    Unauthenticated,
)

from .conftest import NOW

CITY, DISTRICT, STREET, ELSEWHERE = "bj", "bj-hd", "bj-hd-zgc", "sh"
SCOPE = [CITY, DISTRICT, STREET]  # the city admin's: its unit and every unit below it
DISTRICT_SCOPE = [DISTRICT, STREET]
LIMITS = (5, 30, 900)  # failures per name, per address, window in seconds
STRONG = "Harbour-light-7"


# --- helpers ---------------------------------------------------------------------------------------

@pytest.fixture
def root(database):
    """The city federation's first admin (holds the personal-data right), as an Actor."""
    with database.unit_of_work() as uow:
        account, _ = accounts.create_first_admin(uow, CITY, "root", "City administrator", NOW)
    return accounts.actor_of(account)


@pytest.fixture
def district_admin():
    """A district admin without the personal-data right (need not exist as an account)."""
    return Actor("hd-admin", DISTRICT, ("admin",), False)


def create(database, admin, scope=SCOPE, now=NOW, **data):
    data = {"username": "li.ming", "display_name": "李明", "unit_id": DISTRICT, "roles": ["officer"], **data}
    with database.unit_of_work() as uow:
        return accounts.create(uow, admin, scope, data, now)


def load(database, account_id):
    with database.reading_session() as session:
        account = session.get(Account, account_id)
        session.expunge_all()
        return account


def count_accounts(database):
    with database.reading_session() as session:
        return session.scalar(select(func.count()).select_from(Account))


def trail(database, account_id):
    with database.reading_session() as session:
        return trail_of(session, Base.metadata, {"account": [account_id]})


def state(database, account_id):
    account = load(database, account_id)
    return (account.password_hash, account.token_version, account.must_change_password, account.active,
            account.roles, account.unit_id, account.personal_data, account.updated_at)


def fail_logins(database, names_and_addresses, at):
    with database.unit_of_work() as uow:
        for name, address in names_and_addresses:
            accounts.record_failure(uow, name, address, at, "wrong name or password")


def check_rate(database, username, address, now, limits=LIMITS):
    with database.reading_session() as session:
        accounts.check_rate(session, username, address, now, limits)


def failure_count(database):
    with database.reading_session() as session:
        return session.scalar(select(func.count()).select_from(login_failures))


# --- passwords -------------------------------------------------------------------------------------

def test_a_hash_is_scrypt_with_its_parameters_a_salt_and_a_digest():
    stored = accounts.hash_password(STRONG)
    scheme, n, r, p, salt, digest = stored.split("$")
    assert (scheme, n, r, p) == ("scrypt", str(2 ** 14), "8", "1")
    assert len(base64.b64decode(salt)) == 16 and len(base64.b64decode(digest)) == 32
    assert STRONG not in stored
    assert len(stored) <= 300  # fits accounts.password_hash


def test_the_same_password_hashes_differently_each_time_and_each_verifies():
    first, second = accounts.hash_password(STRONG), accounts.hash_password(STRONG)
    assert first != second
    assert accounts.password_matches(first, STRONG) and accounts.password_matches(second, STRONG)


@pytest.mark.parametrize("attempt", ["harbour-light-7", "Harbour-light-7 ", "Harbour-light-", "", "Harbour-light-8"])
def test_a_wrong_password_does_not_match(attempt):
    assert accounts.password_matches(accounts.hash_password(STRONG), attempt) is False


def test_a_password_of_chinese_text_hashes_and_verifies():
    stored = accounts.hash_password("劳模精神代代相传2024")
    assert accounts.password_matches(stored, "劳模精神代代相传2024")
    assert not accounts.password_matches(stored, "劳模精神代代相传2025")


@pytest.mark.parametrize("stored", ["", "not a hash", "bcrypt$1$2$3$4$5", STRONG])
def test_a_stored_value_that_is_no_scrypt_hash_never_matches(stored):
    assert accounts.password_matches(stored, STRONG) is False


@pytest.mark.parametrize("password", [
    STRONG, "abcdefghi1", "x1" * 64, "劳模精神代代相传2024", "correct horse battery staple",
])
def test_good_passwords_have_no_problems(password):
    assert accounts.password_problems(password, "li.ming") == []


@pytest.mark.parametrize("password, problem", [
    ("Ab1!xyz", "must be 10 to 128 characters long"),
    ("abcdefgh1", "must be 10 to 128 characters long"),
    ("x1" * 64 + "y", "must be 10 to 128 characters long"),
    ("abcdefghijkl", "must mix at least two of letters, digits and other characters"),
    ("ABCDEFGHIJKL", "must mix at least two of letters, digits and other characters"),
    ("123456789012", "must mix at least two of letters, digits and other characters"),
    ("!@#$%^&*()_+", "must mix at least two of letters, digits and other characters"),
    ("my-li.ming-pass", "must not contain the account name"),
    ("MY-LI.MING-PASS1", "must not contain the account name"),
])
def test_password_problems_name_each_broken_rule(password, problem):
    problems = accounts.password_problems(password, "li.ming")
    assert problem in problems
    assert len(problems) == 1


def test_a_password_can_break_every_rule_at_once():
    assert len(accounts.password_problems("liming", "liming")) == 3


def test_one_time_passwords_are_good_passwords_and_differ():
    made = {accounts.one_time_password() for _ in range(50)}
    assert len(made) == 50
    assert all(len(p) == 16 and accounts.password_problems(p, None) == [] for p in made)


# --- creating accounts -----------------------------------------------------------------------------

def test_an_admin_creates_an_account_in_scope_with_a_one_time_password(database, root):
    account, password = create(database, root, username="  Li.Ming ", display_name=" 李明 ",
                               roles=["officer", "auditor", "officer"])
    stored = load(database, account.id)
    assert stored.username == "li.ming" and stored.display_name == "李明"
    assert stored.unit_id == DISTRICT and stored.roles == "auditor,officer"
    assert stored.role_list == ("auditor", "officer")
    assert stored.personal_data is False and stored.active is True
    assert stored.must_change_password is True and stored.token_version == 1
    assert stored.created_by == "root" and stored.created_at == NOW == stored.password_changed_at
    assert accounts.password_matches(stored.password_hash, password)
    assert accounts.password_problems(password, "li.ming") == []
    assert "password_hash" not in json.dumps(accounts.view(stored))
    assert stored.password_hash not in json.dumps(accounts.view(stored))


@pytest.mark.parametrize("username", ["abc", "a" * 64, "0li_ming-2.x", "li.ming"])
def test_account_names_within_the_rules_are_accepted(database, root, username):
    account, _ = create(database, root, username=username)
    assert load(database, account.id).username == username


@pytest.mark.parametrize("username", [
    "ab", "a" * 65, "-abc", ".abc", "_abc", "li ming", "李明", "li@ming", "", "   ", "li/ming", "li\nming",
])
def test_account_names_outside_the_rules_are_invalid(database, root, username):
    with pytest.raises(Invalid) as caught:
        create(database, root, username=username)
    assert list(caught.value.details) == ["username"]
    assert count_accounts(database) == 1  # only root


def test_a_taken_name_is_a_conflict_whatever_its_case(database, root):
    create(database, root, username="li.ming")
    with pytest.raises(Conflict) as caught:
        create(database, root, username="LI.Ming", unit_id=STREET)
    assert caught.value.details == {"username": ["taken"]}
    assert count_accounts(database) == 2


def test_a_unit_outside_the_admins_scope_is_not_found(database, district_admin):
    for unit_id in (CITY, ELSEWHERE):
        with pytest.raises(NotFound) as caught:
            create(database, district_admin, scope=DISTRICT_SCOPE, unit_id=unit_id)
        assert caught.value.details == {"unit_id": unit_id}
    assert count_accounts(database) == 0


@pytest.mark.parametrize("roles", [[], ["boss"], ["officer", "superuser"], ["Admin"]])
def test_unknown_roles_or_none_are_invalid(database, root, roles):
    with pytest.raises(Invalid) as caught:
        create(database, root, roles=roles)
    assert list(caught.value.details) == ["roles"]
    assert count_accounts(database) == 1


def test_only_an_admin_holding_the_personal_data_right_may_grant_it(database, root, district_admin):
    with pytest.raises(Forbidden) as caught:
        create(database, district_admin, scope=DISTRICT_SCOPE, personal_data=True)
    assert list(caught.value.details) == ["personal_data"]
    assert count_accounts(database) == 1
    account, _ = create(database, district_admin, scope=DISTRICT_SCOPE, username="wang.fang")
    assert load(database, account.id).personal_data is False
    account, _ = create(database, root, personal_data=True)
    assert load(database, account.id).personal_data is True


def test_creating_is_audited_with_who_and_which_unit_and_never_the_password(database, root):
    account, password = create(database, root, roles=["officer", "auditor"])
    entries = trail(database, account.id)
    assert [e["action"] for e in entries] == ["created"]
    entry = entries[0]
    assert entry["account"] == "root" and entry["unit_id"] == CITY
    assert entry["at"] == NOW.isoformat()
    assert entry["changes"]["username"] == [None, "li.ming"]
    assert entry["changes"]["unit_id"] == [None, DISTRICT]
    assert entry["changes"]["roles"] == [None, "auditor,officer"]
    said = json.dumps(entries, ensure_ascii=False)
    assert password not in said
    assert load(database, account.id).password_hash not in said
    assert "scrypt" not in said and "password_hash" not in said


# --- the first admin -------------------------------------------------------------------------------

def test_the_first_admin_is_a_city_admin_with_the_personal_data_right(database):
    with database.unit_of_work() as uow:
        account, password = accounts.create_first_admin(uow, CITY, "root", "City administrator", NOW)
    stored = load(database, account.id)
    assert stored.role_list == ("admin",) and stored.personal_data is True and stored.unit_id == CITY
    assert stored.must_change_password is True and stored.created_by == "set-up command"
    assert accounts.password_matches(stored.password_hash, password)
    [entry] = trail(database, account.id)
    assert entry["account"] == "set-up command" and entry["unit_id"] == CITY
    assert password not in json.dumps(entry) and stored.password_hash not in json.dumps(entry)


def test_a_second_first_admin_is_refused(database, root):
    with pytest.raises(Conflict), database.unit_of_work() as uow:
        accounts.create_first_admin(uow, CITY, "root2", "Another", NOW)
    assert count_accounts(database) == 1


def test_the_first_admin_is_refused_once_any_account_exists(database, district_admin):
    create(database, district_admin, scope=DISTRICT_SCOPE)
    with pytest.raises(Conflict), database.unit_of_work() as uow:
        accounts.create_first_admin(uow, CITY, "root", "City administrator", NOW)
    assert count_accounts(database) == 1


# --- changing accounts -----------------------------------------------------------------------------

def update(database, admin, account_id, changes, scope=SCOPE, now=NOW + timedelta(hours=1)):
    with database.unit_of_work() as uow:
        return accounts.update(uow, admin, scope, account_id, changes, now)


def test_roles_and_name_change_and_the_change_is_audited(database, root):
    account, _ = create(database, root)
    later = NOW + timedelta(hours=1)
    update(database, root, account.id, {"roles": ["reviewer", "officer"], "display_name": " 李 明 "}, now=later)
    stored = load(database, account.id)
    assert stored.roles == "officer,reviewer" and stored.display_name == "李 明"
    assert stored.updated_at == later
    assert stored.token_version == 1  # roles are read at every request: tokens need not end
    entry = trail(database, account.id)[-1]
    assert entry["action"] == "updated" and entry["account"] == "root"
    assert entry["changes"] == {"roles": ["officer", "officer,reviewer"], "display_name": ["李明", "李 明"]}


def test_disabling_ends_the_accounts_tokens_once(database, root):
    account, _ = create(database, root)
    update(database, root, account.id, {"active": False})
    stored = load(database, account.id)
    assert stored.active is False and stored.token_version == 2
    update(database, root, account.id, {"active": False})  # already disabled: nothing more
    assert load(database, account.id).token_version == 2
    update(database, root, account.id, {"active": True})
    stored = load(database, account.id)
    assert stored.active is True and stored.token_version == 2


def test_an_admin_cannot_disable_its_own_account(database, root):
    before = state(database, root_id(database))
    with pytest.raises(Conflict) as caught:
        update(database, root, root_id(database), {"active": False, "display_name": "Gone"})
    assert caught.value.details == {"active": ["your own account"]}
    assert state(database, root_id(database)) == before
    assert load(database, root_id(database)).display_name == "City administrator"


def root_id(database):
    with database.reading_session() as session:
        return session.scalar(select(Account.id).where(Account.username == "root"))


def test_an_account_outside_scope_is_not_found_and_unchanged(database, root, district_admin):
    account, _ = create(database, root, unit_id=CITY)
    before = state(database, account.id)
    with pytest.raises(NotFound):
        update(database, district_admin, account.id, {"active": False}, scope=DISTRICT_SCOPE)
    with pytest.raises(NotFound):
        update(database, root, "0" * 32, {"active": False})
    assert state(database, account.id) == before


def test_an_account_cannot_be_moved_out_of_scope(database, root, district_admin):
    account, _ = create(database, root, unit_id=STREET)
    with pytest.raises(NotFound):
        update(database, district_admin, account.id, {"unit_id": CITY}, scope=DISTRICT_SCOPE)
    assert load(database, account.id).unit_id == STREET
    update(database, district_admin, account.id, {"unit_id": DISTRICT}, scope=DISTRICT_SCOPE)
    assert load(database, account.id).unit_id == DISTRICT


@pytest.mark.parametrize("roles", [[], ["boss"]])
def test_changing_to_unknown_roles_or_none_is_invalid(database, root, roles):
    account, _ = create(database, root)
    before = state(database, account.id)
    with pytest.raises(Invalid):
        update(database, root, account.id, {"roles": roles})
    assert state(database, account.id) == before


def test_only_an_admin_holding_the_personal_data_right_may_grant_it_by_a_change(database, root, district_admin):
    account, _ = create(database, root)
    with pytest.raises(Forbidden):
        update(database, district_admin, account.id, {"personal_data": True}, scope=DISTRICT_SCOPE)
    assert load(database, account.id).personal_data is False
    update(database, root, account.id, {"personal_data": True})
    assert load(database, account.id).personal_data is True
    # one who already holds it keeps it when an admin without it changes its roles
    update(database, district_admin, account.id, {"roles": ["reviewer"]}, scope=DISTRICT_SCOPE)
    stored = load(database, account.id)
    assert stored.personal_data is True and stored.roles == "reviewer"


# --- passwords: reset by an admin, changed by their owner ------------------------------------------

def test_a_reset_makes_a_new_one_time_password_and_ends_every_token(database, root):
    account, first = create(database, root)
    later = NOW + timedelta(days=1)
    with database.unit_of_work() as uow:
        _, second = accounts.reset_password(uow, root, SCOPE, account.id, later)
    stored = load(database, account.id)
    assert second != first
    assert accounts.password_matches(stored.password_hash, second)
    assert not accounts.password_matches(stored.password_hash, first)
    assert stored.token_version == 2 and stored.must_change_password is True
    assert stored.password_changed_at == later == stored.updated_at
    entries = trail(database, account.id)
    assert entries[-1]["action"] == "password_reset" and entries[-1]["account"] == "root"
    said = json.dumps(entries)
    assert second not in said and stored.password_hash not in said


def test_a_reset_outside_scope_is_not_found(database, root, district_admin):
    account, _ = create(database, root, unit_id=CITY)
    before = state(database, account.id)
    with pytest.raises(NotFound), database.unit_of_work() as uow:
        accounts.reset_password(uow, district_admin, DISTRICT_SCOPE, account.id, NOW)
    assert state(database, account.id) == before


def change_password(database, account, current, new, now=NOW + timedelta(hours=2)):
    with database.unit_of_work() as uow:
        return accounts.change_password(uow, accounts.actor_of(account), account.id, current, new, now)


def test_changing_the_password_clears_the_one_time_flag_and_ends_every_token(database, root):
    account, one_time = create(database, root)
    later = NOW + timedelta(hours=2)
    change_password(database, account, one_time, STRONG, now=later)
    stored = load(database, account.id)
    assert accounts.password_matches(stored.password_hash, STRONG)
    assert not accounts.password_matches(stored.password_hash, one_time)
    assert stored.must_change_password is False and stored.token_version == 2
    assert stored.password_changed_at == later
    entry = trail(database, account.id)[-1]
    assert entry["action"] == "password_changed" and entry["account"] == "li.ming"
    assert entry["unit_id"] == DISTRICT
    said = json.dumps(entry)
    assert STRONG not in said and one_time not in said and stored.password_hash not in said


def test_a_wrong_current_password_changes_nothing(database, root):
    account, one_time = create(database, root)
    before = state(database, account.id)
    with pytest.raises(Invalid) as caught:
        change_password(database, account, one_time + "x", STRONG)
    assert caught.value.details == {"current_password": ["wrong password"]}
    assert state(database, account.id) == before
    assert [e["action"] for e in trail(database, account.id)] == ["created"]


@pytest.mark.parametrize("new", ["short1", "abcdefghijkl", "my-li.ming-pass", "x" * 200 + "1"])
def test_a_weak_new_password_changes_nothing(database, root, new):
    account, one_time = create(database, root)
    before = state(database, account.id)
    with pytest.raises(Invalid) as caught:
        change_password(database, account, one_time, new)
    assert list(caught.value.details) == ["new_password"]
    assert caught.value.details["new_password"] == accounts.password_problems(new, "li.ming")
    assert state(database, account.id) == before
    assert accounts.password_matches(load(database, account.id).password_hash, one_time)


def test_the_new_password_must_differ_from_the_current_one(database, root):
    account, one_time = create(database, root)
    change_password(database, account, one_time, STRONG)
    before = state(database, account.id)
    with pytest.raises(Invalid) as caught:
        change_password(database, account, STRONG, STRONG)
    assert caught.value.details == {"new_password": ["must differ from the current password"]}
    assert state(database, account.id) == before


def test_an_unknown_account_cannot_change_a_password(database, root):
    ghost = Account(id="0" * 32, username="ghost", unit_id=CITY, roles="officer", personal_data=False)
    with pytest.raises(Invalid):
        change_password(database, ghost, "whatever-1", STRONG)


# --- logging in: passwords and the rate limit ------------------------------------------------------

def test_authenticate_password_finds_only_an_active_account_with_its_password(database, root):
    account, one_time = create(database, root)
    with database.reading_session() as session:
        assert accounts.authenticate_password(session, "li.ming", one_time).id == account.id
        assert accounts.authenticate_password(session, "li.ming", one_time + "x") is None
        assert accounts.authenticate_password(session, "nobody", one_time) is None
    update(database, root, account.id, {"active": False})
    with database.reading_session() as session:
        assert accounts.authenticate_password(session, "li.ming", one_time) is None


def test_failures_for_a_name_are_allowed_up_to_the_limit_then_429(database):
    fail_logins(database, [("li.ming", f"10.0.0.{i}") for i in range(4)], NOW)
    check_rate(database, "li.ming", "10.9.9.9", NOW + timedelta(seconds=10))  # 4 of 5: still allowed
    fail_logins(database, [("li.ming", "10.0.0.4")], NOW + timedelta(seconds=5))
    with pytest.raises(TooManyRequests) as caught:
        check_rate(database, "li.ming", "10.9.9.9", NOW + timedelta(seconds=10))
    # the oldest of the last five (at NOW) leaves the window 890 seconds later
    retry_after = caught.value.details["retry_after"]
    assert isinstance(retry_after, int) and 890 <= retry_after <= 891
    assert caught.value.http_status == 429
    check_rate(database, "wang.fang", "10.9.9.9", NOW + timedelta(seconds=10))  # other names are not held


def test_the_name_limit_ends_when_the_window_has_moved_on(database):
    fail_logins(database, [("li.ming", "10.0.0.1")] * 5, NOW)
    with pytest.raises(TooManyRequests) as caught:
        check_rate(database, "li.ming", "10.0.0.1", NOW + timedelta(seconds=899))
    assert caught.value.details["retry_after"] >= 1
    # waiting the advised seconds is enough
    check_rate(database, "li.ming", "10.0.0.1", NOW + timedelta(seconds=899 + caught.value.details["retry_after"]))
    check_rate(database, "li.ming", "10.0.0.1", NOW + timedelta(seconds=900))


def test_failures_older_than_the_window_do_not_count(database):
    fail_logins(database, [("li.ming", "10.0.0.1")] * 4, NOW - timedelta(seconds=901))
    fail_logins(database, [("li.ming", "10.0.0.1")] * 4, NOW - timedelta(seconds=100))
    check_rate(database, "li.ming", "10.0.0.1", NOW)
    fail_logins(database, [("li.ming", "10.0.0.1")], NOW)
    with pytest.raises(TooManyRequests) as caught:
        check_rate(database, "li.ming", "10.0.0.1", NOW)
    # the oldest in the window is 100 seconds old: 800 seconds to go
    assert 800 <= caught.value.details["retry_after"] <= 801


def test_failures_from_an_address_are_allowed_up_to_its_limit_then_429(database):
    # 29 names, one failure each, all from one address: each name is far below its own limit
    fail_logins(database, [(f"user{i}", "203.0.113.7") for i in range(29)], NOW)
    check_rate(database, "someone", "203.0.113.7", NOW + timedelta(seconds=1))
    fail_logins(database, [("user29", "203.0.113.7")], NOW)
    with pytest.raises(TooManyRequests) as caught:
        check_rate(database, "someone", "203.0.113.7", NOW + timedelta(seconds=1))
    assert 899 <= caught.value.details["retry_after"] <= 900
    check_rate(database, "someone", "203.0.113.8", NOW + timedelta(seconds=1))  # another address is not held
    check_rate(database, "someone", "203.0.113.7", NOW + timedelta(seconds=900))  # nor this one, later


def test_a_successful_login_forgets_the_names_failures_and_every_old_one(database):
    fail_logins(database, [("li.ming", "10.0.0.1")] * 5, NOW)
    fail_logins(database, [("wang.fang", "10.0.0.2")] * 3, NOW)
    fail_logins(database, [("zhao.lei", "10.0.0.3")] * 2, NOW - timedelta(seconds=1000))
    with database.unit_of_work() as uow:
        accounts.forget_failures(uow, "li.ming", NOW, LIMITS[2])
    check_rate(database, "li.ming", "10.0.0.1", NOW)
    assert failure_count(database) == 3  # wang.fang's, still within the window


def test_a_failure_records_no_more_than_its_columns_hold(database):
    fail_logins(database, [("n" * 100, "a" * 100)], NOW)
    with database.reading_session() as session:
        row = session.execute(select(login_failures)).one()
    assert row.username == "n" * 64 and row.remote_addr == "a" * 64 and row.at == NOW


# --- tokens: logout and the account behind a token -----------------------------------------------

def caller_of(database, claims):
    with database.reading() as connection:
        return accounts.caller_of(connection, claims)


def test_the_account_behind_good_claims_is_found(database, root, tokens):
    account, _ = create(database, root)
    _, claims = tokens.issue(load(database, account.id), NOW)
    assert caller_of(database, claims).id == account.id


@pytest.mark.parametrize("how", ["reset", "change", "disable"])
def test_a_token_of_an_older_version_is_refused(database, root, tokens, how):
    account, one_time = create(database, root)
    _, claims = tokens.issue(load(database, account.id), NOW)
    if how == "reset":
        with database.unit_of_work() as uow:
            accounts.reset_password(uow, root, SCOPE, account.id, NOW)
    elif how == "change":
        change_password(database, account, one_time, STRONG)
    else:
        update(database, root, account.id, {"active": False})
    with pytest.raises(Unauthenticated) as caught:
        caller_of(database, claims)
    assert caught.value.details == {"token": ["revoked"]}
    if how != "disable":  # a token of the new version is good
        _, fresh = tokens.issue(load(database, account.id), NOW)
        assert caller_of(database, fresh).id == account.id


def test_a_token_of_a_disabled_account_is_refused_even_at_its_version(database, root, tokens):
    account, _ = create(database, root)
    _, claims = tokens.issue(load(database, account.id), NOW)
    with database.unit_of_work() as uow:
        uow.session.get(Account, account.id).active = False  # the version is left as it was
    with pytest.raises(Unauthenticated):
        caller_of(database, claims)


def test_a_token_ended_by_logout_is_refused_and_others_are_not(database, root, tokens):
    account, _ = create(database, root)
    stored = load(database, account.id)
    _, ended = tokens.issue(stored, NOW)
    _, other = tokens.issue(stored, NOW)
    with database.unit_of_work() as uow:
        accounts.revoke(uow, ended, NOW)
    with database.unit_of_work() as uow:
        accounts.revoke(uow, ended, NOW + timedelta(seconds=1))  # twice is harmless
    with pytest.raises(Unauthenticated) as caught:
        caller_of(database, ended)
    assert caught.value.details == {"token": ["revoked"]}
    assert caller_of(database, other).id == account.id


def test_logout_drops_revocations_of_tokens_that_have_expired(database, root, tokens):
    account, _ = create(database, root)
    stored = load(database, account.id)
    _, old = tokens.issue(stored, NOW)
    _, new = tokens.issue(stored, NOW + timedelta(hours=5))
    with database.unit_of_work() as uow:
        accounts.revoke(uow, old, NOW)
    with database.unit_of_work() as uow:
        accounts.revoke(uow, new, NOW + timedelta(hours=5))
    with database.reading_session() as session:
        kept = session.scalars(select(RevokedToken)).all()
        assert [(r.jti, r.expires_at) for r in kept] == [(new["jti"], NOW + timedelta(hours=6))]


def test_a_token_naming_an_unknown_account_is_refused(database, root, tokens):
    account, _ = create(database, root)
    _, claims = tokens.issue(load(database, account.id), NOW)
    with pytest.raises(Unauthenticated):
        caller_of(database, dict(claims, sub="0" * 32))


# --- reading ---------------------------------------------------------------------------------------

def test_listing_shows_only_accounts_in_scope_with_filters_and_pages(database, root):
    create(database, root, username="a.city", unit_id=CITY, roles=["reviewer"])
    create(database, root, username="b.district", unit_id=DISTRICT, roles=["officer", "auditor"])
    create(database, root, username="c.street", unit_id=STREET, roles=["officer"])
    d, _ = create(database, root, username="d.street", unit_id=STREET, roles=["finance"])
    update(database, root, d.id, {"active": False})

    def names(scope, **filters):
        with database.reading_session() as session:
            items, total = accounts.listing(session, scope, **filters)
            return [a.username for a in items], total

    assert names(DISTRICT_SCOPE) == (["b.district", "c.street", "d.street"], 3)
    assert names(SCOPE) == (["a.city", "root", "b.district", "c.street", "d.street"], 5)
    assert names([ELSEWHERE]) == ([], 0)
    assert names(DISTRICT_SCOPE, unit_id=STREET) == (["c.street", "d.street"], 2)
    assert names(DISTRICT_SCOPE, unit_id=CITY) == ([], 0)  # a filter never widens the scope
    assert names(SCOPE, role="officer") == (["b.district", "c.street"], 2)
    assert names(SCOPE, role="auditor") == (["b.district"], 1)
    assert names(SCOPE, role="admin") == (["root"], 1)
    assert names(DISTRICT_SCOPE, active=False) == (["d.street"], 1)
    assert names(DISTRICT_SCOPE, active=True) == (["b.district", "c.street"], 2)
    assert names(SCOPE, page=2, page_size=2) == (["b.district", "c.street"], 5)
    assert names(SCOPE, page=4, page_size=2) == ([], 5)


def test_an_account_outside_scope_reads_as_absent(database, root):
    account, _ = create(database, root, unit_id=CITY)
    with database.reading_session() as session:
        assert accounts.get_in_scope(session, account.id, SCOPE).id == account.id
        with pytest.raises(NotFound):
            accounts.get_in_scope(session, account.id, DISTRICT_SCOPE)
        with pytest.raises(NotFound):
            accounts.get_in_scope(session, "0" * 32, SCOPE)


def test_the_actor_of_an_account_carries_its_unit_roles_and_right(database, root):
    account, _ = create(database, root, roles=["officer", "auditor"], personal_data=True)
    actor = accounts.actor_of(load(database, account.id))
    assert actor == Actor("li.ming", DISTRICT, ("auditor", "officer"), True)
