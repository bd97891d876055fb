"""The whole suite as `make run` starts it: scripts/suite.sh run, on ports and a vhost of its own."""
import os
import signal
import subprocess
import uuid

import pytest
import requests

from services.chassis.database import make_engine
from services.chassis.testing import free_port, wait_for
from services.welfare import invariants

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SERVICES = ("registry", "nomination", "welfare", "association", "volunteer")


def pytest_collection_modifyitems(items):
    """A test that stops the shared suite goes after every other, whatever the file names' order."""
    items.sort(key=lambda item: item.get_closest_marker("stops_the_suite") is not None)


# ports of this run's own, so two runs on one machine do not meet
GATEWAY = f"127.0.0.1:{free_port()}"
METRICS_PORTS = {name: free_port() for name in SERVICES}


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
    env.pop("LAOMO_PROMETHEUS", None)  # the test that wants a Prometheus starts its own
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
    # every end-to-end test that moved money did so in this suite's ledger: its books must balance
    books = make_engine(f"sqlite:///{var}/welfare.sqlite3")
    try:
        with books.connect() as connection:
            assert invariants.violations(connection) == [], "the ledger's invariants are broken"
    finally:
        books.dispose()


class Api:
    """The gateway over HTTP as one account: ``api.get("/honourees")`` (paths under /api/v1)."""

    def __init__(self, base, token=None, username=None):
        self.base, self.token, self.username = base, token, username

    def request(self, method, path, **kwargs):
        headers = kwargs.pop("headers", {})
        if self.token:
            headers.setdefault("Authorization", f"Bearer {self.token}")
        return requests.request(method, f"{self.base}/api/v1{path}", headers=headers, timeout=30, **kwargs)

    def get(self, path, **kwargs):
        return self.request("GET", path, **kwargs)

    def post(self, path, json=None, **kwargs):
        return self.request("POST", path, json=json, **kwargs)

    def patch(self, path, json=None, **kwargs):
        return self.request("PATCH", path, json=json, **kwargs)


def log_in(base, username, password):
    response = requests.post(f"{base}/api/v1/auth/login", json={"username": username, "password": password},
                             timeout=30)
    assert response.status_code == 200, response.text
    return response.json()["access_token"]


def ready_account(base, username, one_time_password, password="Sehr-geheim-2026"):
    """Log in with the one-time password, change it, and return an Api for the account."""
    token = log_in(base, username, one_time_password)
    changed = requests.post(f"{base}/api/v1/auth/password", json={
        "current_password": one_time_password, "new_password": password},
        headers={"Authorization": f"Bearer {token}"}, timeout=30)
    assert changed.status_code == 200, changed.text
    return Api(base, changed.json()["access_token"], username)


@pytest.fixture(scope="session")
def city_admin(suite):
    """The first city admin, made by `make admin`'s command, its password changed."""
    env = dict(suite["env"], GATEWAY_DB_URI=f"sqlite:///{suite['var']}/gateway.sqlite3")
    made = subprocess.run([os.path.join(ROOT, ".venv/bin/python"), "-m", "gateway.first_admin"], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=60)
    assert made.returncode == 0, made.stderr
    password = next(line.split(":", 1)[1].strip() for line in made.stdout.splitlines()
                    if "one-time password" in line)
    return ready_account(suite["base"], "admin", password)


# the accounts the tests act as: name -> (unit, roles, personal-data right)
ACCOUNTS = {
    "city.officer": ("bj", ["officer"], True),
    "city.reviewer": ("bj", ["reviewer"], False),
    "city.auditor": ("bj", ["auditor"], False),
    "city.finance": ("bj", ["finance"], False),
    "haidian.officer": ("bj-haidian", ["officer"], False),
    "haidian.reviewer": ("bj-haidian", ["reviewer"], False),
    "haidian.admin": ("bj-haidian", ["admin"], False),
    "haidian.auditor": ("bj-haidian", ["auditor"], False),
    "haidian.finance": ("bj-haidian", ["finance"], False),
    "chaoyang.officer": ("bj-chaoyang", ["officer"], False),
    "chaoyang.admin": ("bj-chaoyang", ["admin"], False),
    "chaoyang.finance": ("bj-chaoyang", ["finance"], False),
    "chaoyang.reviewer": ("bj-chaoyang", ["reviewer"], False),
}


@pytest.fixture(scope="session")
def apis(suite, city_admin):
    """An Api for each of ACCOUNTS (and "admin"), every one's password changed."""
    made = {"admin": city_admin}
    for username, (unit_id, roles, personal_data) in ACCOUNTS.items():
        created = city_admin.post("/accounts", {"username": username, "display_name": username,
                                                "unit_id": unit_id, "roles": roles,
                                                "personal_data": personal_data})
        assert created.status_code == 201, created.text
        made[username] = ready_account(suite["base"], username, created.json()["one_time_password"])
    return made
