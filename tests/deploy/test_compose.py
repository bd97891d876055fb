"""deploy/compose.yaml: a valid Compose file, consistent with the code and with the other deploy files.

Schema: tests/deploy/compose-spec.json is the Compose Specification's JSON schema, vendored unchanged from
https://github.com/compose-spec/compose-spec, path schema/compose-spec.json, commit
b2835e8acc1e42e7aecbc27a9bc4a1fc66ef21ba.
"""
import copy
import json
import os
import re

import jsonschema
import pytest

from .manifests import (
    COMPOSE,
    DEPLOY,
    PORTS,
    SERVICES,
    compose_environment,
    config_variables,
    load_compose,
)

SCHEMA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "compose-spec.json")
COMPOSE_FILE = load_compose()
LAOMO = [*PORTS]  # the containers running the laomo image, besides migrate


def schema_errors(document):
    with open(SCHEMA, encoding="utf-8") as f:
        schema = json.load(f)
    validator = jsonschema.validators.validator_for(schema)(schema)
    return sorted(error.message for error in validator.iter_errors(document))


def test_the_compose_file_follows_the_compose_specification():
    assert schema_errors(COMPOSE_FILE) == []


def test_the_schema_check_rejects_an_unknown_key():
    broken = copy.deepcopy(COMPOSE_FILE)
    broken["services"]["registry"]["healthcheck"]["intervall"] = "15s"
    assert schema_errors(broken) != []
    broken = copy.deepcopy(COMPOSE_FILE)
    broken["services"]["registry"]["depends_on"]["migrate"]["condition"] = "service_completed"
    assert schema_errors(broken) != []


def test_the_stack_has_every_part():
    assert set(COMPOSE_FILE["services"]) == set(PORTS) | {"rabbitmq", "postgres", "migrate", "prometheus", "grafana"}
    assert COMPOSE_FILE["services"]["rabbitmq"]["image"].startswith("rabbitmq:3.13-management")
    assert COMPOSE_FILE["services"]["postgres"]["image"].startswith("postgres:15")


@pytest.mark.parametrize("name", LAOMO)
def test_each_process_waits_for_migrations_and_is_checked_on_its_own_port(name):
    service = COMPOSE_FILE["services"][name]
    assert service["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}
    assert service["image"] == COMPOSE_FILE["services"]["migrate"]["image"]
    env = compose_environment(service)
    command = service["command"]
    if name == "gateway":
        assert env["GATEWAY_ADDRESS"] == f"0.0.0.0:{PORTS[name]}"
        assert command[-1] == "gateway.service:GatewayService"
    else:
        assert int(env[f"{name.upper()}_METRICS_PORT"]) == PORTS[name]
        assert env["METRICS_HOST"] == "0.0.0.0"  # reachable by Prometheus on the compose network
        assert command[-1] == f"services.{name}.service:{name.capitalize()}Service"
        assert command[3] == f"services/{name}/config.yml"
    assert env["AMQP_QUEUE_TYPE"] == "quorum"
    probe = "/readyz/gateway" if name == "gateway" else "/readyz"
    assert f"http://127.0.0.1:{PORTS[name]}{probe}'" in " ".join(service["healthcheck"]["test"])


def test_the_gateway_starts_once_every_service_is_ready():
    depends = COMPOSE_FILE["services"]["gateway"]["depends_on"]
    assert {name: depends[name]["condition"] for name in SERVICES} == {name: "service_healthy" for name in SERVICES}


def test_migrate_runs_the_migrations_then_declares_the_topology_with_every_database():
    migrate = COMPOSE_FILE["services"]["migrate"]
    script = " ".join(migrate["command"])
    assert script.index("services.chassis.migrations upgrade") < script.index("services.chassis.topology declare")
    assert set(compose_environment(migrate)) >= {f"{name.upper()}_DB_URI" for name in PORTS} | {"AMQP_URI"}
    assert migrate["depends_on"]["rabbitmq"]["condition"] == "service_healthy"
    assert migrate["depends_on"]["postgres"]["condition"] == "service_healthy"


def test_every_variable_passed_to_laomo_is_one_its_config_reads():
    known = config_variables()
    for name in LAOMO + ["migrate"]:
        unknown = set(compose_environment(COMPOSE_FILE["services"][name])) - known
        assert unknown == set(), f"{name}: not read by any config.yml"


def test_each_service_gets_only_its_own_database_and_only_the_keys_it_uses():
    keyed = {"registry", "nomination", "welfare"}  # the services that seal personal data
    for name in PORTS:
        env = compose_environment(COMPOSE_FILE["services"][name])
        assert {k for k in env if k.endswith("_DB_URI")} == {f"{name.upper()}_DB_URI"}
        assert ("LAOMO_PERSONAL_DATA_KEYS" in env) == (name in keyed), name
        assert ("LAOMO_TOKEN_KEY" in env) == (name == "gateway"), name


def interpolated_variables():
    with open(COMPOSE, encoding="utf-8") as f:
        text = re.sub(r"\$\$", "", f.read())  # $$ is a literal dollar for the container's shell
    return set(re.findall(r"\$\{([A-Za-z_][A-Za-z0-9_]*)", text))


def test_env_example_names_every_variable_the_compose_file_reads():
    with open(os.path.join(DEPLOY, "env.example"), encoding="utf-8") as f:
        example = dict(line.split("=", 1) for line in f.read().splitlines() if line and not line.startswith("#"))
    assert interpolated_variables() - set(example) == set()
    # secrets are blank in the example: nothing real is committed
    for name in ("LAOMO_AMQP_PASSWORD", "POSTGRES_PASSWORD", "LAOMO_PERSONAL_DATA_KEYS", "LAOMO_BLIND_INDEX_KEY",
                 "LAOMO_TOKEN_KEY", "GRAFANA_ADMIN_PASSWORD"):
        assert example[name] == "", name


def test_secrets_are_never_written_into_the_compose_file():
    for service in COMPOSE_FILE["services"].values():
        for key, value in compose_environment(service).items():
            if any(word in key for word in ("PASSWORD", "KEY", "URI")) and value is not None:
                assert "${" in str(value), key


def test_every_file_the_compose_file_mounts_exists():
    sources = []
    for service in COMPOSE_FILE["services"].values():
        for volume in service.get("volumes", []):
            source = volume.split(":")[0] if isinstance(volume, str) else volume.get("source", "")
            if source.startswith("."):
                sources.append(source)
    assert len(sources) >= 8
    missing = [s for s in sources if not os.path.exists(os.path.normpath(os.path.join(DEPLOY, s)))]
    assert missing == []


def test_rabbitmq_loads_the_generated_definitions_and_the_config():
    broker = COMPOSE_FILE["services"]["rabbitmq"]
    mounts = {v.split(":")[1]: v.split(":")[0] for v in broker["volumes"]}
    assert mounts["/etc/rabbitmq/definitions.json"] == "./rabbitmq/definitions.json"
    assert mounts["/etc/rabbitmq/rabbitmq.conf"] == "./rabbitmq/rabbitmq.conf"
    with open(os.path.join(DEPLOY, "rabbitmq", "rabbitmq.conf"), encoding="utf-8") as f:
        conf = dict(line.split(" = ", 1) for line in f.read().splitlines() if line and not line.startswith("#"))
    assert conf["definitions.local.path"] == "/etc/rabbitmq/definitions.json"
    assert broker["command"] == ["sh", "/etc/rabbitmq/start.sh"]
