"""What the deploy tests read: the manifests, the compose file, and the names the code knows."""
import copy
import functools
import glob
import os
import re

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEPLOY = os.path.join(ROOT, "deploy")
K8S = os.path.join(DEPLOY, "k8s")
COMPOSE = os.path.join(DEPLOY, "compose.yaml")

# the five services and the gateway, with the port of their metrics (the gateway: its HTTP port)
PORTS = {"registry": 9101, "nomination": 9102, "welfare": 9103, "association": 9104, "volunteer": 9105,
         "gateway": 8000}
SERVICES = tuple(name for name in PORTS if name != "gateway")


class PlainLoader(yaml.SafeLoader):
    """YAML as Compose and Kubernetes read it: without the ``${ENV}`` substitution nameko's config
    loader adds to every SafeLoader (services.chassis.config calls nameko's setup_yaml_parser)."""


PlainLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "!env_var"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()}


def load_yaml(stream):
    return yaml.load(stream, Loader=PlainLoader)


def load_yaml_all(stream):
    return list(yaml.load_all(stream, Loader=PlainLoader))


def config_files():
    return sorted(glob.glob(os.path.join(ROOT, "services", "*", "config.yml"))) + [
        os.path.join(ROOT, "gateway", "config.yml")]


def config_variables():
    """Every environment variable a laomo config.yml reads (``${NAME}`` or ``${NAME:default}``)."""
    names = set()
    for path in config_files():
        with open(path, encoding="utf-8") as f:
            names |= set(re.findall(r"\$\{([A-Za-z_][A-Za-z0-9_]*)", f.read()))
    return names


def k8s_files():
    return sorted(glob.glob(os.path.join(K8S, "*.yaml")))


def k8s_documents():
    """(file name, document) of every Kubernetes object under deploy/k8s (not the Kustomization); a copy
    the caller may change."""
    return copy.deepcopy(_parsed_k8s_documents())


@functools.cache
def _parsed_k8s_documents():
    documents = []
    for path in k8s_files():
        with open(path, encoding="utf-8") as f:
            for document in load_yaml_all(f):
                if document and document.get("kind") != "Kustomization":
                    documents.append((os.path.basename(path), document))
    return documents


def k8s_objects(kind):
    return {doc["metadata"]["name"]: doc for _, doc in k8s_documents() if doc["kind"] == kind}


def pod_spec(workload):
    return workload["spec"]["template"]["spec"]


def laomo_containers(documents=None):
    """(workload name, container) of every container running the laomo image."""
    found = []
    for _, doc in documents if documents is not None else k8s_documents():
        if doc["kind"] in ("Deployment", "StatefulSet", "Job"):
            spec = pod_spec(doc)
            for container in spec.get("initContainers", []) + spec["containers"]:
                if container["image"].split(":")[0] == "laomo":
                    found.append((doc["metadata"]["name"], container))
    return found


def load_compose():
    with open(COMPOSE, encoding="utf-8") as f:
        return load_yaml(f)


def compose_environment(service):
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) if "=" in item else (item, None) for item in env)
    return env
