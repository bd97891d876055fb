"""Figure 3: resident memory of each suite process at idle.

``scripts/suite.sh start`` migrates fresh SQLite databases in a temporary
``LAOMO_VAR``, declares the topology, starts the five services and the
gateway (each its own ``nameko run`` process) and waits for ``/readyz``.
After a few idle seconds the bench reads ``VmRSS`` (and the peak, ``VmHWM``)
from ``/proc/<pid>/status`` of each, then ``suite.sh stop`` ends them, on
failure too. Ports are moved off the defaults so a running ``make run`` is
not disturbed.
"""
import os
import shutil
import signal
import subprocess
import tempfile
import time

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SUITE = os.path.join(REPO_ROOT, "scripts", "suite.sh")
PROCESSES = ("registry", "nomination", "welfare", "association", "volunteer", "gateway")
PORTS = {
    "GATEWAY_ADDRESS": "127.0.0.1:18100",
    "REGISTRY_METRICS_PORT": "19201",
    "NOMINATION_METRICS_PORT": "19202",
    "WELFARE_METRICS_PORT": "19203",
    "ASSOCIATION_METRICS_PORT": "19204",
    "VOLUNTEER_METRICS_PORT": "19205",
}
START_TIMEOUT = 150  # suite.sh itself gives up after 60 s of waiting for readiness
STOP_TIMEOUT = 60


def suite_env(var, amqp_uri):
    env = dict(os.environ, LAOMO_VAR=var, AMQP_URI=amqp_uri, **PORTS)
    for name in PROCESSES:  # the databases must be the fresh ones in LAOMO_VAR
        env.pop(f"{name.upper()}_DB_URI", None)
    return env


def proc_status_kb(pid, field):
    with open(f"/proc/{pid}/status", encoding="ascii") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])  # "VmRSS:   123456 kB"
    raise RuntimeError(f"no {field} for pid {pid}")


def stop_processes(processes, timeout=15):
    """SIGTERM to each still running, then wait for them; a process that does not stop is killed."""
    processes = list(processes)
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    for process in processes:
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def tail(path, lines=5):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return "".join(f.readlines()[-lines:])
    except OSError:
        return ""


def run(amqp_uri, idle_seconds=3.0):
    var = tempfile.mkdtemp(prefix="laomo-bench-suite-")
    env = suite_env(var, amqp_uri)
    keep_var = False
    try:
        started = time.perf_counter()
        try:
            result = subprocess.run([SUITE, "start"], cwd=REPO_ROOT, env=env, capture_output=True,
                                    text=True, timeout=START_TIMEOUT)
        except subprocess.TimeoutExpired:
            keep_var = True
            raise RuntimeError(f"suite.sh start took over {START_TIMEOUT} s; logs in {var}/log")
        if result.returncode != 0:
            keep_var = True
            raise RuntimeError(f"suite.sh start exited {result.returncode}: "
                               f"{(result.stderr or result.stdout).strip()[-800:]}  (logs in {var}/log)")
        start_seconds = time.perf_counter() - started
        time.sleep(idle_seconds)
        processes = {}
        for name in PROCESSES:
            with open(os.path.join(var, "run", f"{name}.pid"), encoding="ascii") as f:
                pid = int(f.read().strip())
            try:
                processes[name] = {
                    "pid": pid,
                    "rss_mb": proc_status_kb(pid, "VmRSS") / 1024.0,
                    "peak_mb": proc_status_kb(pid, "VmHWM") / 1024.0,
                }
            except FileNotFoundError:
                keep_var = True
                raise RuntimeError(f"{name} (pid {pid}) exited while idle: "
                                   f"{tail(os.path.join(var, 'log', name + '.log'))}")
        return {"start_seconds": start_seconds, "idle_seconds": idle_seconds, "processes": processes}
    finally:
        try:
            subprocess.run([SUITE, "stop"], cwd=REPO_ROOT, env=env, capture_output=True,
                           text=True, timeout=STOP_TIMEOUT)
        finally:
            if not keep_var:
                shutil.rmtree(var, ignore_errors=True)
