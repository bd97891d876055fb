"""Figure 5: one honouree's record over HTTP through the gateway, 20 clients at once.

The whole suite runs as ``make run`` runs it (``scripts/suite.sh start``:
five services and the gateway, each its own ``nameko run`` process) on a
temporary ``LAOMO_VAR``, a virtual host of its own and free ports. The first
city admin is made with ``gateway.first_admin``; it makes an officer of the
city federation (``bj``, personal-data right, so ID numbers come back in
clear), who imports a synthetic CSV of honourees through
``POST /api/v1/honourees/import`` and collects their ids by search.

The load: ``CLIENTS`` green threads in this (eventlet-patched) process, each
with its own keep-alive ``http.client`` connection, GET
``/api/v1/honourees/<random id>`` with the officer's bearer token, back to
back (a closed loop), then paced to a target rate all together offer
(``PACED_RATE``, random intervals, latency from when each request was
due): a warm-up, then a fixed duration; percentiles come from every
request's latency. A single client's run first gives the latency without
queueing.

Beside it, the same load on a bare nameko hop (``bench.gateway_hop``): one
``@http`` entrypoint making one ``RpcProxy`` call to an ``@rpc`` method
returning a small dict, both ``nameko run`` processes on the same vhost, so
the gateway's own overhead shows. The CPU each process used during each run
is read from ``/proc``: the machine has few cores and the load generator,
the broker and the services share them.
"""
import http.client
import json
import math
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date

import eventlet
import requests

from bench.memory import START_TIMEOUT, STOP_TIMEOUT, SUITE, stop_processes, tail
from bench.report import latency_summary
from services.chassis.id_numbers import make_id_number
from services.chassis.testing import free_port

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SERVICES = ("registry", "nomination", "welfare", "association", "volunteer")
CLIENTS = 20
HONOUREES = 200
WARMUP_SECONDS = 2.0
SECONDS = 10.0
SINGLE_SECONDS = 3.0
PACED_RATE = 150.0  # requests/s all clients together offer in the paced runs
PASSWORD = "Bench-geheim-2026"
HTTP_TIMEOUT = 60
DISTRICTS = {"bj-dongcheng": "110101", "bj-xicheng": "110102", "bj-chaoyang": "110105",
             "bj-haidian": "110108", "bj-fengtai": "110106", "bj-tongzhou": "110112"}
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "秀英桂兰玉凤建国建华志强国庆海燕文明永红"
HONOURS = ("beijing_model_worker", "national_model_worker", "capital_labour_medal", "beijing_advanced_worker")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


# --- setting the suite up ---------------------------------------------------------------------

def suite_env(var, amqp_uri, gateway_address):
    env = dict(os.environ, LAOMO_VAR=var, AMQP_URI=amqp_uri, GATEWAY_ADDRESS=gateway_address,
               LOG_LEVEL="WARNING")
    for name in SERVICES:
        env[f"{name.upper()}_METRICS_PORT"] = str(free_port())
    for name in SERVICES + ("gateway",):  # the databases must be the fresh ones in LAOMO_VAR
        env.pop(f"{name.upper()}_DB_URI", None)
    return env


def start_suite(env, var):
    try:
        result = subprocess.run([SUITE, "start"], check=False, cwd=REPO_ROOT, env=env, capture_output=True,
                                text=True, timeout=START_TIMEOUT)
    except subprocess.TimeoutExpired:
        raise RuntimeError(f"suite.sh start took over {START_TIMEOUT} s; logs in {var}/log") from None
    if result.returncode != 0:
        raise RuntimeError(f"suite.sh start exited {result.returncode}: "
                           f"{(result.stderr or result.stdout).strip()[-800:]}  (logs in {var}/log)")
    pids = {}
    for name in SERVICES + ("gateway",):
        with open(os.path.join(var, "run", f"{name}.pid"), encoding="ascii") as f:
            pids[name] = int(f.read().strip())
    return pids


def stop_suite(env):
    subprocess.run([SUITE, "stop"], check=False, cwd=REPO_ROOT, env=env, capture_output=True,
                   text=True, timeout=STOP_TIMEOUT)


def expect(response, status, what):
    if response.status_code != status:
        raise RuntimeError(f"{what}: HTTP {response.status_code} {response.text[:300]}")
    return response.json() if response.content else None


def ready_account(base, username, one_time_password):
    """Log in with the one-time password, change it; the new bearer token."""
    token = expect(requests.post(f"{base}/api/v1/auth/login", timeout=HTTP_TIMEOUT,
                                 json={"username": username, "password": one_time_password}),
                   200, f"log in as {username}")["access_token"]
    changed = requests.post(f"{base}/api/v1/auth/password", timeout=HTTP_TIMEOUT,
                            json={"current_password": one_time_password, "new_password": PASSWORD},
                            headers={"Authorization": f"Bearer {token}"})
    return expect(changed, 200, f"change {username}'s password")["access_token"]


def first_admin(env, var):
    made = subprocess.run([sys.executable, "-m", "gateway.first_admin"], check=False, cwd=REPO_ROOT,
                          env=dict(env, GATEWAY_DB_URI=f"sqlite:///{var}/gateway.sqlite3"),
                          capture_output=True, text=True, timeout=60)
    if made.returncode != 0:
        raise RuntimeError(f"gateway.first_admin exited {made.returncode}: {made.stderr.strip()[-500:]}")
    for line in made.stdout.splitlines():
        if "one-time password" in line:
            return line.split(":", 1)[1].strip()
    raise RuntimeError(f"gateway.first_admin printed no password: {made.stdout[-300:]}")


def honourees_csv(count, seed=20260101):
    """``count`` honourees (required columns and one honour each) as import CSV text."""
    rng = random.Random(seed)
    header = ("id_number,name,gender,ethnicity,birth_date,category,managing_unit_id,phone,address,"
              "honour_type,honour_year")
    lines = [header]
    used = set()
    for i in range(count):
        district = rng.choice(list(DISTRICTS))
        while True:
            born = date(rng.randint(1945, 1990), rng.randint(1, 12), rng.randint(1, 28))
            sequence = rng.randint(0, 999)
            number = make_id_number(DISTRICTS[district], born, sequence)
            if number not in used:
                used.add(number)
                break
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
        lines.append(",".join((
            number, name, "male" if sequence % 2 else "female", "汉族", born.isoformat(),
            rng.choice(("worker", "intellectual", "cadre")), district, f"139{i:08d}",
            f"北京市{district[3:]}某街道{i + 1}号", rng.choice(HONOURS),
            str(rng.randint(born.year + 22, 2024)))))
    return "\r\n".join(lines) + "\r\n"


def seed(base, env, var, honourees):
    """Admin, then an officer of the city (personal-data right) who imports ``honourees``; (token, ids)."""
    admin = ready_account(base, "admin", first_admin(env, var))
    created = requests.post(f"{base}/api/v1/accounts", timeout=HTTP_TIMEOUT,
                            headers={"Authorization": f"Bearer {admin}"},
                            json={"username": "bench.officer", "display_name": "bench officer",
                                  "unit_id": "bj", "roles": ["officer"], "personal_data": True})
    officer = ready_account(base, "bench.officer", expect(created, 201, "create the officer")["one_time_password"])
    auth = {"Authorization": f"Bearer {officer}"}
    report = expect(requests.post(f"{base}/api/v1/honourees/import", params={"dry_run": "false"},
                                  data=honourees_csv(honourees).encode("utf-8"), timeout=HTTP_TIMEOUT,
                                  headers=dict(auth, **{"Content-Type": "text/csv"})),
                    200, "import the honourees")
    if report["status"] != "imported" or report.get("imported") != honourees:
        raise RuntimeError(f"import: {json.dumps(report, ensure_ascii=False)[:500]}")
    ids, page = [], 1
    while True:
        found = expect(requests.get(f"{base}/api/v1/honourees", params={"page": page, "page_size": 200},
                                    headers=auth, timeout=HTTP_TIMEOUT), 200, "search the honourees")
        ids += [item["id"] for item in found["items"]]
        if page >= found["pages"]:
            break
        page += 1
    if len(ids) != honourees:
        raise RuntimeError(f"search found {len(ids)} honourees, not {honourees}")
    return officer, ids


# --- the bare hop -----------------------------------------------------------------------------

class BareHop:
    """``bench.gateway_hop``'s two services, each a ``nameko run`` process, on ``address``."""

    def __init__(self, amqp_uri, var):
        self.address = f"127.0.0.1:{free_port()}"
        self.amqp_uri = amqp_uri
        self.var = var
        self.processes = {}

    def start(self):
        nameko = os.path.join(os.path.dirname(sys.executable), "nameko")
        # workers as in the suite: the front as the gateway (20), the back as the registry (10)
        for name, cls, workers in (("hop_back", "HopBackService", 10), ("hop_front", "HopFrontService", 20)):
            config = os.path.join(self.var, f"{name}.yml")
            with open(config, "w", encoding="utf-8") as f:  # JSON is YAML
                json.dump({"AMQP_URI": self.amqp_uri, "WEB_SERVER_ADDRESS": self.address,
                           "max_workers": workers, "LOGGING": {"version": 1, "root": {"level": "WARNING"}}}, f)
            with open(os.path.join(self.var, f"{name}.log"), "wb") as log:
                self.processes[name] = subprocess.Popen(
                    [nameko, "run", "--config", config, f"bench.gateway_hop:{cls}"], cwd=REPO_ROOT,
                    stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            for name, process in self.processes.items():
                if process.poll() is not None:
                    raise RuntimeError(f"{name} exited {process.returncode}: "
                                       f"{tail(os.path.join(self.var, name + '.log'))}")
            try:
                if requests.get(f"http://{self.address}/hop/1", timeout=2).status_code == 200:
                    return {name: p.pid for name, p in self.processes.items()}
            except requests.RequestException:
                pass
            time.sleep(0.25)
        raise RuntimeError(f"the bare hop did not answer within 60 s; see {self.var}/hop_*.log")

    def stop(self):
        stop_processes(self.processes.values())


# --- the load ---------------------------------------------------------------------------------

def cpu_seconds(pid):
    """User + system CPU seconds of ``pid`` so far (None if it is gone)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime, stime: fields 14 and 15


def machine_ticks():
    """(busy, total) jiffies of all cores, from /proc/stat."""
    with open("/proc/stat", encoding="ascii") as f:
        values = [int(v) for v in f.readline().split()[1:]]
    idle = values[3] + (values[4] if len(values) > 4 else 0)  # idle + iowait
    return sum(values) - idle, sum(values)


def self_cpu():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def broker_pid():
    """The project-local RabbitMQ node's pid (scripts/broker.sh), if it runs here."""
    try:
        with open(os.path.join(REPO_ROOT, "var", "rabbitmq", "rabbitmq.pid"), encoding="ascii") as f:
            pid = int(f.read().strip())
    except (OSError, ValueError):
        return None
    return pid if cpu_seconds(pid) is not None else None


def load(address, paths, headers, clients, seconds, warmup, pids, rate=None):
    """``clients`` keep-alive clients GET random ``paths``: ``warmup`` s, then ``seconds``.

    Back to back (a closed loop) without ``rate``; with it, each client sends at random
    (exponential) intervals so that all together offer ``rate`` requests/s, and a request's
    latency counts from when it was due, so a client held up by a slow answer is not hidden.
    Returns the latency summary of every request started in the measured window, its
    throughput, errors, and the CPU each of ``pids``, this process (the generator) and the
    rest of the machine ("others": processes not ours) used then.
    """
    host, port = address.rsplit(":", 1)
    start = time.perf_counter() + 0.2  # every client connected, then all begin together
    measure_from = start + warmup
    until = measure_from + seconds
    samples, errors, finished, missed = [], [], [], []
    marks = {}

    mean_gap = clients / rate if rate else None

    def client(index):
        rng = random.Random(index)
        connection = http.client.HTTPConnection(host, int(port), timeout=HTTP_TIMEOUT)
        connection.connect()
        due = start + (rng.expovariate(1.0 / mean_gap) if mean_gap else 0.0)
        eventlet.sleep(max(0.0, start - time.perf_counter()))
        try:
            while True:
                if mean_gap:
                    eventlet.sleep(max(0.0, due - time.perf_counter()))
                    if time.perf_counter() >= until:  # overloaded: what is still due is not sent
                        missed.append(max(0, math.ceil((until - due) / mean_gap)))  # about
                        break
                    began, due = due, due + rng.expovariate(1.0 / mean_gap)
                else:
                    began = time.perf_counter()
                if began >= until:
                    break
                try:
                    connection.request("GET", rng.choice(paths), headers=headers)
                    response = connection.getresponse()
                    body = response.read()
                    status = response.status
                except (OSError, http.client.HTTPException) as exc:
                    connection.close()
                    connection = http.client.HTTPConnection(host, int(port), timeout=HTTP_TIMEOUT)
                    status, body = type(exc).__name__, b""
                ended = time.perf_counter()
                if began >= measure_from:  # latencies: the requests due (or sent) in the window
                    if status == 200 and body:
                        samples.append(ended - began)
                    else:
                        errors.append(f"{status} {body[:120]!r}")
                if ended >= measure_from:  # throughput: the answers in the window, whenever sent
                    finished.append(ended)
        finally:
            connection.close()

    def mark():
        eventlet.sleep(max(0.0, measure_from - time.perf_counter()))
        marks["cpu"] = {name: cpu_seconds(pid) for name, pid in pids.items()}
        marks["self"] = self_cpu()
        marks["machine"] = machine_ticks()

    threads = [eventlet.spawn(client, i) for i in range(clients)]
    marker = eventlet.spawn(mark)
    for thread in threads:
        thread.wait()
    marker.wait()
    cpu_after = {name: cpu_seconds(pid) for name, pid in pids.items()}
    self_after, machine_after = self_cpu(), machine_ticks()
    if not samples:
        raise RuntimeError(f"no request answered 200 at {address}: {errors[:3]}")
    window = max(finished) - measure_from
    busy = machine_after[0] - marks["machine"][0]
    total = machine_after[1] - marks["machine"][1]
    cpu = {name: (cpu_after[name] - marks["cpu"][name]) / window
           for name in pids if cpu_after[name] is not None and marks["cpu"][name] is not None}
    cpu["generator"] = (self_after - marks["self"]) / window
    cpu["others"] = max(0.0, busy / total * os.cpu_count() - sum(cpu.values())) if total else 0.0
    per_s = len(finished) / window
    result = latency_summary(samples)
    result.update({
        "clients": clients, "offered_per_s": rate, "seconds": window, "requests_per_s": per_s,
        "errors": len(errors), "error_examples": errors[:3], "not_sent": sum(missed),
        "cpu_cores": cpu,  # each process's CPU seconds per second of the window
        "cpu_ms_per_request": {name: used * 1000.0 / per_s for name, used in cpu.items()},
        "machine_busy": busy / total if total else 0.0, "cores": os.cpu_count(),
    })
    return result


def run(amqp_uri, honourees=HONOUREES, clients=CLIENTS, seconds=SECONDS, warmup=WARMUP_SECONDS,
        single_seconds=SINGLE_SECONDS, rate=PACED_RATE):
    var = tempfile.mkdtemp(prefix="laomo-bench-gateway-")
    address = f"127.0.0.1:{free_port()}"
    env = suite_env(var, amqp_uri, address)
    base = f"http://{address}"
    hop = BareHop(amqp_uri, var)
    keep_var = False
    try:
        started = time.perf_counter()
        try:
            pids = start_suite(env, var)
            start_seconds = time.perf_counter() - started
            token, ids = seed(base, env, var, honourees)
            hop_pids = hop.start()
        except Exception as exc:
            keep_var = True  # the logs, for the error
            raise RuntimeError(f"{exc}  (logs in {var}/log and {var}/hop_*.log)") from exc
        broker = broker_pid()
        watched = dict(pids, **hop_pids, **({"broker": broker} if broker else {}))
        headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
        paths = [f"/api/v1/honourees/{i}" for i in ids]
        result = {"start_seconds": start_seconds, "honourees": len(ids), "address": address}
        result["gateway_single"] = load(address, paths, headers, 1, single_seconds, 1.0, watched)
        result["gateway"] = load(address, paths, headers, clients, seconds, warmup, watched)
        result["gateway_paced"] = load(address, paths, headers, clients, seconds, warmup, watched, rate=rate)
        bare_paths = [f"/hop/{n}" for n in range(1, 201)]
        result["bare_single"] = load(hop.address, bare_paths, headers, 1, single_seconds, 1.0, watched)
        result["bare"] = load(hop.address, bare_paths, headers, clients, seconds, warmup, watched)
        result["bare_paced"] = load(hop.address, bare_paths, headers, clients, seconds, warmup, watched, rate=rate)
        return result
    finally:
        try:
            hop.stop()
        finally:
            try:
                stop_suite(env)
            finally:
                if not keep_var:
                    shutil.rmtree(var, ignore_errors=True)
