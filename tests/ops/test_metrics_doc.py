"""docs/metrics.md lists every metric the code exposes and no other; names follow Prometheus's conventions and
labels take bounded values only."""
import pathlib
import re

from prometheus_client import REGISTRY

from services.chassis import metrics

from .metric_names import exposed_metrics

DOC = (pathlib.Path(__file__).resolve().parents[2] / "docs" / "metrics.md").read_text(encoding="utf-8")
ROW = re.compile(r"^\| `(laomo_[a-z_]+)` \| [a-z]+ \|\s*([a-z_, ]*?)\s*\|", re.M)
BOUNDED_LABELS = {"service", "method", "outcome", "event_type", "handler", "route", "status", "level", "fund", "kind"}


def test_the_doc_lists_every_metric_the_code_exposes_and_no_other():
    documented = {name for name, _ in ROW.findall(DOC)}
    assert len(documented) > 20, "the table parsing found hardly any row"
    assert documented == exposed_metrics()


def test_counters_end_in_total_and_histograms_are_durations_in_seconds():
    exposed_metrics()  # imports the services
    families = [f for f in REGISTRY.collect() if f.name.startswith("laomo_") and f.type in ("counter", "histogram")]
    assert {f.type for f in families} == {"counter", "histogram"}
    for family in families:
        if family.type == "histogram":
            assert family.name.endswith("_seconds"), family.name
        else:  # prometheus_client strips the _total its samples carry from the family's name
            assert not family.name.endswith("_total"), family.name


def test_labels_are_bounded_kinds_only():
    for collector in (metrics.RPC_REQUESTS, metrics.RPC_DURATION, metrics.EVENTS_PUBLISHED, metrics.EVENTS_UNROUTABLE,
                      metrics.OUTBOX_PUBLISH_FAILURES, metrics.EVENTS_HANDLED, metrics.EVENTS_RETRIED,
                      metrics.EVENTS_DEAD_LETTERED, metrics.HTTP_REQUESTS, metrics.HTTP_DURATION):
        assert set(collector._labelnames) <= BOUNDED_LABELS, collector._name
    documented = {label.strip() for _, labels in ROW.findall(DOC) for label in labels.split(",") if label.strip()}
    assert documented and documented <= BOUNDED_LABELS
