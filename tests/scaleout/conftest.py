"""What the scale-out tests share: a fresh vhost on the test broker, fresh PostgreSQL schemas migrated
with the suite's own command, personal-data keys made by the suite's own command, the broker's
topology declared, and one registry process (welfare asks it for the union tree).

Everything is configured by environment, as a deployment configures the services; the queues are
quorum queues (``AMQP_QUEUE_TYPE=quorum``), as in production."""
import os
import uuid
from types import SimpleNamespace

import pytest
import requests
from sqlalchemy import text

from services.chassis.database import make_engine

from .cluster import replicas, run_command

WELFARE = "services.welfare.service:WelfareService"
QUEUE_TYPE = "quorum"


@pytest.fixture(scope="module")
def broker(request):
    """A vhost of this run's own on the test broker (made and dropped through the management API)."""
    amqp_uri = request.config.getoption("RABBIT_AMQP_URI")
    api = request.config.getoption("RABBIT_API_URI").rstrip("/") + "/api"
    vhost = f"laomo-scaleout-{uuid.uuid4().hex[:8]}"
    requests.put(f"{api}/vhosts/{vhost}", timeout=10).raise_for_status()
    requests.put(f"{api}/permissions/{vhost}/guest", json={"configure": ".*", "write": ".*", "read": ".*"},
                 timeout=10).raise_for_status()
    yield SimpleNamespace(uri=amqp_uri.rstrip("/") + "/" + vhost, api=api, vhost=vhost)
    requests.delete(f"{api}/vhosts/{vhost}", timeout=30)


@pytest.fixture(scope="module")
def databases():
    """Fresh PostgreSQL schemas of this run: welfare's, the registry's, and a registry outbox the events
    test publishes from. Replicas of a service share a database; that is PostgreSQL's job, not SQLite's."""
    pg_uri = os.environ.get("LAOMO_TEST_PG_URI")
    assert pg_uri, "the scale-out tests run replicas on PostgreSQL: set LAOMO_TEST_PG_URI (make test does)"
    admin = make_engine(pg_uri)
    run = uuid.uuid4().hex[:8]
    schemas = {name: f"scaleout_{name}_{run}" for name in ("welfare", "registry", "source")}
    try:
        with admin.begin() as connection:
            for schema in schemas.values():
                connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        yield {name: f"{pg_uri}?options=-csearch_path%3D{schema}" for name, schema in schemas.items()}
    finally:
        with admin.begin() as connection:
            for schema in schemas.values():
                connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(scope="module")
def log_dir(tmp_path_factory):
    return str(tmp_path_factory.mktemp("scaleout-logs"))


@pytest.fixture(scope="module")
def suite_env(broker, databases):
    """The services' environment, once the databases are migrated and the topology is declared."""
    env = dict(os.environ, AMQP_URI=broker.uri, AMQP_QUEUE_TYPE=QUEUE_TYPE,
               WELFARE_DB_URI=databases["welfare"], REGISTRY_DB_URI=databases["registry"],
               RPC_TIMEOUT="5", LOG_LEVEL="INFO",
               PYTHONWARNINGS="ignore::DeprecationWarning,ignore:pkg_resources is deprecated:UserWarning")
    for name in ("LAOMO_TEST_PG_URI", "LAOMO_CLOCK_FILE"):
        env.pop(name, None)  # the services' own clock; no test settings leak in
    env["LAOMO_PERSONAL_DATA_KEYS"] = run_command(["services.chassis.personal_data"], env, "a key").strip()
    env["LAOMO_BLIND_INDEX_KEY"] = run_command(["services.chassis.personal_data"], env, "a key").strip()
    run_command(["services.chassis.migrations", "upgrade", "welfare", "registry"], env, "migrations")
    run_command(["services.chassis.migrations", "upgrade", "registry"],
                dict(env, REGISTRY_DB_URI=databases["source"]), "migrations of the event source")
    run_command(["services.chassis.topology", "--amqp-uri", broker.uri, "declare", WELFARE], env, "topology")
    return env


@pytest.fixture(scope="module")
def registry(suite_env, broker, log_dir):
    """One registry process: welfare's entrypoints ask it for the actor's scope."""
    with replicas("registry", 1, suite_env, log_dir, "rpc-registry", broker.uri) as (process,):
        yield process
