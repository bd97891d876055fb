"""The Prometheus files under deploy/prometheus/ and scripts/prometheus.sh's config, checked by promtool.

promtool is Debian's (the `prometheus` package); `make test` installs it through `scripts/prometheus.sh install`.
Without it these tests fail: they are the only check that the rules parse and fire as meant.
"""
import glob
import os
import re
import shutil
import subprocess

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PROMETHEUS = os.path.join(ROOT, "deploy", "prometheus")
PROMTOOL = "/usr/bin/promtool"
JOBS = {"registry": 9101, "nomination": 9102, "welfare": 9103, "association": 9104, "volunteer": 9105}


def promtool(*args, cwd=ROOT):
    assert os.access(PROMTOOL, os.X_OK), \
        "promtool is missing: run `scripts/prometheus.sh install` (make test does it first)"
    done = subprocess.run([PROMTOOL, *args], check=False, cwd=cwd, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"promtool {' '.join(args)}:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def load(name):
    with open(os.path.join(PROMETHEUS, name), encoding="utf-8") as f:
        return yaml.safe_load(f)


def beside_the_rules(tmp_path, name, config=None):
    """A copy of a config in tmp_path with alerts.yml next to it, as the config names it."""
    shutil.copy(os.path.join(PROMETHEUS, "alerts.yml"), tmp_path / "alerts.yml")
    path = tmp_path / name
    if config is None:
        shutil.copy(os.path.join(PROMETHEUS, name), path)
    else:
        path.write_text(yaml.safe_dump(config), encoding="utf-8")
    return path


def test_the_compose_config_passes_promtool_and_scrapes_every_service(tmp_path):
    out = promtool("check", "config", str(beside_the_rules(tmp_path, "prometheus.yml")))
    assert "SUCCESS: 1 rule files found" in out
    config = load("prometheus.yml")
    targets = {job["job_name"]: [t for s in job["static_configs"] for t in s["targets"]]
               for job in config["scrape_configs"]}
    expected = {name: [f"{name}:{port}"] for name, port in JOBS.items()}
    expected["gateway"] = ["gateway:8000"]
    expected["rabbitmq"] = ["rabbitmq:15692"]  # the broker's own metrics
    assert targets == expected
    assert config["rule_files"] == ["alerts.yml"]


def test_the_kubernetes_config_passes_promtool_and_reads_the_pod_annotations(tmp_path):
    config = load("prometheus-kubernetes.yml")
    [job] = config["scrape_configs"]
    assert job["kubernetes_sd_configs"][0]["role"] == "pod"
    sources = {label for rule in job["relabel_configs"] for label in rule.get("source_labels", [])}
    for annotation in ("scrape", "port", "path"):
        assert f"__meta_kubernetes_pod_annotation_prometheus_io_{annotation}" in sources
    # Debian's Prometheus is built without Kubernetes discovery (upstream's image, which the cluster runs, has it),
    # so promtool checks everything else with the discovery swapped for a file of the same pods' addresses
    del job["kubernetes_sd_configs"]
    (tmp_path / "pods.yml").write_text("- targets: ['10.0.0.1:9101']\n", encoding="utf-8")
    job["file_sd_configs"] = [{"files": [str(tmp_path / "pods.yml")]}]
    out = promtool("check", "config", str(beside_the_rules(tmp_path, "prometheus-kubernetes.yml", config)))
    assert "SUCCESS: 1 rule files found" in out


def test_the_local_config_scrapes_the_ports_the_suite_is_given(tmp_path):
    env = dict(os.environ, LAOMO_VAR=str(tmp_path), GATEWAY_ADDRESS="127.0.0.1:18000", LAOMO_SCRAPE_INTERVAL="1s",
               WELFARE_METRICS_PORT="19103")
    for name in JOBS.keys() - {"welfare"}:
        env.pop(f"{name.upper()}_METRICS_PORT", None)
    written = subprocess.run(["scripts/prometheus.sh", "config"], check=False, cwd=ROOT, env=env,
                             capture_output=True, text=True, timeout=60)
    assert written.returncode == 0, written.stderr
    path = written.stdout.strip()
    assert path == f"{tmp_path}/prometheus/prometheus.yml"
    promtool("check", "config", path)
    with open(path, encoding="utf-8") as f:
        config = yaml.safe_load(f)
    assert config["global"]["scrape_interval"] == "1s"
    assert config["rule_files"] == [os.path.join(PROMETHEUS, "alerts.yml")]
    targets = {job["job_name"]: job["static_configs"][0]["targets"] for job in config["scrape_configs"]}
    assert targets == {"registry": ["127.0.0.1:9101"], "nomination": ["127.0.0.1:9102"],
                       "welfare": ["127.0.0.1:19103"], "association": ["127.0.0.1:9104"],
                       "volunteer": ["127.0.0.1:9105"], "gateway": ["127.0.0.1:18000"]}


def test_the_rules_pass_promtool():
    out = promtool("check", "rules", os.path.join(PROMETHEUS, "alerts.yml"))
    rules = [rule for group in load("alerts.yml")["groups"] for rule in group["rules"]]
    assert f"SUCCESS: {len(rules)} rules found" in out


def test_each_alert_fires_on_made_up_series_and_not_on_healthy_ones():
    out = promtool("test", "rules", "alerts.test.yml", "alerts.late-year.test.yml", cwd=PROMETHEUS)
    assert out.count("SUCCESS") == 2


def test_every_alert_has_a_firing_case_in_the_rule_tests():
    alerts = {rule["alert"] for group in load("alerts.yml")["groups"] for rule in group["rules"]}
    firing = set()
    for name in ("alerts.test.yml", "alerts.late-year.test.yml"):
        for group in load(name)["tests"]:
            for case in group["alert_rule_test"]:
                if case["exp_alerts"]:
                    firing.add(case["alertname"])
    assert alerts - firing == set(), "alerts without a test that shows them firing"
    assert firing - alerts == set(), "tests of alerts that do not exist"


def test_every_alert_waits_has_a_severity_and_says_what_to_do():
    for group in load("alerts.yml")["groups"]:
        for rule in group["rules"]:
            assert re.fullmatch(r"\d+[smhd]", rule["for"]), rule["alert"]
            assert rule["labels"]["severity"] in ("critical", "warning"), rule["alert"]
            assert rule["annotations"]["summary"], rule["alert"]
            assert len(rule["annotations"]["description"]) > 100, rule["alert"]


def test_the_guide_sections_the_alerts_point_at_exist():
    sections = set()
    for group in load("alerts.yml")["groups"]:
        for rule in group["rules"]:
            sections.update(re.findall(r'"([^"]+)" in docs/operations\.md', rule["annotations"]["description"]))
    assert sections, "no alert points at docs/operations.md"
    with open(os.path.join(ROOT, "docs", "operations.md"), encoding="utf-8") as f:
        headings = {line.lstrip("#").strip() for line in f if line.startswith("#")}
    assert sections - headings == set(), "sections of docs/operations.md the alerts name but the guide lacks"


SHARED_GAUGES = re.compile(r"sum\s*\(\s*laomo_(fund_|honourees_|verifications_|objections_|outbox_backlog|outbox_oldest"
                           r"|dead_letter|association_members|volunteers_)")


def summed_gauges(expr):
    return SHARED_GAUGES.search(re.sub(r"\b(by|without)\s*\([^)]*\)", "", expr))


def test_the_gauges_every_replica_reports_alike_are_never_summed():
    """Every replica reads the same database or queue: a sum over replicas would multiply the figure."""
    assert summed_gauges("sum by (service) (laomo_dead_letter_messages) > 0")
    assert not summed_gauges("max without (instance, pod) (laomo_dead_letter_messages) > 0")
    for group in load("alerts.yml")["groups"]:
        for rule in group["rules"]:
            assert not summed_gauges(rule["expr"]), rule["alert"]


def meta_labels(pod_metadata, address):
    """The __meta_kubernetes_pod_* labels Prometheus's pod discovery gives a pod (the ones our config reads)."""
    def name(key):
        return re.sub(r"[^a-zA-Z0-9_]", "_", key)

    labels = {"__address__": address, "__metrics_path__": "/metrics", "job": "laomo-pods",
              "__meta_kubernetes_pod_phase": "Running", "__meta_kubernetes_namespace": "laomo",
              "__meta_kubernetes_pod_name": "pod-0"}
    labels.update({f"__meta_kubernetes_pod_label_{name(k)}": v for k, v in pod_metadata.get("labels", {}).items()})
    labels.update({f"__meta_kubernetes_pod_annotation_{name(k)}": v
                   for k, v in pod_metadata.get("annotations", {}).items()})
    return labels


def relabel(labels, rules):
    """Prometheus's keep and replace relabelling (the two actions the config uses), anchored regexes."""
    for rule in rules:
        value = ";".join(labels.get(source, "") for source in rule.get("source_labels", []))
        match = re.fullmatch(rule.get("regex", "(.*)"), value)
        action = rule.get("action", "replace")
        if action == "keep":
            if not match:
                return None
        elif action == "replace":
            if match:
                labels[rule["target_label"]] = match.expand(rule.get("replacement", "$1").replace("$", "\\"))
        else:
            raise AssertionError(f"relabel action {action} not simulated here")
    return labels


def test_the_kubernetes_config_finds_each_deployment_under_its_job_name():
    """The pods of deploy/k8s/ go through the config's relabelling: one target each, on its metrics port, the
    job named as the alert rules expect."""
    [job] = load("prometheus-kubernetes.yml")["scrape_configs"]
    found = {}
    for path in sorted(glob.glob(os.path.join(ROOT, "deploy", "k8s", "*.yaml"))):
        with open(path, encoding="utf-8") as f:
            for document in yaml.safe_load_all(f):
                if not document or document.get("kind") != "Deployment":
                    continue
                pod = document["spec"]["template"]["metadata"]
                for port in (8000, 5672, 9101):  # the pod is discovered once per container port
                    target = relabel(meta_labels(pod, f"10.1.2.3:{port}"), job["relabel_configs"])
                    if target is not None:
                        found.setdefault(target["job"], set()).add((target["__address__"],
                                                                   target["__metrics_path__"]))
    expected = {name: {(f"10.1.2.3:{port}", "/metrics")} for name, port in JOBS.items()}
    expected["gateway"] = {("10.1.2.3:8000", "/metrics")}
    assert found == expected


def test_the_unroutable_alert_watches_exactly_the_event_types_handlers_subscribe_to():
    """Events nobody subscribes to are unroutable by design; those a handler waits for must never be."""
    from services.chassis.topology import event_handlers_of, load_service_class

    subscribed = set()
    for name in JOBS:
        service_cls = load_service_class(f"services.{name}.service:{name.capitalize()}Service")
        subscribed.update((source, event_type) for source, event_type, _ in event_handlers_of(service_cls))
    assert ("registry", "honour_revoked") in subscribed
    expr = next(rule["expr"] for group in load("alerts.yml")["groups"] for rule in group["rules"]
                if rule["alert"] == "LaomoEventsUnroutable")
    watched = {(service, event_type)
               for service, types in re.findall(
                   r'laomo_events_unroutable_total\{service="(\w+)", event_type=~"([\w|]+)"\}', expr)
               for event_type in types.split("|")}
    assert watched == subscribed
