"""Bearer tokens: what the gateway issues verifies; anything forged, stale or malformed is refused."""
import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from gateway.tokens import ALGORITHM, MIN_KEY_LENGTH, TokenKeyError, Tokens
from services.chassis.errors import Unauthenticated

from .conftest import AUDIENCE, ISSUER, LIFETIME, NOW, TOKEN_KEY

ACCOUNT = SimpleNamespace(id="a" * 32, token_version=3)
REQUIRED = ("iss", "aud", "sub", "ver", "jti", "iat", "exp")


def b64url(raw):
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def segment(obj):
    return b64url(json.dumps(obj, separators=(",", ":")).encode("utf-8"))


def good_claims(now=NOW, **changes):
    claims = {"iss": ISSUER, "aud": AUDIENCE, "sub": ACCOUNT.id, "ver": ACCOUNT.token_version,
              "jti": "f" * 32, "iat": int(now.timestamp()), "exp": int(now.timestamp()) + LIFETIME}
    claims.update(changes)
    return claims


def refusal(tokens, token, now=NOW):
    """The Unauthenticated a refused token raises, checked not to echo the token."""
    with pytest.raises(Unauthenticated) as caught:
        tokens.verify(token, now)
    exc = caught.value
    said = " ".join((exc.message, json.dumps(exc.details), repr(exc), str(exc.to_dict())))
    if token:
        assert token not in said
        for part in token.split("."):
            if len(part) >= 8:  # a header, claims or signature segment is never echoed either
                assert part not in said
    assert exc.http_status == 401
    return exc


# --- what the gateway issues -----------------------------------------------------------------------

def test_an_issued_token_verifies_with_the_account_and_version_it_names(tokens):
    token, claims = tokens.issue(ACCOUNT, NOW)
    verified = tokens.verify(token, NOW + timedelta(minutes=30))
    assert verified == claims
    assert verified["sub"] == ACCOUNT.id and verified["ver"] == 3
    assert verified["iss"] == ISSUER and verified["aud"] == AUDIENCE
    assert verified["iat"] == int(NOW.timestamp())
    assert verified["exp"] - verified["iat"] == LIFETIME
    assert jwt.get_unverified_header(token)["alg"] == ALGORITHM == "HS256"


def test_every_token_has_an_id_of_its_own(tokens):
    ids = {tokens.issue(ACCOUNT, NOW)[1]["jti"] for _ in range(20)}
    assert len(ids) == 20
    assert all(len(jti) == 32 for jti in ids)  # fits revoked_tokens.jti


def test_a_token_verifies_until_its_expiry_by_the_injected_clock_and_not_at_it(tokens):
    token, claims = tokens.issue(ACCOUNT, NOW)
    expires = datetime.fromtimestamp(claims["exp"], UTC)
    assert tokens.verify(token, expires - timedelta(seconds=1))["jti"] == claims["jti"]
    exc = refusal(tokens, token, expires)
    assert exc.details == {"token": ["expired"]}
    exc = refusal(tokens, token, expires + timedelta(days=400))
    assert exc.details == {"token": ["expired"]}


def test_an_old_token_is_judged_by_laomos_clock_not_the_machines(tokens):
    # issued and checked in 2024 by the injected clock: long expired by the machine's, still good by laomo's
    token, _ = tokens.issue(ACCOUNT, NOW)
    assert tokens.verify(token, NOW + timedelta(seconds=LIFETIME - 1))["sub"] == ACCOUNT.id


def test_a_token_issued_while_laomos_clock_runs_ahead_of_the_machines_verifies(tokens):
    # CLOCK_FILE may shift laomo's clock forward (rehearsals, end-to-end tests): a token issued at
    # that clock's "now" must verify at the same "now"; only laomo's clock may judge a token's times
    ahead = datetime.now(UTC) + timedelta(days=30)
    token, claims = tokens.issue(ACCOUNT, ahead)
    assert tokens.verify(token, ahead + timedelta(seconds=1)) == claims


# --- forged and wrong tokens -------------------------------------------------------------------------

def test_alg_none_is_refused(tokens):
    token = f"{segment({'alg': 'none', 'typ': 'JWT'})}.{segment(good_claims())}."
    exc = refusal(tokens, token)
    assert exc.details == {"token": ["algorithm not allowed"]}


@pytest.mark.parametrize("alg", ["none", "None", "NONE"])
def test_alg_none_in_any_spelling_with_a_signature_is_refused(tokens, alg):
    header, claims = segment({"alg": alg, "typ": "JWT"}), segment(good_claims())
    signature = hmac.new(TOKEN_KEY.encode(), f"{header}.{claims}".encode(), hashlib.sha256).digest()
    refusal(tokens, f"{header}.{claims}.{b64url(signature)}")


@pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")
def test_hs512_signed_with_the_right_key_is_refused(tokens):
    token = jwt.encode(good_claims(), TOKEN_KEY, algorithm="HS512")
    exc = refusal(tokens, token)
    assert exc.details == {"token": ["algorithm not allowed"]}


def test_rs256_signed_with_a_private_key_is_refused(tokens):
    private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    token = jwt.encode(good_claims(), private_key, algorithm="RS256")
    exc = refusal(tokens, token)
    assert exc.details == {"token": ["algorithm not allowed"]}


def test_an_rs256_header_over_an_hmac_signature_is_refused(tokens):
    # the algorithm-confusion forgery: the header claims RS256, the signature is HMAC with the key
    header, claims = segment({"alg": "RS256", "typ": "JWT"}), segment(good_claims())
    signature = hmac.new(TOKEN_KEY.encode(), f"{header}.{claims}".encode(), hashlib.sha256).digest()
    exc = refusal(tokens, f"{header}.{claims}.{b64url(signature)}")
    assert exc.details == {"token": ["algorithm not allowed"]}


def test_a_token_for_another_audience_is_refused(tokens):
    exc = refusal(tokens, jwt.encode(good_claims(aud="another-api"), TOKEN_KEY, algorithm="HS256"))
    assert exc.details == {"token": ["wrong audience"]}


def test_a_token_of_another_issuer_is_refused(tokens):
    exc = refusal(tokens, jwt.encode(good_claims(iss="someone-else"), TOKEN_KEY, algorithm="HS256"))
    assert exc.details == {"token": ["wrong issuer"]}


def test_a_token_signed_with_another_key_is_refused(tokens):
    other = Tokens("o" * 40, ISSUER, AUDIENCE, LIFETIME)
    token, _ = other.issue(ACCOUNT, NOW)
    exc = refusal(tokens, token)
    assert exc.details == {"token": ["bad signature"]}


def test_claims_changed_under_a_good_signature_are_refused(tokens):
    token, _ = tokens.issue(ACCOUNT, NOW)
    header, _, signature = token.split(".")
    forged = f"{header}.{segment(good_claims(sub='b' * 32))}.{signature}"
    exc = refusal(tokens, forged)
    assert exc.details == {"token": ["bad signature"]}


@pytest.mark.parametrize("missing", REQUIRED)
def test_a_token_missing_a_required_claim_is_refused(tokens, missing):
    claims = good_claims()
    del claims[missing]
    exc = refusal(tokens, jwt.encode(claims, TOKEN_KEY, algorithm="HS256"))
    assert exc.details == {"token": ["a required claim is missing"]}


@pytest.mark.parametrize("exp", ["tomorrow", 1.5e12, None])
def test_a_token_whose_expiry_is_not_a_whole_number_is_refused(tokens, exp):
    refusal(tokens, jwt.encode(good_claims(exp=exp), TOKEN_KEY, algorithm="HS256"))


@pytest.mark.parametrize("garbage", [
    "", "not a token", "a.b.c", "....", "Bearer x", "eyJhbGciOiJIUzI1NiJ9.eyJ9.x",
    "中文令牌", "\x00\x01\x02", "a" * 5000,
])
def test_garbage_is_refused_as_malformed(tokens, garbage):
    exc = refusal(tokens, garbage)
    assert exc.details["token"][0] in ("malformed", "invalid")


# --- the key ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("key", [None, "", "x" * (MIN_KEY_LENGTH - 1)])
def test_a_missing_or_short_key_is_refused_at_construction(key):
    with pytest.raises(TokenKeyError) as caught:
        Tokens(key, ISSUER, AUDIENCE, LIFETIME)
    if key:
        assert key not in str(caught.value)  # the key is not echoed into logs


def test_a_key_of_the_minimum_length_is_accepted():
    tokens = Tokens("x" * MIN_KEY_LENGTH, ISSUER, AUDIENCE, LIFETIME)
    token, claims = tokens.issue(ACCOUNT, NOW)
    assert tokens.verify(token, NOW) == claims
