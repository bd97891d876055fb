"""The Kubernetes manifests of deploy/k8s: valid objects, and consistent with the code.

Schema check: every object is validated with kubernetes-validate in strict mode (unknown fields are
errors) against the schemas of Kubernetes KUBERNETES_VERSION. No custom resources are used (RabbitMQ
is a StatefulSet), so every object has a schema.
"""
import copy
import os
import re

import kubernetes_validate
import pytest

from .manifests import (
    K8S,
    PORTS,
    ROOT,
    SERVICES,
    config_variables,
    k8s_documents,
    k8s_files,
    k8s_objects,
    laomo_containers,
    load_yaml,
    load_yaml_all,
    pod_spec,
)

KUBERNETES_VERSION = "1.31.0"
DOCUMENTS = k8s_documents()


def object_id(item):
    name, doc = item
    return f"{name}:{doc['kind']}/{doc['metadata']['name']}"


@pytest.mark.parametrize("item", DOCUMENTS, ids=[object_id(d) for d in DOCUMENTS])
def test_every_object_is_valid_for_the_kubernetes_version(item):
    _, document = item
    kubernetes_validate.validate(document, KUBERNETES_VERSION, strict=True)


def test_validation_rejects_an_unknown_field():
    deployment = k8s_objects("Deployment")["registry"]
    broken = copy.deepcopy(deployment)
    pod_spec(broken)["containers"][0]["livenesProbe"] = {"httpGet": {"path": "/healthz", "port": "metrics"}}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, KUBERNETES_VERSION, strict=True)


def test_the_kustomization_applies_every_manifest_but_the_secret_template():
    with open(os.path.join(K8S, "kustomization.yaml"), encoding="utf-8") as f:
        kustomization = load_yaml(f)
    files = {os.path.basename(p) for p in k8s_files()} - {"kustomization.yaml", "secrets.example.yaml"}
    assert sorted(kustomization["resources"]) == sorted(files)
    assert kustomization["namespace"] == "laomo"
    assert all(doc["metadata"].get("namespace") == "laomo"
               for _, doc in DOCUMENTS if doc["kind"] != "Namespace")


@pytest.mark.parametrize("name", list(PORTS))
def test_every_service_and_the_gateway_has_a_deployment(name):
    deployment = k8s_objects("Deployment")[name]
    labels = deployment["spec"]["selector"]["matchLabels"]
    assert deployment["spec"]["replicas"] >= 2
    spec = pod_spec(deployment)
    (container,) = spec["containers"]
    expected_class = "gateway.service:GatewayService" if name == "gateway" else \
        f"services.{name}.service:{name.capitalize()}Service"
    assert container["command"][:2] == ["nameko", "run"] and container["command"][-1] == expected_class
    resources = container["resources"]
    assert set(resources["requests"]) >= {"cpu", "memory"} and set(resources["limits"]) >= {"cpu", "memory"}
    # nameko's graceful stop (workers finish, the outbox relay's last batch) needs more than the default 30 s
    assert spec["terminationGracePeriodSeconds"] >= 60
    # a PodDisruptionBudget and a Service select its pods
    budgets = [b for b in k8s_objects("PodDisruptionBudget").values()
               if b["spec"]["selector"]["matchLabels"] == labels]
    assert len(budgets) == 1
    services = [s for s in k8s_objects("Service").values() if s["spec"].get("selector") == labels]
    assert len(services) == 1
    assert [p["port"] for p in services[0]["spec"]["ports"]] == [PORTS[name]]


@pytest.mark.parametrize("name", list(PORTS))
def test_probes_and_scrape_annotations_point_at_a_port_the_container_declares(name):
    deployment = k8s_objects("Deployment")[name]
    (container,) = pod_spec(deployment)["containers"]
    ports = {p["name"]: p["containerPort"] for p in container["ports"]}
    liveness, readiness = container["livenessProbe"]["httpGet"], container["readinessProbe"]["httpGet"]
    # the gateway's readiness is its own: /readyz asks every service, and one down would empty the load balancer
    assert (liveness["path"], readiness["path"]) == ("/healthz", "/readyz/gateway" if name == "gateway" else "/readyz")
    for probe in (liveness, readiness):
        port = probe["port"]
        assert (ports[port] if isinstance(port, str) else port) == PORTS[name], probe
    annotations = deployment["spec"]["template"]["metadata"]["annotations"]
    assert annotations["prometheus.io/scrape"] == "true"
    assert int(annotations["prometheus.io/port"]) == PORTS[name]
    # the process listens where the probes look
    env = {e["name"]: e.get("value") for e in container["env"]}
    if name == "gateway":
        assert env["GATEWAY_ADDRESS"] == f"0.0.0.0:{PORTS[name]}"
    else:
        assert int(env[f"{name.upper()}_METRICS_PORT"]) == PORTS[name]
        assert k8s_objects("ConfigMap")["laomo-config"]["data"]["METRICS_HOST"] == "0.0.0.0"


def test_every_probe_of_every_workload_uses_a_declared_port():
    checked = 0
    for _, doc in DOCUMENTS:
        if doc["kind"] not in ("Deployment", "StatefulSet", "Job"):
            continue
        for container in pod_spec(doc)["containers"]:
            declared = {p.get("name") for p in container.get("ports", [])} | \
                {p["containerPort"] for p in container.get("ports", [])}
            for probe in ("livenessProbe", "readinessProbe", "startupProbe"):
                http = container.get(probe, {}).get("httpGet")
                if http:
                    assert http["port"] in declared, (doc["metadata"]["name"], probe)
                    checked += 1
    assert checked >= 2 * len(PORTS)


def test_laomo_containers_run_unprivileged_on_a_read_only_root():
    containers = laomo_containers(DOCUMENTS)
    assert len(containers) == len(PORTS) + 1  # and the migration Job
    for _, doc in DOCUMENTS:
        if doc["kind"] in ("Deployment", "StatefulSet", "Job"):
            assert pod_spec(doc)["securityContext"]["runAsNonRoot"] is True, doc["metadata"]["name"]
    for workload, container in containers:
        context = container["securityContext"]
        assert context["readOnlyRootFilesystem"] is True, workload
        assert context["allowPrivilegeEscalation"] is False, workload
        assert context["capabilities"]["drop"] == ["ALL"], workload


def test_every_variable_passed_to_laomo_is_one_its_config_reads():
    known = config_variables()
    passed = set(k8s_objects("ConfigMap")["laomo-config"]["data"])
    for _, container in laomo_containers(DOCUMENTS):
        passed |= {e["name"] for e in container.get("env", [])}
    assert passed - known == set(), "not read by any services/*/config.yml or gateway/config.yml"


def test_every_secret_a_workload_reads_is_in_the_template():
    with open(os.path.join(K8S, "secrets.example.yaml"), encoding="utf-8") as f:
        template = {s["metadata"]["name"]: set(s["stringData"]) for s in load_yaml_all(f)}
    used = set()
    for _, doc in DOCUMENTS:
        if doc["kind"] not in ("Deployment", "StatefulSet", "Job"):
            continue
        spec = pod_spec(doc)
        for container in spec.get("initContainers", []) + spec["containers"]:
            for env in container.get("env", []):
                ref = env.get("valueFrom", {}).get("secretKeyRef")
                if ref:
                    used.add((ref["name"], ref["key"]))
        for volume in spec.get("volumes", []):
            if "secret" in volume:
                used |= {(volume["secret"]["secretName"], item["key"]) for item in volume["secret"]["items"]}
    assert used, "no workload reads a secret"
    assert {(name, key) for name, key in used if key not in template.get(name, set())} == set()
    # placeholders only, never a real key
    for keys in template.values():
        assert keys
    with open(os.path.join(K8S, "secrets.example.yaml"), encoding="utf-8") as f:
        for secret in load_yaml_all(f):
            for key, value in secret["stringData"].items():
                assert "REPLACE" in value or key == "LAOMO_AMQP_USER", key


def test_the_migration_job_migrates_then_declares_every_service_class():
    (job,) = k8s_objects("Job").values()
    (container,) = pod_spec(job)["containers"]
    script = container["command"][-1]
    assert script.index("services.chassis.migrations upgrade") < script.index("services.chassis.topology declare")
    with open(os.path.join(ROOT, "Makefile"), encoding="utf-8") as f:
        makefile = f.read()
    classes = re.search(r"^SERVICE_CLASSES := (.*?)\n\S", makefile, re.DOTALL | re.MULTILINE).group(1)
    assert script.split("declare", 1)[1].split() == classes.replace("\\", " ").split()
    env = {e["name"] for e in container["env"]}
    assert {f"{name.upper()}_DB_URI" for name in PORTS} | {"AMQP_URI"} <= env


def test_the_broker_runs_the_same_start_script_as_compose():
    config = k8s_objects("ConfigMap")["rabbitmq-config"]["data"]
    with open(os.path.join(ROOT, "deploy", "rabbitmq", "start.sh"), encoding="utf-8") as f:
        assert config["start.sh"] == f.read()
    (broker,) = k8s_objects("StatefulSet").values()
    assert broker["spec"]["replicas"] >= 3  # quorum queues keep a majority with a node down
    sources = pod_spec(broker)["volumes"][0]["projected"]["sources"]
    assert {s["configMap"]["name"] for s in sources} == {"rabbitmq-config", "rabbitmq-definitions"}


def test_each_service_container_gets_only_its_own_database():
    for name in SERVICES:
        (container,) = pod_spec(k8s_objects("Deployment")[name])["containers"]
        databases = {e["name"] for e in container["env"] if e["name"].endswith("_DB_URI")}
        assert databases == {f"{name.upper()}_DB_URI"}


def test_the_install_steps_select_what_they_mean_by_label():
    """docs/operations.md applies the broker, the config and the Job by label before the rest."""
    def selected(key, value):
        return {(doc["kind"], doc["metadata"]["name"]) for _, doc in DOCUMENTS
                if doc["metadata"].get("labels", {}).get(key) == value}

    broker_files = {"rabbitmq.yaml", "rabbitmq-definitions.yaml"}
    assert selected("app.kubernetes.io/name", "rabbitmq") == {
        (doc["kind"], doc["metadata"]["name"]) for name, doc in DOCUMENTS if name in broker_files}
    assert selected("app.kubernetes.io/component", "config") == {("ConfigMap", "laomo-config")}
    assert selected("app.kubernetes.io/component", "migrations") == {("Job", "laomo-migrate")}
