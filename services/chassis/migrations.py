"""Alembic, the same way for every service.

Each service keeps its history in ``services/<name>/migrations/versions``;
its ``env.py`` is two lines that hand over to :func:`run_env`. This module is
also the command ``make run`` and ``make test`` use:

    python -m services.chassis.migrations upgrade [SERVICE ...]
    python -m services.chassis.migrations revision SERVICE -m "message"
"""
import argparse
import os
import sys

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from .config import db_uri, load_config, service_config_path
from .database import make_engine, service_metadata

SERVICES = ("registry", "nomination", "welfare", "association", "volunteer", "gateway")
SERVICES_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def package_dir(service):
    """Where a service's package lives: ``services/<name>``, the gateway at the top level."""
    if service == "gateway":
        return os.path.join(os.path.dirname(SERVICES_DIR), "gateway")
    return os.path.join(SERVICES_DIR, service)


def alembic_config(service, uri=None):
    if uri is None:
        uri = db_uri(load_config(service_config_path(service)), service)
    config = Config()
    config.set_main_option("script_location", os.path.join(package_dir(service), "migrations"))
    config.attributes["laomo.uri"] = uri
    config.attributes["laomo.service"] = service
    return config


def run_env(context, target_metadata):
    """The body of every service's ``env.py`` (online mode; offline SQL is not used)."""
    config = context.config
    engine = config.attributes.get("laomo.engine") or make_engine(config.attributes["laomo.uri"])
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata,
                          render_as_batch=True, compare_type=True)
        with context.begin_transaction():
            context.run_migrations()
    if "laomo.engine" not in config.attributes:
        engine.dispose()


def create_outbox_and_inbox(op):
    """Every service's first migration: the tables :func:`service_metadata` adds."""
    metadata = service_metadata()
    metadata.create_all(op.get_bind(), tables=[metadata.tables["outbox"], metadata.tables["inbox"]])


def upgrade(service, uri=None, revision="head"):
    command.upgrade(alembic_config(service, uri), revision)


def differences(service, metadata, uri):
    """What the models have that the migrated database lacks (empty when they agree)."""
    engine = make_engine(uri)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            return compare_metadata(context, metadata)
    finally:
        engine.dispose()


def current_head(service):
    return ScriptDirectory.from_config(alembic_config(service, "sqlite://")).get_current_head()


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m services.chassis.migrations",
                                     description="Apply or write laomo's database migrations.")
    commands = parser.add_subparsers(dest="command", required=True)
    p_up = commands.add_parser("upgrade", help="bring each service's database to the newest revision")
    p_up.add_argument("services", nargs="*", default=list(SERVICES))
    p_rev = commands.add_parser("revision", help="write a new migration from the models (autogenerate)")
    p_rev.add_argument("service", choices=SERVICES)
    p_rev.add_argument("-m", "--message", required=True)
    args = parser.parse_args(argv)

    if args.command == "upgrade":
        for service in args.services:
            upgrade(service)
            print(f"laomo: {service} database at revision {current_head(service)}")
    elif args.command == "revision":
        command.revision(alembic_config(args.service), message=args.message, autogenerate=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
