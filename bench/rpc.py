"""Figure 2: one RPC round trip through the chassis beside a bare pika round trip.

Chassis: a one-method service (``LaomoService`` + the chassis ``@rpc``, so
tracing, instrumentation and the settle-before-reply step all run) in a
nameko ``ServiceContainer`` in this process, called with nameko's
``ClusterRpcProxy``, sequentially. nameko publishes the request and the
reply with publisher confirms and serialises both as JSON.

Bare pika: a plain consumer in another OS process answers on ``reply_to``;
a pika ``BlockingConnection`` here publishes a JSON request with a
correlation id and waits on its exclusive reply queue. No confirms: the
floor the broker and client library alone impose.
"""
import json
import os
import subprocess
import sys
import time
import uuid

import pika
from nameko.containers import ServiceContainer
from nameko.standalone.rpc import ClusterRpcProxy

from bench.report import latency_summary
from services.chassis.rpc import rpc
from services.chassis.service import LaomoService

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PIKA_QUEUE = "bench-pika-echo"
CALL_TIMEOUT = 10


class BenchEchoService(LaomoService):
    name = "bench_echo"

    @rpc
    def echo(self, x):
        return x


def chassis_round_trips(amqp_uri, calls=1000, warmup=50):
    config = {"AMQP_URI": amqp_uri, "METRICS_PORT": 0, "max_workers": 10}
    container = ServiceContainer(BenchEchoService, config)
    container.start()
    try:
        with ClusterRpcProxy(config, timeout=CALL_TIMEOUT) as cluster:
            echo = cluster.bench_echo.echo
            for i in range(warmup):
                echo(i)
            samples = []
            for i in range(calls):
                started = time.perf_counter()
                answer = echo(i)
                samples.append(time.perf_counter() - started)
                if answer != i:
                    raise RuntimeError(f"echo({i}) answered {answer!r}")
    finally:
        container.stop()
    return latency_summary(samples)


class PikaClient:
    def __init__(self, amqp_uri, queue):
        self.queue = queue
        self.connection = pika.BlockingConnection(pika.URLParameters(amqp_uri))
        self.channel = self.connection.channel()
        self.channel.queue_declare(queue, durable=False, auto_delete=False)
        self.reply_queue = self.channel.queue_declare("", exclusive=True).method.queue
        self.replies = {}
        self.channel.basic_consume(self.reply_queue, self._on_reply, auto_ack=True)

    def _on_reply(self, ch, method, properties, body):
        self.replies[properties.correlation_id] = body

    def call(self, x):
        correlation_id = uuid.uuid4().hex
        self.channel.basic_publish(
            "", self.queue, json.dumps({"args": [x], "kwargs": {}}),
            pika.BasicProperties(reply_to=self.reply_queue, correlation_id=correlation_id,
                                 content_type="application/json"))
        deadline = time.monotonic() + CALL_TIMEOUT
        while correlation_id not in self.replies:
            if time.monotonic() > deadline:
                raise TimeoutError(f"no pika reply within {CALL_TIMEOUT} s")
            self.connection.process_data_events(time_limit=1)
        return json.loads(self.replies.pop(correlation_id))["result"]

    def close(self):
        if self.connection.is_open:
            self.connection.close()


def pika_round_trips(amqp_uri, calls=1000, warmup=50):
    server = subprocess.Popen(
        [sys.executable, "-m", "bench.pika_echo_server", amqp_uri, PIKA_QUEUE],
        cwd=REPO_ROOT, stdout=subprocess.PIPE, text=True)
    client = None
    try:
        line = server.stdout.readline().strip()
        if line != "ready":
            raise RuntimeError(f"the pika echo server did not start (exit {server.poll()}, said {line!r})")
        client = PikaClient(amqp_uri, PIKA_QUEUE)
        for i in range(warmup):
            client.call(i)
        samples = []
        for i in range(calls):
            started = time.perf_counter()
            answer = client.call(i)
            samples.append(time.perf_counter() - started)
            if answer != i:
                raise RuntimeError(f"pika echo({i}) answered {answer!r}")
    finally:
        if client is not None:
            client.close()
        server.terminate()
        try:
            server.wait(timeout=5)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    return latency_summary(samples)
