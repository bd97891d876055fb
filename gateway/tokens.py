"""Bearer tokens: JWTs signed with HS256, issuer and audience pinned, always expiring.

A token only says who logged in (``sub``: the account id) and under which
``ver`` (the account's token version). What the caller may do is read from
the account at every request, so a role taken away, an account disabled, a
password changed (the version moves on) or a logout (the ``jti`` is revoked)
takes effect at once, not when the token expires.

Verifying runs on every request, and PyJWT's general decoder costs more than
the rest of the token check together. A token in exactly the shape this
gateway issues (our header, a good HS256 signature, our issuer and audience,
every claim present) is therefore checked here with ``hmac`` directly; any
other token goes to PyJWT, which refuses it and names the reason. The fast
path only ever accepts what PyJWT would accept.
"""
import base64
import binascii
import hashlib
import hmac
import json
import re
import uuid
from datetime import timedelta

import jwt

from services.chassis.errors import Unauthenticated

ALGORITHM = "HS256"  # pinned: a token naming any other algorithm (``none`` included) is refused
MIN_KEY_LENGTH = 32
REQUIRED_CLAIMS = ("iss", "aud", "sub", "ver", "jti", "iat", "exp")
# three unpadded base64url segments, the last an HMAC-SHA256 (32 bytes: 43 characters)
TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}")


def b64url(raw):
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


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
        # the header segment of every token issued here (PyJWT's own encoding of it)
        self.header = jwt.encode({}, self.key, algorithm=ALGORITHM).split(".", 1)[0]

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
        claims = self.issued_here(token)
        if claims is None:
            claims = self.decoded(token)
        if not isinstance(claims["exp"], int) or claims["exp"] <= int(now.timestamp()):
            raise Unauthenticated("the bearer token has expired; log in again", {"token": ["expired"]})
        return claims

    def issued_here(self, token):
        """The claims of a token exactly as this gateway issues them, signature checked; None for
        any other token (then PyJWT judges it). Times are checked by ``verify``."""
        if not isinstance(token, str) or TOKEN_SHAPE.fullmatch(token) is None:
            return None
        header, payload, signature = token.split(".")
        if header != self.header:
            return None
        expected = hmac.new(self.key, f"{header}.{payload}".encode("ascii"), hashlib.sha256).digest()
        if not hmac.compare_digest(b64url(expected), signature):
            return None
        try:
            raw = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
            claims = json.loads(raw)
        except (binascii.Error, ValueError, RecursionError):
            return None
        if (b64url(raw) != payload or not isinstance(claims, dict)
                or any(claims.get(name) is None for name in REQUIRED_CLAIMS)
                or claims["iss"] != self.issuer or claims["aud"] != self.audience
                or not isinstance(claims["iss"], str) or not isinstance(claims["aud"], str)
                or not isinstance(claims["sub"], str) or not isinstance(claims["jti"], str)):
            return None
        return claims

    def decoded(self, token):
        """PyJWT's verdict on a token: its claims, or Unauthenticated naming why it is refused."""
        try:
            return jwt.decode(
                token, self.key, algorithms=[ALGORITHM], audience=self.audience, issuer=self.issuer,
                # times are checked by ``verify`` against laomo's clock (injectable), not the machine's
                options={"require": list(REQUIRED_CLAIMS),
                         "verify_exp": False, "verify_iat": False, "verify_nbf": False})
        except jwt.InvalidTokenError as exc:
            raise Unauthenticated("the bearer token is not valid", {"token": [reason(exc)]}) from None


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
