"""The whole suite as `make run` starts it: scripts/suite.sh run, on ports and a vhost of its own."""
import os
import signal
import subprocess
import uuid

import pytest
import requests

from services.chassis.testing import wait_for

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SERVICES = ("registry", "nomination", "welfare", "association", "volunteer")
GATEWAY = "127.0.0.1:18080"
METRICS_PORTS = {name: 19111 + i for i, name in enumerate(SERVICES)}


@pytest.fixture(scope="session")
def e2e_vhost(request):
    amqp_uri = request.config.getoption("RABBIT_AMQP_URI")
    api = request.config.getoption("RABBIT_API_URI").rstrip("/") + "/api"
    vhost = f"laomo-e2e-{uuid.uuid4().hex[:8]}"
    requests.put(f"{api}/vhosts/{vhost}").raise_for_status()
    requests.put(f"{api}/permissions/{vhost}/guest",
                 json={"configure": ".*", "write": ".*", "read": ".*"}).raise_for_status()
    yield amqp_uri.rstrip("/") + "/" + vhost
    requests.delete(f"{api}/vhosts/{vhost}")


def interruptible():
    """Give suite.sh a SIGINT it can trap, as a terminal's Ctrl-C would.

    When the tests themselves run in the background of a non-interactive shell (as CI runs them), SIGINT
    arrives ignored, and bash can neither trap nor reset a signal ignored on entry.
    """
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.fixture(scope="session")
def suite(e2e_vhost, tmp_path_factory):
    """Starts the suite; yields its gateway URL and settings; Ctrl-C (SIGINT) stops it at the end."""
    var = tmp_path_factory.mktemp("var")
    env = dict(os.environ, LAOMO_VAR=str(var), AMQP_URI=e2e_vhost, GATEWAY_ADDRESS=GATEWAY,
               RPC_TIMEOUT="2", READY_TIMEOUT="1", LOG_LEVEL="DEBUG", LAOMO_CLOCK_FILE=str(var / "clock"))
    env.pop("LAOMO_TEST_PG_URI", None)
    for name, port in METRICS_PORTS.items():
        env[f"{name.upper()}_METRICS_PORT"] = str(port)
    log = open(var / "suite.out", "w+")
    process = subprocess.Popen(["scripts/suite.sh", "run"], cwd=ROOT, env=env,
                               stdout=log, stderr=subprocess.STDOUT, preexec_fn=interruptible)
    base = f"http://{GATEWAY}"

    def ready():
        if process.poll() is not None:
            log.seek(0)
            raise AssertionError(f"suite.sh exited {process.returncode}:\n{log.read()}")
        try:
            return requests.get(f"{base}/readyz", timeout=2).status_code == 200
        except requests.ConnectionError:
            return False

    wait_for(ready, timeout=90, interval=0.25, message="the suite to be ready")
    yield {"base": base, "var": var, "process": process, "log": log, "env": env}
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=30)
    log.close()
