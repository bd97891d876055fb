"""The first city-level admin: created once, from the command line, with one-time credentials.

    python -m gateway.first_admin [--unit bj] [--username admin] [--display-name NAME]

(``make admin`` runs it.) The suite must be running: the registry confirms the
unit is the city federation's. Refused once any account exists; further
accounts are made by an admin, through the API. The password printed is
shown once and must be changed at the first login.
"""
import argparse
import os
import sys

from nameko.standalone.rpc import ClusterRpcProxy

from services.chassis.clock import clock_from_config
from services.chassis.config import db_uri, load_config, service_config_path
from services.chassis.database import DatabaseEngine
from services.chassis.errors import LaomoError
from services.chassis.migrations import upgrade

from . import accounts
from .models import Base


def city_unit(config, unit_id, timeout):
    """The unit's record from the registry, if it is a city-tier unit; else SystemExit with why."""
    try:
        with ClusterRpcProxy({"AMQP_URI": config["AMQP_URI"]}, timeout=timeout) as cluster:
            unit = cluster.registry.get_unit(unit_id)
    except LaomoError as exc:
        raise SystemExit(f"laomo: {exc.message}") from None
    except Exception as exc:  # noqa: BLE001 - any broker or RPC failure means the same to the user
        raise SystemExit(f"laomo: the registry did not answer ({type(exc).__name__}); "
                         "start the suite first (make run) and try again") from None
    if unit["tier"] != "city":
        raise SystemExit(f"laomo: '{unit_id}' is a {unit['tier']}-tier unit; the first admin acts for "
                         "the city federation (市总工会)")
    return unit


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m gateway.first_admin", description=__doc__.split("\n\n")[0])
    parser.add_argument("--unit", default="bj", help="the city federation's unit id (default: bj)")
    parser.add_argument("--username", default="admin", help="the account name (default: admin)")
    parser.add_argument("--display-name", default="City federation administrator")
    parser.add_argument("--timeout", type=float, default=10, help="seconds to wait for the registry")
    args = parser.parse_args(argv)
    username = args.username.strip().lower()
    if not accounts.USERNAME.match(username):
        parser.error("--username: 3 to 64 characters, lower-case letters, digits, '.', '_' or '-'")

    config = load_config(service_config_path("gateway"))
    unit = city_unit(config, args.unit, args.timeout)
    uri = db_uri(config, "gateway")
    upgrade("gateway", uri)
    database = DatabaseEngine(uri, Base.metadata, "gateway", clock_from_config(config))
    try:
        with database.unit_of_work() as uow:
            account, password = accounts.create_first_admin(
                uow, unit["id"], username, args.display_name, database.clock.now())
    except LaomoError as exc:
        raise SystemExit(f"laomo: {exc.message}") from None
    finally:
        database.dispose()
    address = os.environ.get("GATEWAY_ADDRESS", "127.0.0.1:8000")
    print(f"laomo: the first admin of {unit['name']} ({unit['id']}) is ready.")
    print(f"  account name:       {account.username}")
    print(f"  one-time password:  {password}")
    print(f"Log in at POST http://{address}/api/v1/auth/login; the password must be changed first "
          "(POST /api/v1/auth/password). It is not shown again.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
