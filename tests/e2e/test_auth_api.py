"""Logging in and out, passwords, tokens and account administration, over HTTP against the whole suite.

Each test makes the accounts it acts on (unique names), so none depends on another's order; failed
logins are few (the gateway also counts them per client address, and every test here comes from one).
"""
import uuid

import jwt
import pytest
import requests

from gateway.openapi import PATH_PARAMETER, routes
from gateway.service import GatewayService

from .conftest import Api, log_in, ready_account

PASSWORD = "Sehr-geheim-2026"  # what conftest.ready_account sets
ONE_TIME_ROUTES = {"/api/v1/auth/password", "/api/v1/auth/me", "/api/v1/auth/logout"}


def tag():
    return uuid.uuid4().hex[:8]


def assert_error(response, status, code=None):
    """The one error shape: {"error", "message", "details"} as JSON, with ``status``."""
    assert response.status_code == status, f"{response.status_code}: {response.text}"
    assert response.headers["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error", "message", "details"}, body
    assert isinstance(body["message"], str) and body["message"] and isinstance(body["details"], dict)
    if code is not None:
        assert body["error"] == code, body
    return body


def login(suite, username, password):
    return requests.post(f"{suite['base']}/api/v1/auth/login", json={"username": username, "password": password},
                         timeout=30)


def new_account(admin, unit_id="bj", roles=("officer",), prefix="auth", **extra):
    """(account, one-time password), made by ``admin``."""
    made = admin.post("/accounts", {"username": f"{prefix}.{tag()}", "display_name": "认证测试",
                                    "unit_id": unit_id, "roles": list(roles), **extra})
    assert made.status_code == 201, made.text
    return made.json()["account"], made.json()["one_time_password"]


def ready(suite, admin, **kwargs):
    """(account, Api) with its password changed to PASSWORD."""
    account, password = new_account(admin, **kwargs)
    return account, ready_account(suite["base"], account["username"], password)


def token_key(suite):
    key = suite["env"].get("LAOMO_TOKEN_KEY") or (suite["var"] / "secrets" / "token_key").read_text()
    return key.strip()


# --- logging in and out, changing the password -----------------------------------------------

def test_login_answers_a_bearer_token(suite, city_admin):
    account, _api = ready(suite, city_admin)
    response = login(suite, account["username"].upper() + " ", PASSWORD)  # names are trimmed, any case
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["token_type"] == "Bearer" and body["must_change_password"] is False
    assert body["expires_in"] == int(suite["env"].get("LAOMO_TOKEN_LIFETIME", 28800))
    me = Api(suite["base"], body["access_token"]).get("/auth/me")
    assert me.status_code == 200
    assert me.json()["account"]["username"] == account["username"]
    assert me.json()["account"]["unit_id"] == "bj" and me.json()["account"]["roles"] == ["officer"]
    assert {"bj", "bj-haidian", "bj-chaoyang"} <= set(me.json()["scope"])


def test_a_wrong_password_or_an_unknown_name_is_401_alike(suite, city_admin):
    account, _ = ready(suite, city_admin)
    wrong = assert_error(login(suite, account["username"], "Falsch-geraten-1"), 401, "unauthenticated")
    nobody = assert_error(login(suite, f"nobody.{tag()}", "Falsch-geraten-1"), 401, "unauthenticated")
    assert wrong == nobody  # nothing tells an existing name from an unknown one
    assert_error(requests.post(f"{suite['base']}/api/v1/auth/login", json={"username": account["username"]},
                               timeout=30), 422, "invalid")


def test_after_logout_the_same_token_is_refused(suite, city_admin):
    account, api = ready(suite, city_admin)
    other = Api(suite["base"], log_in(suite["base"], account["username"], PASSWORD))
    assert api.get("/auth/me").status_code == 200
    out = api.post("/auth/logout")
    assert out.status_code == 204 and out.content == b""
    refused = assert_error(api.get("/auth/me"), 401, "unauthenticated")
    assert refused["details"] == {"token": ["revoked"]}
    assert_error(api.get("/units"), 401, "unauthenticated")
    assert_error(api.post("/auth/logout"), 401, "unauthenticated")
    assert other.get("/auth/me").status_code == 200  # logout ends that one token only


def test_after_a_password_change_the_old_token_is_refused_and_the_new_one_works(suite, city_admin):
    account, api = ready(suite, city_admin)
    changed = api.post("/auth/password", {"current_password": PASSWORD, "new_password": "Ganz-neu-2027"})
    assert changed.status_code == 200, changed.text
    assert changed.json()["must_change_password"] is False
    assert_error(api.get("/auth/me"), 401, "unauthenticated")
    new = Api(suite["base"], changed.json()["access_token"])
    assert new.get("/auth/me").json()["account"]["username"] == account["username"]
    assert_error(login(suite, account["username"], PASSWORD), 401, "unauthenticated")
    assert login(suite, account["username"], "Ganz-neu-2027").status_code == 200


def test_a_password_change_needs_the_current_password_and_a_good_new_one(suite, city_admin):
    _account, api = ready(suite, city_admin)
    wrong = assert_error(api.post("/auth/password", {"current_password": "Nicht-das-1",
                                                     "new_password": "Ganz-neu-2027"}), 422, "invalid")
    assert wrong["details"] == {"current_password": ["wrong password"]}
    weak = assert_error(api.post("/auth/password", {"current_password": PASSWORD, "new_password": "kurz"}),
                        422, "invalid")
    assert "new_password" in weak["details"]
    same = assert_error(api.post("/auth/password", {"current_password": PASSWORD, "new_password": PASSWORD}),
                        422, "invalid")
    assert "must differ from the current password" in same["details"]["new_password"]
    assert api.get("/auth/me").status_code == 200  # nothing changed: the token still works


# --- the one-time password -------------------------------------------------------------------

def test_a_fresh_account_must_change_its_one_time_password_first(suite, city_admin):
    account, password = new_account(city_admin)
    first = login(suite, account["username"], password)
    assert first.status_code == 200 and first.json()["must_change_password"] is True
    api = Api(suite["base"], first.json()["access_token"])
    spare = Api(suite["base"], log_in(suite["base"], account["username"], password))
    gated = []
    for _, _, endpoint in routes(GatewayService):
        if endpoint.roles is None or endpoint.url in ONE_TIME_ROUTES:
            continue
        response = requests.request(endpoint.method, suite["base"] + PATH_PARAMETER.sub("x", endpoint.url),
                                    headers={"Authorization": f"Bearer {api.token}"}, timeout=30)
        body = assert_error(response, 403, "forbidden")
        assert body["details"] == {"reason": "password_change_required"}, endpoint.url
        gated.append(endpoint.url)
    assert len(gated) > 30
    me = api.get("/auth/me")
    assert me.status_code == 200 and me.json()["account"]["must_change_password"] is True
    assert spare.post("/auth/logout").status_code == 204
    changed = api.post("/auth/password", {"current_password": password, "new_password": PASSWORD})
    assert changed.status_code == 200, changed.text
    after = Api(suite["base"], changed.json()["access_token"])
    assert after.get("/units").status_code == 200
    assert after.get("/auth/me").json()["account"]["must_change_password"] is False
    assert_error(api.get("/auth/me"), 401, "unauthenticated")  # the one-time token ended with the change


def test_a_password_reset_ends_the_tokens_and_gates_the_account_again(suite, apis):
    admin = apis["haidian.admin"]
    account, api = ready(suite, admin, unit_id="bj-haidian")
    reset = admin.post(f"/accounts/{account['id']}/password-reset")
    assert reset.status_code == 200, reset.text
    assert reset.json()["account"]["must_change_password"] is True
    assert_error(api.get("/auth/me"), 401, "unauthenticated")
    again = Api(suite["base"], log_in(suite["base"], account["username"], reset.json()["one_time_password"]))
    gated = assert_error(again.get("/honourees"), 403, "forbidden")
    assert gated["details"]["reason"] == "password_change_required"


# --- the login rate limit --------------------------------------------------------------------

def test_too_many_wrong_passwords_answer_429_with_retry_after_even_for_the_right_one(suite, city_admin):
    limit = int(suite["env"].get("LAOMO_LOGIN_MAX_FAILURES", 5))  # gateway/config.yml: LOGIN_MAX_FAILURES
    window = int(suite["env"].get("LAOMO_LOGIN_WINDOW", 900))
    account, api = ready(suite, city_admin, prefix="limited")
    for _ in range(limit):
        assert_error(login(suite, account["username"], "Falsch-geraten-1"), 401, "unauthenticated")
    for password in ("Falsch-geraten-1", PASSWORD):
        response = login(suite, account["username"], password)
        body = assert_error(response, 429, "too_many_requests")
        retry_after = int(response.headers["Retry-After"])
        assert 0 < retry_after <= window + 1
        assert body["details"] == {"retry_after": retry_after}
    assert api.get("/auth/me").status_code == 200  # tokens issued before are not touched
    # other names are not held up
    other, _ = ready(suite, city_admin)
    assert login(suite, other["username"], PASSWORD).status_code == 200


# --- forged tokens -------------------------------------------------------------------------

def claims_of(api):
    return jwt.decode(api.token, options={"verify_signature": False})


def forged(kind, claims, key):
    claims = dict(claims, jti=uuid.uuid4().hex)
    if kind == "alg none":
        return jwt.encode(claims, None, algorithm="none")
    if kind == "wrong audience":
        return jwt.encode(dict(claims, aud="someone-else"), key, algorithm="HS256")
    if kind == "wrong issuer":
        return jwt.encode(dict(claims, iss="not-laomo"), key, algorithm="HS256")
    if kind == "wrong key":
        return jwt.encode(claims, "k" * 48, algorithm="HS256")
    if kind == "another algorithm":
        return jwt.encode(claims, key, algorithm="HS512")
    if kind == "expired":
        # laomo's own clock issued ``iat``: an hour before it, and gone a minute before it
        return jwt.encode(dict(claims, iat=claims["iat"] - 3600, exp=claims["iat"] - 60), key, algorithm="HS256")
    if kind == "no expiry":
        return jwt.encode({k: v for k, v in claims.items() if k != "exp"}, key, algorithm="HS256")
    if kind == "an old token version":
        return jwt.encode(dict(claims, ver=claims["ver"] - 1), key, algorithm="HS256")
    if kind == "another account's id":
        return jwt.encode(dict(claims, sub=uuid.uuid4().hex), key, algorithm="HS256")
    if kind == "garbage":
        return "not.a.token"
    raise AssertionError(kind)


FORGERIES = ["alg none", "wrong audience", "wrong issuer", "wrong key", "another algorithm", "expired",
             "no expiry", "an old token version", "another account's id", "garbage"]


@pytest.fixture(scope="module")
def forger(suite, city_admin):
    """An account to forge tokens for; its real claims; and the suite's signing key."""
    _, api = ready(suite, city_admin, prefix="forged")
    return api, claims_of(api), token_key(suite)


def test_a_token_signed_with_the_suite_key_is_accepted(suite, forger):
    # the control: the forgeries below differ from this in one thing each
    _api, claims, key = forger
    token = jwt.encode(dict(claims, jti=uuid.uuid4().hex), key, algorithm="HS256")
    assert Api(suite["base"], token).get("/auth/me").status_code == 200


@pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")  # the forger's HS512 key
@pytest.mark.parametrize("kind", FORGERIES)
def test_a_forged_token_is_refused(suite, forger, kind):
    api, claims, key = forger
    token = forged(kind, claims, key)
    for method, path in (("GET", "/auth/me"), ("GET", "/honourees")):
        response = Api(suite["base"], token).request(method, path)
        body = assert_error(response, 401, "unauthenticated")
        assert set(body["details"]) == {"token"}
        assert token not in response.text  # the token is never echoed
    assert api.get("/auth/me").status_code == 200


# --- admins manage accounts within their scope -----------------------------------------------

def test_a_district_admin_creates_accounts_for_its_own_unit_only(suite, apis):
    admin = apis["haidian.admin"]
    made = admin.post("/accounts", {"username": f"hd.{tag()}", "display_name": "海淀官员",
                                    "unit_id": "bj-haidian", "roles": ["officer", "reviewer"]})
    assert made.status_code == 201, made.text
    account = made.json()["account"]
    assert account["unit_id"] == "bj-haidian" and account["roles"] == ["officer", "reviewer"]
    assert account["created_by"] == "haidian.admin" and account["must_change_password"] is True
    assert len(made.json()["one_time_password"]) >= 10
    elsewhere = admin.post("/accounts", {"username": f"cy.{tag()}", "display_name": "朝阳官员",
                                         "unit_id": "bj-chaoyang", "roles": ["officer"]})
    assert assert_error(elsewhere, 404, "not_found")["details"] == {"unit_id": "bj-chaoyang"}
    above = admin.post("/accounts", {"username": f"bj.{tag()}", "display_name": "市级",
                                     "unit_id": "bj", "roles": ["admin"]})
    assert_error(above, 404, "not_found")
    taken = admin.post("/accounts", {"username": account["username"], "display_name": "重名",
                                     "unit_id": "bj-haidian", "roles": ["officer"]})
    assert assert_error(taken, 409, "conflict")["details"] == {"username": ["taken"]}
    unknown = admin.post("/accounts", {"username": f"hd.{tag()}", "display_name": "x", "unit_id": "bj-haidian",
                                       "roles": ["officer"], "colour": "red"})
    assert "colour" in assert_error(unknown, 422, "invalid")["details"]


def test_a_district_admin_does_not_see_another_districts_accounts(suite, city_admin, apis):
    admin = apis["haidian.admin"]
    theirs, _ = new_account(city_admin, unit_id="bj-chaoyang")
    for method, path in (("GET", f"/accounts/{theirs['id']}"), ("GET", f"/accounts/{theirs['id']}/audit"),
                         ("POST", f"/accounts/{theirs['id']}/password-reset")):
        assert_error(admin.request(method, path), 404, "not_found")
    assert_error(admin.patch(f"/accounts/{theirs['id']}", {"active": False}), 404, "not_found")
    listed = admin.get("/accounts", params={"page_size": 200}).json()
    assert theirs["id"] not in {a["id"] for a in listed["items"]}
    assert {a["unit_id"] for a in listed["items"]} == {"bj-haidian"}
    assert city_admin.get(f"/accounts/{theirs['id']}").json()["active"] is True  # untouched
    # moving one of its own accounts to another district is the same as creating one there
    mine, _ = new_account(admin, unit_id="bj-haidian")
    assert_error(admin.patch(f"/accounts/{mine['id']}", {"unit_id": "bj-chaoyang"}), 404, "not_found")


def test_an_admin_without_the_personal_data_right_cannot_grant_it(suite, city_admin, apis):
    admin = apis["haidian.admin"]
    granted = admin.post("/accounts", {"username": f"hd.{tag()}", "display_name": "想看身份证",
                                       "unit_id": "bj-haidian", "roles": ["officer"], "personal_data": True})
    assert assert_error(granted, 403, "forbidden")["details"] == {"personal_data": ["you do not hold this right"]}
    mine, _ = new_account(admin, unit_id="bj-haidian")
    assert_error(admin.patch(f"/accounts/{mine['id']}", {"personal_data": True}), 403, "forbidden")
    assert admin.get(f"/accounts/{mine['id']}").json()["personal_data"] is False
    # the city admin holds the right, and may grant it
    theirs = city_admin.patch(f"/accounts/{mine['id']}", {"personal_data": True})
    assert theirs.status_code == 200 and theirs.json()["personal_data"] is True


def test_a_disabled_accounts_token_stops_working_at_once(suite, apis):
    admin = apis["haidian.admin"]
    account, api = ready(suite, admin, unit_id="bj-haidian")
    assert api.get("/honourees").status_code == 200
    disabled = admin.patch(f"/accounts/{account['id']}", {"active": False})
    assert disabled.status_code == 200 and disabled.json()["active"] is False
    assert assert_error(api.get("/honourees"), 401, "unauthenticated")["details"] == {"token": ["revoked"]}
    assert_error(login(suite, account["username"], PASSWORD), 401, "unauthenticated")
    listed = admin.get("/accounts", params={"active": "false", "page_size": 200}).json()["items"]
    assert account["id"] in {a["id"] for a in listed}
    # enabled again: it logs in afresh; the token from before stays ended
    assert admin.patch(f"/accounts/{account['id']}", {"active": True}).status_code == 200
    assert login(suite, account["username"], PASSWORD).status_code == 200
    assert_error(api.get("/honourees"), 401, "unauthenticated")


def test_an_admin_cannot_disable_itself(suite, city_admin):
    account, admin = ready(suite, city_admin, roles=("admin",))
    refused = admin.patch(f"/accounts/{account['id']}", {"active": False})
    assert assert_error(refused, 409, "conflict")["details"] == {"active": ["your own account"]}
    assert admin.get("/auth/me").status_code == 200


def test_a_role_taken_away_takes_effect_at_once(suite, apis):
    admin = apis["haidian.admin"]
    account, api = ready(suite, admin, unit_id="bj-haidian", roles=("officer", "auditor"))
    assert api.get("/honourees/export").status_code == 200
    assert admin.patch(f"/accounts/{account['id']}", {"roles": ["reviewer"]}).status_code == 200
    body = assert_error(api.get("/honourees/export"), 403, "forbidden")
    assert body["details"] == {"required_roles": ["auditor", "officer"], "your_roles": ["reviewer"]}


def test_the_account_audit_trail_names_who_did_what(suite, apis):
    admin = apis["haidian.admin"]
    account, _api = ready(suite, admin, unit_id="bj-haidian")
    assert admin.patch(f"/accounts/{account['id']}", {"display_name": "新名字"}).status_code == 200
    trail = admin.get(f"/accounts/{account['id']}/audit")
    assert trail.status_code == 200
    entries = [(e["action"], e["account"], e["unit_id"]) for e in trail.json()["items"]]
    assert entries == [("created", "haidian.admin", "bj-haidian"),
                       ("password_changed", account["username"], "bj-haidian"),
                       ("updated", "haidian.admin", "bj-haidian")]
    assert trail.json()["items"][2]["changes"] == {"display_name": ["认证测试", "新名字"]}
