"""A real Prometheus (scripts/prometheus.sh, as `make run PROMETHEUS=1` starts it) scrapes the running suite:
every service's and the gateway's key series arrive, and every metric the alerts and dashboards read exists."""
import re
import subprocess

import pytest
import requests

from services.chassis.testing import wait_for
from tests.ops.metric_names import (
    PROMETHEUS_OWN,
    registered_names,
    scrape_time_gauge_names,
    used_names,
)

from .conftest import GATEWAY, METRICS_PORTS, ROOT, SERVICES, free_port

JOBS = SERVICES + ("gateway",)


def script(env, command):
    done = subprocess.run(["scripts/prometheus.sh", command], check=False, cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, f"scripts/prometheus.sh {command}:\n{done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.fixture(scope="module")
def prometheus(suite):
    """The project-local Prometheus on a loopback port of its own, scraping every second; stopped at the end."""
    address = f"127.0.0.1:{free_port()}"
    env = dict(suite["env"], LAOMO_PROMETHEUS_ADDRESS=address, LAOMO_SCRAPE_INTERVAL="1s")
    out = script(env, "start")
    assert f"Prometheus on http://{address}" in out
    pid_file = suite["var"] / "prometheus" / "prometheus.pid"
    pid = int(pid_file.read_text())
    try:
        yield f"http://{address}"
    finally:
        script(env, "stop")
    assert not running(pid), "Prometheus still runs after scripts/prometheus.sh stop"


def running(pid):
    """Whether the process lives (a zombie waiting for its reaper does not)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def query(prometheus, promql):
    reply = requests.get(f"{prometheus}/api/v1/query", params={"query": promql}, timeout=10)
    assert reply.status_code == 200, reply.text
    return reply.json()["data"]["result"]


def targets_up(prometheus):
    active = requests.get(f"{prometheus}/api/v1/targets", timeout=10).json()["data"]["activeTargets"]
    return {target["labels"]["job"]: target["scrapeUrl"] for target in active if target["health"] == "up"}


def test_the_suite_prints_where_each_metrics_endpoint_is(suite):
    def printed_urls():  # suite.sh prints them once it sees /readyz answer, maybe after the fixture did
        return dict(re.findall(r"laomo:\s+(\w+) metrics on (\S+),", (suite["var"] / "suite.out").read_text()))

    printed = wait_for(lambda: len(printed_urls()) == len(SERVICES) and printed_urls(), timeout=30,
                       message="suite.sh to print where the metrics are")
    assert printed == {name: f"http://127.0.0.1:{port}/metrics" for name, port in METRICS_PORTS.items()}
    for url in printed.values():
        reply = requests.get(url, timeout=10)
        assert reply.status_code == 200 and "laomo_rpc_requests_total" in reply.text


def test_prometheus_scrapes_every_service_and_the_gateway(suite, prometheus):
    requests.get(f"{suite['base']}/healthz", timeout=10).raise_for_status()  # a request the gateway counts
    up = wait_for(lambda: len(targets_up(prometheus)) == len(JOBS) and targets_up(prometheus), timeout=60,
                  interval=0.5, message="all six targets up in Prometheus")
    expected = {name: f"http://127.0.0.1:{port}/metrics" for name, port in METRICS_PORTS.items()}
    expected["gateway"] = f"http://{GATEWAY}/metrics"
    assert up == expected

    key_series = [f'up{{job="{job}"}} == 1' for job in JOBS]
    key_series += [f'process_resident_memory_bytes{{job="{job}"}}' for job in JOBS]
    key_series += [f'laomo_rpc_requests_total{{job="{name}", service="{name}", method="health"}}' for name in SERVICES]
    key_series += [f'laomo_outbox_oldest_age_seconds{{job="{name}", service="{name}"}}' for name in SERVICES]
    key_series += ['laomo_http_requests_total{job="gateway", route="/healthz", status="200"}',
                   'laomo_honourees_active{job="registry"}', 'laomo_verifications_due{job="registry"}',
                   'laomo_verifications_overdue{job="registry"}', 'laomo_objections_open{job="nomination"}',
                   'laomo_fund_available_yuan{job="welfare", fund="bj-special", kind="city_special"}',
                   'laomo_fund_budget_yuan{job="welfare", fund="bj-special"}',
                   'laomo_association_members_active{job="association"}', 'laomo_volunteers_active{job="volunteer"}']

    def absent():
        return [promql for promql in key_series if not query(prometheus, promql)]

    try:
        wait_for(lambda: not absent(), timeout=30, interval=0.5, message="every key series in Prometheus")
    except AssertionError:
        assert absent() == [], "key series Prometheus has not scraped"
        raise


def test_every_metric_the_alerts_and_dashboards_read_is_scraped_or_declared(suite, prometheus):
    """The scrape-time gauges must really come out of the services; counters without a sample yet (no
    unroutable event so far) are checked against what the code registers."""
    wait_for(lambda: len(targets_up(prometheus)) == len(JOBS), timeout=60, interval=0.5,
             message="all six targets up in Prometheus")
    scraped = set(requests.get(f"{prometheus}/api/v1/label/__name__/values", timeout=10).json()["data"])
    assert "laomo_dead_letter_messages" in scraped and "laomo_outbox_backlog_events" in scraped
    # a gauge with a series per label value has none while there is nothing to count (no active honour yet)
    by_label_value = {"laomo_honours_active"}
    assert by_label_value <= scrape_time_gauge_names()
    known = scraped | registered_names() | PROMETHEUS_OWN | by_label_value
    unknown = {name: where for name, where in used_names().items() if name not in known}
    assert unknown == {}, "metrics read by alerts or dashboards that the running suite does not expose"


def test_the_alert_rules_are_loaded_and_evaluate_against_the_real_series(prometheus):
    def rules():
        groups = requests.get(f"{prometheus}/api/v1/rules", timeout=10).json()["data"]["groups"]
        return {rule["name"]: rule for group in groups for rule in group["rules"]}

    assert {"LaomoServiceDown", "LaomoDeadLetters", "LaomoFundNearEmpty", "LaomoVerificationsOverdue"} <= set(rules())
    wait_for(lambda: all(rule["health"] == "ok" for rule in rules().values()), timeout=30, interval=0.5,
             message="every alert rule evaluated once")
    assert {name: rule.get("lastError") for name, rule in rules().items() if rule["health"] != "ok"} == {}
