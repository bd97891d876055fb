"""Prometheus metrics: what every service exposes at ``/metrics`` on its own port.

Metric objects live at module level with a ``service`` label, so several
service containers in one process (as in tests) share one registry. Labels
hold bounded values only: service, method, event type, handler, outcome.
"""
import logging
import time

import eventlet
from eventlet import wsgi
from nameko.extensions import DependencyProvider
from nameko.rpc import Rpc
from prometheus_client import REGISTRY, Counter, Histogram, make_wsgi_app
from prometheus_client.core import GaugeMetricFamily

from .database import databases_of
from .errors import LaomoError

log = logging.getLogger(__name__)

LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)

RPC_REQUESTS = Counter(
    "laomo_rpc_requests_total", "RPC calls handled, by method and outcome.",
    ["service", "method", "outcome"])
RPC_DURATION = Histogram(
    "laomo_rpc_request_duration_seconds", "Time to handle an RPC call.",
    ["service", "method"], buckets=LATENCY_BUCKETS)
EVENTS_PUBLISHED = Counter(
    "laomo_events_published_total", "Events the outbox relay published with a broker confirm.",
    ["service", "event_type"])
EVENTS_UNROUTABLE = Counter(
    "laomo_events_unroutable_total", "Events the broker returned because no queue was bound.",
    ["service", "event_type"])
OUTBOX_PUBLISH_FAILURES = Counter(
    "laomo_outbox_publish_failures_total", "Failed attempts to publish an outbox batch.",
    ["service"])
EVENTS_HANDLED = Counter(
    "laomo_events_handled_total", "Events handled, by handler and outcome (ok, duplicate, failed).",
    ["service", "handler", "outcome"])
EVENTS_RETRIED = Counter(
    "laomo_events_retried_total", "Failed event deliveries put back for another attempt.",
    ["service", "handler"])
EVENTS_DEAD_LETTERED = Counter(
    "laomo_events_dead_lettered_total", "Events parked on a dead-letter queue after their last attempt.",
    ["service", "handler"])
HTTP_REQUESTS = Counter(
    "laomo_http_requests_total", "HTTP requests, by route template, method and status.",
    ["route", "method", "status"])
HTTP_DURATION = Histogram(
    "laomo_http_request_duration_seconds", "Time to answer an HTTP request, by route template, method and status.",
    ["route", "method", "status"], buckets=LATENCY_BUCKETS)


def outcome_of(exc_info):
    if exc_info is None:
        return "ok"
    exc = exc_info[1]
    return exc.code if isinstance(exc, LaomoError) else "error"


class Instrumentation(DependencyProvider):
    """Counts and times every RPC worker; event outcomes are counted by the handler itself."""

    def setup(self):
        self.started = {}

    def worker_setup(self, worker_ctx):
        self.started[worker_ctx] = time.perf_counter()

    def worker_result(self, worker_ctx, result=None, exc_info=None):
        started = self.started.pop(worker_ctx, None)
        if started is None:
            return
        entrypoint = worker_ctx.entrypoint
        service = worker_ctx.service_name
        if isinstance(entrypoint, Rpc):
            method, outcome = entrypoint.method_name, outcome_of(exc_info)
            elapsed = time.perf_counter() - started
            RPC_REQUESTS.labels(service, method, outcome).inc()
            RPC_DURATION.labels(service, method).observe(elapsed)
            log.debug("rpc %s.%s %s in %.1f ms", service, method, outcome, elapsed * 1000,
                      extra={"method": method, "outcome": outcome})
        # event handlers are counted by chassis.events, which tells duplicates from effects

    def worker_teardown(self, worker_ctx):
        self.started.pop(worker_ctx, None)


class GaugeSources:
    """Gauges read at scrape time from live state (outbox backlog, dead letters...).

    One collector serves every source so that two service containers in one
    process do not register the same metric names twice.
    """

    def __init__(self):
        self.sources = {}  # key -> callable returning [(name, help, labels dict, value)]
        REGISTRY.register(self)

    def add(self, key, source):
        self.sources[key] = source

    def remove(self, key):
        self.sources.pop(key, None)

    def collect(self):
        families = {}
        for source in list(self.sources.values()):
            try:
                samples = source()
            except Exception:  # a scrape must not fail because one source did
                log.warning("metrics source failed", exc_info=True)
                continue
            for name, help_text, labels, value in samples:
                family = families.get(name)
                if family is None:
                    family = families[name] = GaugeMetricFamily(name, help_text, labels=sorted(labels))
                family.add_metric([labels[k] for k in sorted(labels)], value)
        return list(families.values())

    def describe(self):
        return []  # names vary with the sources; do not make the registry call collect() at register time


GAUGES = GaugeSources()


class BusinessGauges(DependencyProvider):
    """A service's business figures (active honourees, fund balances...), read from its database
    at scrape time by ``figures(session, today)``, which returns ``[(name, help, labels, value)]``.

    The figures are read at most once per ``BUSINESS_GAUGE_INTERVAL`` seconds (default 15) however
    many scrapers ask. Every replica of a service reports the same figures: aggregate them with
    ``max without (instance)``, never ``sum``.
    """

    def __init__(self, figures):
        self.figures = figures

    def setup(self):
        self.interval = float(self.container.config.get("BUSINESS_GAUGE_INTERVAL", 15))
        self.cached = (None, [])

    def start(self):
        GAUGES.add(("business", id(self)), self.samples)

    def stop(self):
        GAUGES.remove(("business", id(self)))

    kill = stop  # a killed container's figures must not be read from its closed database

    def samples(self):
        read_at, samples = self.cached
        if read_at is None or time.monotonic() - read_at >= self.interval:
            (database,) = databases_of(self.container)
            with database.reading_session() as session:
                samples = self.figures(session, database.clock.today())
            self.cached = (time.monotonic(), samples)
        return samples


class MetricsServer(DependencyProvider):
    """Serves the process's metrics on ``METRICS_PORT`` (no server when it is 0 or unset), and the
    probes an orchestrator asks: ``/healthz`` (the process serves) and ``/readyz`` (its database
    answers, so it can take work)."""

    def setup(self):
        self.port = int(self.container.config.get("METRICS_PORT") or 0)
        self.host = self.container.config.get("METRICS_HOST") or "127.0.0.1"
        self.socket = None
        self.metrics_app = make_wsgi_app()

    def start(self):
        if not self.port:
            return
        self.socket = eventlet.listen((self.host, self.port))
        self.container.spawn_managed_thread(
            lambda: wsgi.server(self.socket, self.app, log_output=False), identifier="metrics-server")
        log.info("metrics on http://%s:%s/metrics", self.host, self.port)

    def stop(self):
        if self.socket is not None:
            self.socket.close()
            self.socket = None

    def app(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path == "/healthz":
            return plain(start_response, "200 OK", "ok")
        if path == "/readyz":
            problem = self.not_ready()
            if problem:
                return plain(start_response, "503 Service Unavailable", problem)
            return plain(start_response, "200 OK", "ready")
        return self.metrics_app(environ, start_response)

    def not_ready(self):
        """Why the service cannot take work now, or None."""
        for database in databases_of(self.container):
            try:
                database.answer()
            except Exception as exc:  # any failure means: send no traffic here yet
                log.warning("not ready: the database does not answer", exc_info=True)
                return f"database: {type(exc).__name__}"
        return None


def plain(start_response, status, text):
    body = (text + "\n").encode()
    start_response(status, [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body)))])
    return [body]
