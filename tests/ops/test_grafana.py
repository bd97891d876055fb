"""Grafana's provisioning and laomo's two dashboards: loadable JSON, every query valid PromQL (promtool parses
them as recording rules), the provider's path where deploy/compose.yaml mounts the dashboards."""
import json
import os
import re

import pytest
import yaml

from .metric_names import DASHBOARDS, ROOT, dashboard_exprs
from .test_prometheus_rules import promtool

GRAFANA = os.path.join(ROOT, "deploy", "grafana")


def load_dashboard(name):
    with open(os.path.join(GRAFANA, "dashboards", name), encoding="utf-8") as f:
        return json.load(f)


def all_panels(dashboard):
    for panel in dashboard["panels"]:
        yield panel
        yield from panel.get("panels", [])


def test_both_dashboards_are_there():
    assert [os.path.basename(path) for path in DASHBOARDS] == ["laomo-business.json", "laomo-suite.json"]


@pytest.mark.parametrize("name", ["laomo-suite.json", "laomo-business.json"])
def test_a_dashboard_is_one_grafana_loads(name):
    dashboard = load_dashboard(name)
    assert dashboard["uid"] == name.removesuffix(".json") and dashboard["title"]
    assert 36 <= dashboard["schemaVersion"] <= 41
    variables = {v["name"]: v for v in dashboard["templating"]["list"]}
    assert variables["datasource"]["type"] == "datasource" and variables["datasource"]["query"] == "prometheus"
    ids = [panel["id"] for panel in all_panels(dashboard)]
    assert len(ids) == len(set(ids)), "panel ids repeat"
    for panel in all_panels(dashboard):
        grid = panel["gridPos"]
        assert grid["x"] + grid["w"] <= 24 and grid["h"] > 0, panel["title"]
        if panel["type"] == "row":
            continue
        assert panel["datasource"] == {"type": "prometheus", "uid": "${datasource}"}, panel["title"]
        assert panel["targets"], panel["title"]
        refs = [target["refId"] for target in panel["targets"]]
        assert len(refs) == len(set(refs)), panel["title"]
        for target in panel["targets"]:
            assert target["expr"] and target["datasource"]["uid"] == "${datasource}", panel["title"]
        used_variables = set(re.findall(r"\$\{?(\w+)", json.dumps(panel["targets"])))
        assert used_variables - {"__rate_interval", "__interval", "__range"} <= set(variables), panel["title"]


def test_panels_do_not_overlap():
    for path in DASHBOARDS:
        taken = set()
        for panel in all_panels(load_dashboard(os.path.basename(path))):
            grid = panel["gridPos"]
            cells = {(x, y) for x in range(grid["x"], grid["x"] + grid["w"])
                     for y in range(grid["y"], grid["y"] + grid["h"])}
            assert not cells & taken, f"{path}: {panel['title']} overlaps another panel"
            taken |= cells


def test_every_dashboard_query_is_valid_promql(tmp_path):
    exprs = {where: expr for where, expr in dashboard_exprs().items() if not expr.startswith("label_values(")}
    assert len(exprs) > 30
    substitutes = {"$__rate_interval": "5m", "$__interval": "1m", "$__range": "1h", "$service": ".*", "$fund": ".*"}
    rules = []
    for index, expr in enumerate(exprs.values()):
        for variable, value in substitutes.items():
            expr = expr.replace(variable, value)
        assert "$" not in expr, expr
        rules.append({"record": f"dashboard:query_{index}", "expr": expr})
    path = tmp_path / "dashboard-queries.yml"
    path.write_text(yaml.safe_dump({"groups": [{"name": "dashboards", "rules": rules}]}), encoding="utf-8")
    assert f"SUCCESS: {len(rules)} rules found" in promtool("check", "rules", str(path))


def test_the_dashboards_read_the_business_gauges_without_summing_replicas():
    business = json.dumps(load_dashboard("laomo-business.json"))
    for name in ("laomo_honourees_active", "laomo_verifications_due", "laomo_verifications_overdue",
                 "laomo_objections_open", "laomo_fund_balance_yuan", "laomo_fund_committed_yuan",
                 "laomo_fund_available_yuan", "laomo_fund_budget_yuan", "laomo_association_members_active",
                 "laomo_volunteers_active"):
        assert name in business
    assert not re.search(r"sum[^\"]*laomo_(fund|honour|verification|objection|association|volunteer)", business)


def test_the_provisioning_points_at_prometheus_and_the_mounted_dashboards():
    with open(os.path.join(GRAFANA, "provisioning", "datasources", "prometheus.yml"), encoding="utf-8") as f:
        [source] = yaml.safe_load(f)["datasources"]
    assert source["type"] == "prometheus" and source["url"] == "http://prometheus:9090"
    with open(os.path.join(GRAFANA, "provisioning", "dashboards", "laomo.yml"), encoding="utf-8") as f:
        [provider] = yaml.safe_load(f)["providers"]
    assert provider["type"] == "file"
    with open(os.path.join(ROOT, "deploy", "compose.yaml"), encoding="utf-8") as f:
        grafana = yaml.safe_load(f)["services"]["grafana"]
    assert f"./grafana/dashboards:{provider['options']['path']}:ro" in grafana["volumes"]
    assert "./grafana/provisioning:/etc/grafana/provisioning:ro" in grafana["volumes"]
