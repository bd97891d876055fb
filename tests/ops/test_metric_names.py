"""Every metric an alert or a dashboard reads is one the code exposes (a renamed metric breaks this test,
not a silent panel or an alert that can never fire)."""
from .metric_names import PROMETHEUS_OWN, names_in, registered_names, scrape_time_gauge_names, used_names


def test_names_are_found_in_promql():
    assert names_in('sum by (service) (rate(laomo_rpc_requests_total{outcome="error"}[5m])) and up == 0') == {
        "laomo_rpc_requests_total", "up"}
    assert names_in("histogram_quantile(0.99, sum by (le) (rate(laomo_http_request_duration_seconds_bucket[5m])))") \
        == {"laomo_http_request_duration_seconds_bucket"}


def test_the_code_declares_the_scrape_time_gauges():
    gauges = scrape_time_gauge_names()
    for name in ("laomo_outbox_backlog_events", "laomo_outbox_oldest_age_seconds", "laomo_dead_letter_messages",
                 "laomo_honourees_active", "laomo_verifications_due", "laomo_verifications_overdue",
                 "laomo_objections_open", "laomo_fund_available_yuan", "laomo_fund_budget_yuan",
                 "laomo_association_members_active", "laomo_volunteers_active"):
        assert name in gauges


def test_every_metric_the_alerts_and_dashboards_read_exists():
    used = used_names()
    assert len(used) > 20, "the alerts and dashboards read hardly any metric: is the parsing broken?"
    exposed = registered_names() | scrape_time_gauge_names() | PROMETHEUS_OWN
    assert "laomo_rpc_requests_total" in exposed and "process_resident_memory_bytes" in exposed
    unknown = {name: where for name, where in used.items() if name not in exposed}
    assert unknown == {}, "metrics read by alerts or dashboards that no code exposes"
