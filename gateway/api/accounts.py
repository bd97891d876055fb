"""Routes of logging in and out, and of accounts (账号管理). Entrypoints only."""
from services.chassis.audit import trail_of
from services.chassis.errors import Unauthenticated
from services.chassis.schemas import page_of

from .. import accounts
from ..http import http
from ..models import Account, Base
from ..roles import ADMINS, ANYONE
from ..schemas import (
    AccountChangesSchema,
    AccountOut,
    AccountPageOut,
    AccountQuerySchema,
    LoginSchema,
    MeOut,
    NewAccountOut,
    NewAccountSchema,
    PasswordChangeSchema,
    TokenOut,
)

account_out = AccountOut()


def remote_addr(request):
    return request.remote_addr or "unknown"


class AccountRoutes:
    """Mixed into GatewayService: needs ``db``, ``clock``, ``config``, ``registry``."""

    def login_limits(self):
        return (int(self.config.get("LOGIN_MAX_FAILURES", 5)),
                int(self.config.get("LOGIN_MAX_FAILURES_PER_ADDRESS", 30)),
                int(self.config.get("LOGIN_WINDOW", 900)))

    @http("POST", "/api/v1/auth/login", body=LoginSchema, response=TokenOut, tag="auth",
          errors=(401, 429), summary="Log in: a bearer token for the account")
    def login(self, request, body):
        database, now, limits = self.db.database, self.clock.now(), self.login_limits()
        username, address = body["username"].strip().lower(), remote_addr(request)
        with database.reading_session() as session:
            accounts.check_rate(session, username, address, now, limits)
            account = accounts.authenticate_password(session, username, body["password"])
        if account is None:
            # recorded in a unit of work of its own: the 401 below must not roll it back
            with database.unit_of_work() as uow:
                accounts.record_failure(uow, username, address, now, "wrong name or password")
            raise Unauthenticated("wrong account name or password", {})
        accounts.forget_failures(self.db, username, now, limits[2])
        token, claims = self.tokens.issue(account, now)
        return {"access_token": token, "token_type": "Bearer", "expires_in": claims["exp"] - claims["iat"],
                "must_change_password": account.must_change_password}

    @http("POST", "/api/v1/auth/logout", roles=ANYONE, while_password_pending=True, status=204,
          tag="auth", summary="Log out: this token is refused from now on")
    def logout(self, request, caller):
        accounts.revoke(self.db, caller.claims, self.clock.now())
        return 204, None

    @http("POST", "/api/v1/auth/password", roles=ANYONE, while_password_pending=True,
          body=PasswordChangeSchema, response=TokenOut, tag="auth",
          summary="Change your password; every token issued before ends, a new one is returned")
    def change_password(self, request, caller, body):
        now = self.clock.now()
        account = accounts.change_password(self.db, caller.actor, caller.account_id,
                                           body["current_password"], body["new_password"], now)
        token, claims = self.tokens.issue(account, now)
        return {"access_token": token, "token_type": "Bearer", "expires_in": claims["exp"] - claims["iat"],
                "must_change_password": False}

    @http("GET", "/api/v1/auth/me", roles=ANYONE, while_password_pending=True, response=MeOut,
          tag="auth", summary="Who you are, and the units you act for")
    def me(self, request, caller):
        with self.db.database.reading_session() as session:
            account = session.get(Account, caller.account_id)
            return {"account": accounts.view(account), "scope": self.registry.scope_of(account.unit_id)}

    # --- accounts, managed by admins within their scope -----------------------------------------

    @http("GET", "/api/v1/accounts", roles=ADMINS, query=AccountQuerySchema, response=AccountPageOut,
          tag="accounts", summary="Accounts of your unit and the units below it")
    def list_accounts(self, request, caller, query):
        params = AccountQuerySchema().load(query)
        scope = self.registry.scope_of(caller.actor.unit_id)
        with self.db.database.reading_session() as session:
            items, total = accounts.listing(session, scope, **params)
            return page_of([accounts.view(a) for a in items], total, params["page"], params["page_size"])

    @http("POST", "/api/v1/accounts", roles=ADMINS, body=NewAccountSchema, response=NewAccountOut,
          status=201, errors=(404, 409), tag="accounts",
          summary="Create an account for your unit or one below it; shows its one-time password once")
    def create_account(self, request, caller, body):
        scope = self.registry.scope_of(caller.actor.unit_id)
        account, password = accounts.create(self.db, caller.actor, scope, NewAccountSchema().load(body),
                                            self.clock.now())
        return 201, {"account": accounts.view(account), "one_time_password": password}

    @http("GET", "/api/v1/accounts/<string:account_id>", roles=ADMINS, response=AccountOut,
          errors=(404,), tag="accounts", summary="One account in your scope")
    def get_account(self, request, caller, account_id):
        scope = self.registry.scope_of(caller.actor.unit_id)
        with self.db.database.reading_session() as session:
            return accounts.view(accounts.get_in_scope(session, account_id, scope))

    @http("PATCH", "/api/v1/accounts/<string:account_id>", roles=ADMINS, body=AccountChangesSchema,
          response=AccountOut, errors=(404, 409), tag="accounts",
          summary="Change an account's name, unit, roles, personal-data right, or disable it")
    def update_account(self, request, caller, account_id, body):
        scope = self.registry.scope_of(caller.actor.unit_id)
        account = accounts.update(self.db, caller.actor, scope, account_id, AccountChangesSchema().load(body),
                                  self.clock.now())
        return accounts.view(account)

    @http("POST", "/api/v1/accounts/<string:account_id>/password-reset", roles=ADMINS,
          response=NewAccountOut, errors=(404,), tag="accounts",
          summary="A new one-time password for an account; its tokens end")
    def reset_password(self, request, caller, account_id):
        scope = self.registry.scope_of(caller.actor.unit_id)
        account, password = accounts.reset_password(self.db, caller.actor, scope, account_id, self.clock.now())
        return {"account": accounts.view(account), "one_time_password": password}

    @http("GET", "/api/v1/accounts/<string:account_id>/audit", roles=ADMINS, errors=(404,),
          tag="accounts", summary="The audit trail of an account in your scope")
    def account_audit(self, request, caller, account_id):
        scope = self.registry.scope_of(caller.actor.unit_id)
        with self.db.database.reading_session() as session:
            accounts.get_in_scope(session, account_id, scope)
            return {"items": trail_of(session, Base.metadata, {"account": [account_id]})}
