"""Bearer tokens: JWTs signed with HS256, issuer and audience pinned, always expiring.

A token only says who logged in (``sub``: the account id) and under which
``ver`` (the account's token version). What the caller may do is read from
the account at every request, so a role taken away, an account disabled, a
password changed (the version moves on) or a logout (the ``jti`` is revoked)
takes effect at once, not when the token expires.
"""
import uuid
from datetime import timedelta

import jwt

from services.chassis.errors import Unauthenticated

ALGORITHM = "HS256"  # pinned: a token naming any other algorithm (``none`` included) is refused
MIN_KEY_LENGTH = 32


class TokenKeyError(Exception):
    """TOKEN_KEY is missing or too short to sign tokens with."""


class Tokens:
    def __init__(self, key, issuer, audience, lifetime_seconds):
        if not key or len(key) < MIN_KEY_LENGTH:
            raise TokenKeyError(f"TOKEN_KEY must be at least {MIN_KEY_LENGTH} characters "
                                "(`make run` makes one under var/secrets/token_key)")
        self.key = key.encode("utf-8")
        self.issuer = issuer
        self.audience = audience
        self.lifetime = timedelta(seconds=int(lifetime_seconds))

    def issue(self, account, now):
        """``(token, claims)`` for ``account`` at ``now`` (an aware datetime)."""
        expires = now + self.lifetime
        claims = {
            "iss": self.issuer, "aud": self.audience, "sub": account.id, "ver": account.token_version,
            "jti": uuid.uuid4().hex, "iat": int(now.timestamp()), "exp": int(expires.timestamp()),
        }
        return jwt.encode(claims, self.key, algorithm=ALGORITHM), claims

    def verify(self, token, now):
        """The claims of a token this gateway issued, still valid at ``now``; else Unauthenticated."""
        try:
            claims = jwt.decode(
                token, self.key, algorithms=[ALGORITHM], audience=self.audience, issuer=self.issuer,
                # times are checked below against laomo's clock (injectable), not the machine's
                options={"require": ["iss", "aud", "sub", "ver", "jti", "iat", "exp"],
                         "verify_exp": False, "verify_iat": False, "verify_nbf": False})
        except jwt.InvalidTokenError as exc:
            raise Unauthenticated("the bearer token is not valid", {"token": [reason(exc)]}) from None
        if not isinstance(claims["exp"], int) or claims["exp"] <= int(now.timestamp()):
            raise Unauthenticated("the bearer token has expired; log in again", {"token": ["expired"]})
        return claims


def reason(exc):
    """A short reason for a refused token, without echoing the token itself."""
    return {
        jwt.InvalidAudienceError: "wrong audience",
        jwt.InvalidIssuerError: "wrong issuer",
        jwt.InvalidSignatureError: "bad signature",
        jwt.InvalidAlgorithmError: "algorithm not allowed",
        jwt.MissingRequiredClaimError: "a required claim is missing",
        jwt.DecodeError: "malformed",
    }.get(type(exc), "invalid")
