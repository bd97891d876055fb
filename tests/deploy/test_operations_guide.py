"""docs/operations.md and deploy/README.md name only what exists: modules, commands, variables, files,
metrics and alerts."""
import importlib.util
import os
import re

import pytest

from services.chassis import topology

from .manifests import DEPLOY, K8S, PORTS, ROOT, config_variables, load_yaml_all

GUIDES = [os.path.join(ROOT, "docs", "operations.md"), os.path.join(DEPLOY, "README.md")]
# upper-case words in backquotes that are not environment variables
NOT_VARIABLES = {"PRECONDITION_FAILED", "TLS", "SIGTERM", "JSON", "TEMPLATE"}


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def known_variables():
    names = config_variables()
    for line in read(os.path.join(DEPLOY, "env.example")).splitlines():
        if line and not line.startswith("#"):
            names.add(line.split("=", 1)[0])
    for secret in load_yaml_all(read(os.path.join(K8S, "secrets.example.yaml"))):
        names |= set(secret["stringData"])
    return names


@pytest.mark.parametrize("path", GUIDES, ids=os.path.basename)
def test_every_python_module_it_runs_exists(path):
    modules = set(re.findall(r"python -m ([\w.]+)", read(path)))
    assert modules
    assert {m for m in modules if importlib.util.find_spec(m) is None} == set()


@pytest.mark.parametrize("path", GUIDES, ids=os.path.basename)
def test_every_topology_command_it_names_exists(path):
    commands = set(re.findall(r"services\.chassis\.topology\s+(?:\\\s+)?([a-z][a-z-]+)", read(path)))
    parser_commands = {"declare", "dead-letters", "replay"}
    assert commands <= parser_commands
    assert all(f'add_parser("{c}"' in read(topology.__file__) for c in parser_commands)


@pytest.mark.parametrize("path", GUIDES, ids=os.path.basename)
def test_every_variable_it_names_is_read_somewhere(path):
    words = set(re.findall(r"`([A-Z][A-Z0-9_]{2,})`", read(path)))
    words |= set(re.findall(r"\b([A-Z][A-Z0-9]*_[A-Z0-9_]+)=", read(path)))
    # <NAME>_DB_URI and the like stand for every service's
    words = {w for w in words if "<" not in w} - NOT_VARIABLES
    assert words - known_variables() == set()


@pytest.mark.parametrize("path", GUIDES, ids=os.path.basename)
def test_every_file_it_links_to_exists(path):
    links = re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", read(path))
    assert links
    base = os.path.dirname(path)
    missing = [link for link in links if not link.startswith("http")
               and not os.path.exists(os.path.normpath(os.path.join(base, link)))]
    assert missing == []


def test_every_metric_and_alert_it_names_exists():
    guide = read(GUIDES[0])
    code = "".join(read(os.path.join(d, f)) for d, _, files in os.walk(os.path.join(ROOT, "services"))
                   for f in files if f.endswith(".py"))
    databases = {f"laomo_{name}" for name in PORTS}
    metrics = set(re.findall(r"\b(laomo_[a-z_]+)", guide)) - databases
    assert metrics and {m for m in metrics if f'"{m}"' not in code} == set()
    alerts = set(re.findall(r"\b(Laomo[A-Za-z]+)\b", guide))
    rules = read(os.path.join(DEPLOY, "prometheus", "alerts.yml"))
    assert alerts and {a for a in alerts if f"alert: {a}" not in rules} == set()


def test_every_section_the_alerts_point_to_exists():
    headings = set(re.findall(r"^#+ (.+)$", read(GUIDES[0]), re.MULTILINE))
    cited = set(re.findall(r'"([^"]+)"\s+in\s+docs/operations\.md', read(os.path.join(DEPLOY, "prometheus", "alerts.yml"))))
    assert len(cited) >= 2 and cited <= headings
