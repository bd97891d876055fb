"""The metrics follow Prometheus's conventions, keep bounded labels, and docs/metrics.md lists them all."""
import pathlib
import re

from prometheus_client import REGISTRY

import gateway.service  # noqa: F401 - registers the gateway's metrics
from services.chassis import metrics

ROOT = pathlib.Path(__file__).resolve().parents[3]
NAME = re.compile(r'"(laomo_[a-z_]+)"')
# laomo_* strings that are not metrics: SQLAlchemy session and connection info keys
NOT_METRICS = {"laomo_locked_funds", "laomo_ledger_rows", "laomo_posted_keys", "laomo_readonly"}
BOUNDED_LABELS = {"service", "method", "outcome", "event_type", "handler", "route", "status", "level", "fund", "kind"}


def names_in_code():
    found = set()
    for path in [*ROOT.glob("services/**/*.py"), *ROOT.glob("gateway/**/*.py")]:
        if "tests" not in path.parts:
            found |= set(NAME.findall(path.read_text(encoding="utf-8")))
    return found - NOT_METRICS


def names_in_docs():
    return set(re.findall(r"^\| `(laomo_[a-z_]+)` \|", (ROOT / "docs/metrics.md").read_text(encoding="utf-8"),
                          re.M))


def laomo_collectors():
    return [family for family in REGISTRY.collect() if family.name.startswith("laomo_")]


def test_docs_list_every_metric_the_code_exposes_and_no_other():
    assert names_in_code(), "the scan found no metric at all"
    assert names_in_docs() == names_in_code()


def test_counters_end_in_total_and_durations_are_histograms_in_seconds():
    families = {family.name: family for family in laomo_collectors() if family.type in ("counter", "histogram")}
    assert families
    for family in families.values():
        if family.type == "counter":
            # prometheus_client names a counter's family without the suffix its samples carry
            assert all(s.name.endswith(("_total", "_created")) for s in family.samples) or not family.samples
        else:
            assert family.name.endswith("_seconds"), family.name


def test_labels_are_bounded_kinds_only():
    for collector in (metrics.RPC_REQUESTS, metrics.RPC_DURATION, metrics.EVENTS_PUBLISHED, metrics.EVENTS_UNROUTABLE,
                      metrics.OUTBOX_PUBLISH_FAILURES, metrics.EVENTS_HANDLED, metrics.EVENTS_RETRIED,
                      metrics.EVENTS_DEAD_LETTERED, metrics.HTTP_REQUESTS, metrics.HTTP_DURATION):
        assert set(collector._labelnames) <= BOUNDED_LABELS, collector._name
    documented = re.findall(r"^\| `laomo_[a-z_]+` \| [a-z]+ \| ([a-z_, ]*) \|",
                            (ROOT / "docs/metrics.md").read_text(encoding="utf-8"), re.M)
    assert {label.strip() for labels in documented for label in labels.split(",") if label.strip()} <= BOUNDED_LABELS
