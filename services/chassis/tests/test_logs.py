import json
import logging

from nameko.testing.services import entrypoint_hook

from services.chassis.logs import CorrelationFilter, JsonFormatter, set_correlation_id
from services.chassis.rpc import rpc
from services.chassis.service import LaomoService


def test_json_line_keeps_chinese_and_the_correlation_id():
    formatter, correlation = JsonFormatter(service="registry"), CorrelationFilter()
    set_correlation_id("req-12345678")
    try:
        record = logging.LogRecord("laomo", logging.INFO, __file__, 1, "收到 %s", ("东城区总工会",), None)
        correlation.filter(record)
        line = formatter.format(record)
    finally:
        set_correlation_id(None)
    entry = json.loads(line)
    assert "东城区总工会" in line  # not \u-escaped
    assert entry["message"] == "收到 东城区总工会"
    assert entry["service"] == "registry"
    assert entry["correlation_id"] == "req-12345678"
    assert entry["level"] == "info"


class EchoService(LaomoService):
    name = "echo"

    @rpc
    def whoami(self):
        from services.chassis.logs import current_correlation_id
        return current_correlation_id()


def test_worker_takes_the_callers_correlation_id_or_makes_one(container_factory, rabbit_config):
    container = container_factory(EchoService, rabbit_config)
    container.start()
    with entrypoint_hook(container, "whoami", context_data={"correlation_id": "req-abcdefgh"}) as whoami:
        assert whoami() == "req-abcdefgh"
    with entrypoint_hook(container, "whoami") as whoami:
        made = whoami()
    assert made and len(made) == 32
