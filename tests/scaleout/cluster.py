"""Service processes for the scale-out tests (not a test module): `nameko run` replicas configured by
environment only, as a deployment starts them, each with a metrics port and a log file of its own."""
import contextlib
import os
import signal
import subprocess
import sys
import uuid
from urllib.parse import quote

import pika
import requests
from prometheus_client.parser import text_string_to_metric_families

from services.chassis.testing import free_port, wait_for

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PYTHON = os.path.join(ROOT, ".venv", "bin", "python")
NAMEKO = os.path.join(ROOT, ".venv", "bin", "nameko")
STOP_GRACE_SECONDS = 10


def run_command(args, env, what):
    """A one-shot command of the suite (migrations, topology, keys), run to its end; its output."""
    done = subprocess.run([PYTHON, "-m", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
                          check=False)
    assert done.returncode == 0, f"{what} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}"
    return done.stdout


class Replica:
    """One `nameko run` process of ``service``; ``label`` names its log (e.g. "welfare-a")."""

    def __init__(self, service, label, env, log_dir):
        self.service, self.label = service, label
        self.metrics_port = free_port()
        self.log_path = os.path.join(log_dir, f"{label}-{uuid.uuid4().hex[:6]}.log")  # one per process
        env = dict(env, **{f"{service.upper()}_METRICS_PORT": str(self.metrics_port)})
        cls = f"services.{service}.service:{service.capitalize()}Service"
        self.log = open(self.log_path, "w")  # noqa: SIM115 (open as long as the process runs; closed by stop)
        self.process = subprocess.Popen([NAMEKO, "run", "--config", f"services/{service}/config.yml", cls],
                                        cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT)

    @property
    def pid(self):
        return self.process.pid

    def alive(self):
        return self.process.poll() is None

    def _check_alive(self):
        if not self.alive():
            raise AssertionError(f"{self.label} exited with {self.process.returncode}:\n{self.output()}")

    def serving_metrics(self):
        self._check_alive()
        try:
            return requests.get(f"http://127.0.0.1:{self.metrics_port}/metrics", timeout=2).status_code == 200
        except requests.ConnectionError:
            return False

    def samples(self):
        """Every sample of the replica's /metrics: {(name, frozenset of labels): value}."""
        text = requests.get(f"http://127.0.0.1:{self.metrics_port}/metrics", timeout=5).text
        return {(sample.name, frozenset(sample.labels.items())): sample.value
                for family in text_string_to_metric_families(text) for sample in family.samples}

    def counter(self, name, **labels):
        """The sum of the samples of ``name`` whose labels include ``labels`` (0 when none)."""
        wanted = set(labels.items())
        return sum(value for (sample, sample_labels), value in self.samples().items()
                   if sample == name and wanted <= sample_labels)

    def kill(self):
        """SIGKILL: no goodbye, no finished workers, no acks; the broker takes back what it held."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self):
        if self.alive():
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=STOP_GRACE_SECONDS)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=30)
        self.log.close()

    def output(self):
        self.log.flush()
        with open(self.log_path, encoding="utf-8", errors="replace") as f:
            return f.read()


@contextlib.contextmanager
def replicas(service, count, env, log_dir, queue, amqp_uri, also_show=()):
    """``count`` replicas of ``service``, each consuming from ``queue`` before this yields them.

    Every process is stopped on the way out, whatever happened; when the body fails, the replicas'
    logs (and those of ``also_show``, other Replicas the test relies on) are printed."""
    started = []
    try:
        for n in range(count):
            started.append(Replica(service, f"{service}-{'abcdefgh'[n]}", env, log_dir))
        for replica in started:
            wait_for(replica.serving_metrics, timeout=60, interval=0.1, message=f"{replica.label}'s metrics")

        def all_consuming():
            for replica in started:
                replica._check_alive()  # a replica that died while starting fails at once, with its log
            return consumers(amqp_uri, queue) == count

        wait_for(all_consuming, timeout=60, interval=0.05, message=f"{count} consumers on {queue}")
        yield started
    except BaseException:
        for replica in [*started, *also_show]:
            print(f"----- log of {replica.label} (pid {replica.pid}) -----\n{replica.output()}", file=sys.stderr)
        raise
    finally:
        for replica in started:
            replica.stop()


def consumers(amqp_uri, queue):
    """How many consumers ``queue`` has now (a passive declare: the broker's own count, no stats lag)."""
    connection = pika.BlockingConnection(pika.URLParameters(amqp_uri))
    try:
        return connection.channel().queue_declare(queue, passive=True).method.consumer_count
    except pika.exceptions.ChannelClosedByBroker:
        return 0  # not declared yet: the service has not started its consumers
    finally:
        if connection.is_open:
            connection.close()


def queue_info(api, vhost, queue):
    """The management API's view of a queue (``type``, ``arguments``, ``durable``...)."""
    response = requests.get(f"{api}/queues/{quote(vhost, safe='')}/{quote(queue, safe='')}", timeout=10)
    response.raise_for_status()
    return response.json()


def drained(api, vhost, queue, published):
    """Whether the broker's figures of ``queue`` show ``published`` messages routed to it and none left,
    ready or unacknowledged. The management figures are a few seconds old: counting the publications
    tells a figure taken after the last one from an older one, which would show an empty queue too."""
    info = queue_info(api, vhost, queue)
    routed = info.get("message_stats", {}).get("publish", 0)
    return routed >= published and info.get("messages") == 0 and info.get("messages_unacknowledged") == 0
