"""Who is calling: the bearer token checked, the account behind it read, the actor made.

Shared by every HTTP entrypoint of the gateway. It reads accounts over a
read-only connection (no write lock), so checking a token never waits for
a write in progress.
"""
from nameko.extensions import DependencyProvider, SharedExtension

from services.chassis.clock import clock_from_config
from services.chassis.config import db_uri
from services.chassis.database import DatabaseEngine
from services.chassis.errors import Forbidden, Unauthenticated

from . import accounts
from .models import Base
from .tokens import Tokens

PASSWORD_CHANGE_REQUIRED = "password_change_required"


def tokens_from_config(config):
    return Tokens(config.get("TOKEN_KEY"), config.get("TOKEN_ISSUER", "laomo"),
                  config.get("TOKEN_AUDIENCE", "laomo-api"), config.get("TOKEN_LIFETIME", 28800))


def bearer_token(request):
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if not header:
        raise Unauthenticated("this route needs a bearer token: log in at POST /api/v1/auth/login",
                              {"token": ["missing"]})
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("the Authorization header must be 'Bearer <token>'", {"token": ["malformed"]})
    return token.strip()


class Caller:
    """The verified caller of one request: its account, token claims and actor."""

    def __init__(self, account, claims):
        self.account_id = account.id
        self.username = account.username
        self.must_change_password = account.must_change_password
        self.claims = claims
        self.actor = accounts.actor_of(account)


class Authentication(SharedExtension):
    def setup(self):
        config = self.container.config
        self.tokens = tokens_from_config(config)
        self.clock = clock_from_config(config)
        self.database = DatabaseEngine(db_uri(config, "gateway"), Base.metadata, "gateway", self.clock)

    def stop(self):
        self.database.dispose()

    def caller(self, request, roles, while_password_pending=False):
        """The :class:`Caller`; 401 without a good token, 403 without one of ``roles``."""
        claims = self.tokens.verify(bearer_token(request), self.clock.now())
        with self.database.reading() as connection:
            caller = Caller(accounts.caller_of(connection, claims), claims)
        if caller.must_change_password and not while_password_pending:
            raise Forbidden("change the one-time password first: POST /api/v1/auth/password",
                            {"reason": PASSWORD_CHANGE_REQUIRED})
        if not set(caller.actor.roles) & set(roles):
            raise Forbidden("your roles do not allow this", {"required_roles": sorted(roles),
                                                             "your_roles": list(caller.actor.roles)})
        return caller


class TokenSigner(DependencyProvider):
    """Injects the gateway's :class:`Tokens`, to issue tokens at login and password change."""

    def setup(self):
        self.tokens = tokens_from_config(self.container.config)

    def get_dependency(self, worker_ctx):
        return self.tokens
