"""The metric names laomo's alert rules and dashboards read, and the names the code declares.

Counters and histograms are registered in prometheus_client's REGISTRY when the services are imported; the
gauges read at scrape time (outbox, dead letters, business figures) exist only while a service runs, so
here they are the literal names the code hands to services.chassis.metrics.GAUGES. The end-to-end test
(tests/e2e/test_prometheus_scrape.py) checks the same names against a real Prometheus's scrape.
"""
import ast
import functools
import glob
import importlib
import json
import os
import re

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ALERTS = os.path.join(ROOT, "deploy", "prometheus", "alerts.yml")
DASHBOARDS = sorted(glob.glob(os.path.join(ROOT, "deploy", "grafana", "dashboards", "*.json")))
MODULES = ("services.registry.service", "services.nomination.service", "services.welfare.service",
           "services.association.service", "services.volunteer.service", "gateway.service")
# series Prometheus itself makes for every target
PROMETHEUS_OWN = {"up", "scrape_duration_seconds", "scrape_samples_scraped"}
NAME = re.compile(r"\b(laomo_[a-z0-9_]+|process_[a-z0-9_]+|python_[a-z0-9_]+|up|scrape_[a-z_]+)\b(?!\s*\()")


def names_in(expr):
    return set(NAME.findall(expr))


def alert_exprs():
    with open(ALERTS, encoding="utf-8") as f:
        return {rule["alert"]: rule["expr"] for group in yaml.safe_load(f)["groups"] for rule in group["rules"]}


def dashboard_exprs():
    """{"panel title or variable name (key n)": expr} of every query in the dashboards."""
    found = {}

    def walk(node, where):
        if isinstance(node, dict):
            where = node.get("title", node.get("name", where))
            for key in ("expr", "query", "definition"):
                value = node.get(key)
                if isinstance(value, str) and value:
                    found[(where, key, value)] = value
                elif isinstance(value, dict) and isinstance(value.get("query"), str):
                    found[(where, key, value["query"])] = value["query"]
            for value in node.values():
                walk(value, where)
        elif isinstance(node, list):
            for value in node:
                walk(value, where)

    for path in DASHBOARDS:
        with open(path, encoding="utf-8") as f:
            walk(json.load(f), os.path.basename(path))
    return {f"{where} ({key} {index})": expr for index, (where, key, expr) in enumerate(found)}


def used_names():
    """{metric name: [where it is read]} over alerts.yml and every dashboard."""
    used = {}
    for where, expr in {**{f"alert {k}": v for k, v in alert_exprs().items()}, **dashboard_exprs()}.items():
        for name in names_in(expr):
            used.setdefault(name, []).append(where)
    return used


def registered_names():
    """Sample names of the collectors registered once the services and the gateway are imported."""
    from prometheus_client import REGISTRY

    for module in MODULES:
        importlib.import_module(module)
    names = set()
    for family in REGISTRY.collect():
        kind = family.type
        if kind == "counter":
            names.update({family.name + "_total", family.name + "_created"})
        elif kind == "histogram":
            names.update(family.name + suffix for suffix in ("_bucket", "_sum", "_count", "_created"))
        elif kind == "info":
            names.add(family.name + "_info")
        else:
            names.add(family.name)
        names.update(sample.name for sample in family.samples)
    return names


@functools.cache
def scrape_time_gauge_names():
    """The ``laomo_*`` names that are first items of (name, help, labels, value) tuples in the code: the
    samples services.chassis.metrics.GAUGES reads at scrape time."""
    names = set()
    for path in glob.glob(os.path.join(ROOT, "services", "**", "*.py"), recursive=True) + \
            glob.glob(os.path.join(ROOT, "gateway", "**", "*.py"), recursive=True):
        if f"{os.sep}tests{os.sep}" in path:
            continue
        with open(path, encoding="utf-8") as f:
            tree = ast.parse(f.read(), path)
        for node in ast.walk(tree):
            if isinstance(node, ast.Tuple) and len(node.elts) >= 3 and isinstance(node.elts[0], ast.Constant) \
                    and isinstance(node.elts[0].value, str) and re.fullmatch(r"laomo_[a-z0-9_]+", node.elts[0].value):
                names.add(node.elts[0].value)
    return frozenset(names)


def exposed_metrics():
    """laomo's metrics by the names docs/metrics.md gives them: a counter with its ``_total``, a histogram by
    its family name, a gauge as it is."""
    from prometheus_client import REGISTRY

    for module in MODULES:
        importlib.import_module(module)
    names = {family.name + ("_total" if family.type == "counter" else "")
             for family in REGISTRY.collect() if family.name.startswith("laomo_")}
    return names | scrape_time_gauge_names()
