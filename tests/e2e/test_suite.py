"""End to end: the processes `make run` starts answer over HTTP, and stop cleanly on Ctrl-C."""
import json
import os
import signal

import pytest
import requests

from services.chassis.testing import wait_for

from .conftest import METRICS_PORTS, SERVICES


def get(suite, path, token=None, **kwargs):
    if token is not None:
        kwargs["headers"] = dict(kwargs.get("headers", {}), Authorization=f"Bearer {token.token}")
    return requests.get(suite["base"] + path, timeout=10, **kwargs)


def test_alive_and_ready_with_every_service(suite):
    assert get(suite, "/healthz").json() == {"status": "alive"}
    ready = get(suite, "/readyz")
    assert ready.status_code == 200
    body = ready.json()
    assert body["status"] == "ready"
    assert {name: report["status"] for name, report in body["services"].items()} == {
        name: "ok" for name in SERVICES}


def test_the_default_union_tree_over_http(suite, city_admin):
    page = get(suite, "/api/v1/units", params={"page_size": 100}, token=city_admin)
    assert page.status_code == 200
    assert page.headers["Content-Type"].startswith("application/json")
    body = page.json()
    # the default tree: the city and its 17 districts (other tests may since have added units below them)
    assert body["total"] >= 18
    names = {unit["id"]: unit["name"] for unit in body["items"]}
    assert {"bj", "bj-haidian", "bj-miyun", "bj-etown"} <= set(names)
    assert names["bj"] == "北京市总工会"
    assert names["bj-etown"] == "北京经济技术开发区总工会"
    assert len(get(suite, "/api/v1/units/bj/children", token=city_admin).json()["items"]) == 17
    assert get(suite, "/api/v1/units/bj-haidian", token=city_admin).json()["parent_id"] == "bj"
    scope = get(suite, "/api/v1/units/bj/scope", token=city_admin).json()["unit_ids"]
    assert set(names) <= set(scope) and "bj-miyun" in scope
    districts = get(suite, "/api/v1/units", params={"tier": "district", "page_size": 5}, token=city_admin).json()
    assert districts["total"] == 17 and districts["pages"] == 4 and len(districts["items"]) == 5


def test_errors_have_one_json_shape(suite, city_admin):
    assert get(suite, "/api/v1/units").status_code == 401
    missing = get(suite, "/api/v1/units/no-such-unit", token=city_admin)
    assert missing.status_code == 404
    assert missing.json() == {"error": "not_found", "message": "no unit 'no-such-unit'",
                              "details": {"unit_id": "no-such-unit"}}
    bad = get(suite, "/api/v1/units", params={"page_size": "1000", "colour": "red"}, token=city_admin)
    assert bad.status_code == 422 and bad.json()["details"] == {"colour": ["unknown parameter"]}
    bad_size = get(suite, "/api/v1/units", params={"page_size": "1000"}, token=city_admin)
    assert bad_size.status_code == 422 and "page_size" in bad_size.json()["details"]
    nowhere = get(suite, "/api/v2/anything")
    assert nowhere.status_code == 404 and nowhere.json()["error"] == "not_found"
    wrong_method = requests.delete(suite["base"] + "/api/v1/units", timeout=10,
                                   headers={"Authorization": f"Bearer {city_admin.token}"})
    assert wrong_method.status_code == 405 and wrong_method.json()["error"] == "method_not_allowed"


def test_request_id_is_echoed_and_followed_into_the_service_logs(suite, city_admin):
    response = get(suite, "/api/v1/units/bj-xicheng", headers={"X-Request-Id": "e2e-trace-0001"},
                   token=city_admin)
    assert response.headers["X-Request-Id"] == "e2e-trace-0001"
    assert len(get(suite, "/healthz").headers["X-Request-Id"]) == 32  # made when none is given
    # the registry's log lines for that request carry the same id (JSON lines, LOG_LEVEL=DEBUG here)
    registry_log = suite["var"] / "log" / "registry.log"

    def logged():
        for line in registry_log.read_text(encoding="utf-8").splitlines():
            if line.startswith("{"):
                entry = json.loads(line)
                if entry.get("correlation_id") == "e2e-trace-0001" and entry.get("method") == "get_unit":
                    return entry
        return None

    entry = wait_for(logged, timeout=5, message="the registry's log line")
    assert entry["service"] == "registry" and entry["outcome"] == "ok"


def test_metrics_of_the_gateway_and_every_service(suite, city_admin):
    get(suite, "/api/v1/units/bj", token=city_admin)
    gateway = get(suite, "/metrics").text
    assert 'laomo_http_requests_total{method="GET",route="/api/v1/units/<string:unit_id>",status="200"}' in gateway
    for name, port in METRICS_PORTS.items():
        text = requests.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text
        assert f'laomo_rpc_requests_total{{method="health",outcome="ok",service="{name}"}}' in text
        assert f'laomo_outbox_backlog_events{{service="{name}"}} 0.0' in text
        for probe, answer in (("healthz", "ok\n"), ("readyz", "ready\n")):
            response = requests.get(f"http://127.0.0.1:{port}/{probe}", timeout=5)
            assert (response.status_code, response.text) == (200, answer), (name, probe)


def test_a_made_up_http_method_is_counted_as_other_not_as_a_new_series(suite):
    for method in ("BREW", "PROPFIND", "SEARCH"):
        requests.request(method, f"{suite['base']}/api/v1/nowhere", timeout=5)
    gateway = get(suite, "/metrics").text
    assert 'laomo_http_requests_total{method="other",route="unmatched",status="404"} 3.0' in gateway
    assert not {"BREW", "PROPFIND", "SEARCH"} & set(gateway.split('"'))


def test_a_stopped_service_shows_as_not_ready_and_its_routes_as_unavailable(suite, city_admin):
    pid = int((suite["var"] / "run" / "registry.pid").read_text())
    os.kill(pid, signal.SIGSTOP)  # hung, not gone: its queue is there, nobody answers
    try:
        ready = get(suite, "/readyz")
        assert ready.status_code == 503
        assert ready.json()["services"]["registry"]["status"] == "service_timeout"
        assert ready.json()["services"]["welfare"]["status"] == "ok"
        timed_out = get(suite, "/api/v1/units/bj", token=city_admin)
        assert timed_out.status_code == 504 and timed_out.json()["error"] == "service_timeout"
        # the gateway itself still takes traffic: its replicas stay in the load balancer
        gateway_ready = get(suite, "/readyz/gateway")
        assert (gateway_ready.status_code, gateway_ready.json()) == (200, {"status": "ready"})
        assert get(suite, "/api/v1/funds", token=city_admin).status_code == 200  # welfare still answers
    finally:
        os.kill(pid, signal.SIGCONT)
    wait_for(lambda: get(suite, "/readyz").status_code == 200, timeout=30, message="readiness again")


@pytest.mark.stops_the_suite
def test_ctrl_c_stops_every_process(suite):
    var, process = suite["var"], suite["process"]
    pids = [int((var / "run" / f"{name}.pid").read_text()) for name in SERVICES + ("gateway",)]
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=30) == 0
    for pid in pids:
        assert not os.path.exists(f"/proc/{pid}") or "zombie" in open(f"/proc/{pid}/status").read().lower()
    assert not list((var / "run").glob("*.pid"))
