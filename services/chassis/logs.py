"""JSON logs, one object per line, with the correlation id of the work in hand.

The correlation id rides in nameko's context data (``correlation_id``), which
nameko copies into the headers of every RPC call and event a worker makes, so
one id follows a request across services. The outbox stores it with each
event for the same reason.
"""
import json
import logging
import threading
import traceback
import uuid
from datetime import datetime, timezone

from nameko.extensions import DependencyProvider

CORRELATION_KEY = "correlation_id"

# with eventlet's monkey patching threading.local is local to each greenthread
_current = threading.local()


def current_correlation_id():
    return getattr(_current, "correlation_id", None)


def set_correlation_id(value):
    _current.correlation_id = value


def new_correlation_id():
    return uuid.uuid4().hex


class CorrelationFilter(logging.Filter):
    def filter(self, record):
        record.correlation_id = current_correlation_id()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line, UTF-8 as is (Chinese names stay readable)."""

    def __init__(self, service=None, **kwargs):
        super().__init__()
        self.service = service

    def format(self, record):
        entry = {
            "ts": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        if self.service:
            entry["service"] = self.service
        correlation_id = getattr(record, "correlation_id", None) or current_correlation_id()
        if correlation_id:
            entry["correlation_id"] = correlation_id
        for key in ("event_type", "event_id", "handler", "method", "outcome"):
            value = getattr(record, key, None)
            if value is not None:
                entry[key] = value
        if record.exc_info:
            entry["exception"] = "".join(traceback.format_exception(*record.exc_info)).rstrip()
        return json.dumps(entry, ensure_ascii=False, default=str)


def logging_config(service, level="INFO"):
    """A ``logging.config.dictConfig`` for one service: JSON lines on stderr."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"correlation": {"()": CorrelationFilter}},
        "formatters": {"json": {"()": JsonFormatter, "service": service}},
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "formatter": "json",
                "filters": ["correlation"],
            }
        },
        "root": {"level": level, "handlers": ["stderr"]},
        "loggers": {"kombu": {"level": "WARNING"}, "pika": {"level": "WARNING"},
                    "nameko": {"level": "WARNING"}, "alembic": {"level": "WARNING"}},
    }


class Tracing(DependencyProvider):
    """Gives every worker a correlation id: the caller's, or a new one."""

    def worker_setup(self, worker_ctx):
        correlation_id = worker_ctx.data.get(CORRELATION_KEY) or new_correlation_id()
        worker_ctx.data[CORRELATION_KEY] = correlation_id
        set_correlation_id(correlation_id)

    def worker_teardown(self, worker_ctx):
        set_correlation_id(None)
