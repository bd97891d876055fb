"""Helpers for laomo's tests: waiting on conditions, replies checked against their documented schemas,
entrypoints called in process, processes started together for races."""
import json
import subprocess
import sys
import time
import warnings

import eventlet
import jsonschema_rs
from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin


def free_port():
    """A TCP port on loopback that nothing listens on now."""
    import socket
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(condition, timeout=10.0, interval=0.02, message="condition"):
    """Poll ``condition`` until it returns something truthy; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:g} s waiting for {message}")
        eventlet.sleep(interval)


# --- replies against the schemas the gateway publishes (OpenAPI 3.0 through apispec) ----------

def to_json_schema(node):
    """OpenAPI 3.0 into JSON Schema: ``nullable: true`` becomes a "null" type (and a None in an
    enum), apispec's stand-in ``{type: object, nullable: true}`` beside a nullable ``$ref`` becomes
    ``{type: null}`` (it means null, not any object), refs point into ``$defs``."""
    if isinstance(node, list):
        return [to_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: to_json_schema(value) for key, value in node.items()}
    if "$ref" in node:
        node["$ref"] = node["$ref"].replace("#/components/schemas/", "#/$defs/")
    if node.pop("nullable", False):
        if node == {"type": "object"}:
            return {"type": "null"}
        if "type" in node:
            node["type"] = [node["type"], "null"]
        if "enum" in node and None not in node["enum"]:
            node["enum"] = [*node["enum"], None]
    return node


def json_schema(schema, many=False):
    """The JSON Schema of a reply described by ``schema`` (a Schema class, or an OpenAPI schema
    object such as ExportOut); ``many``: a list of them."""
    spec = APISpec("t", "1", "3.0.3", plugins=[MarshmallowPlugin()])
    if isinstance(schema, type):
        name = schema.__name__
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # e.g. two nested schemas resolving to one name
            spec.components.schema(name, schema=schema)
    else:
        name = "ExportOut"
        spec.components.schema(name, component=dict(schema))
    components = spec.to_dict()["components"]["schemas"]
    ref = {"$ref": f"#/$defs/{name}"}
    return {"$schema": "https://json-schema.org/draft/2020-12/schema",
            "$defs": {key: to_json_schema(value) for key, value in components.items()},
            **({"type": "array", "items": ref} if many else ref)}


def problems(reply, schema, many=False):
    validator = jsonschema_rs.Draft202012Validator(json_schema(schema, many), validate_formats=True)
    wire = json.loads(json.dumps(reply))  # as it travels: JSON types only, or this raises
    return [f"/{'/'.join(map(str, error.instance_path))}: {error.message}" for error in validator.iter_errors(wire)]


def check(reply, schema, many=False):
    """``reply`` as the RPC returned it matches ``schema``; returns it."""
    found = problems(reply, schema, many)
    assert not found, f"the reply does not match {getattr(schema, '__name__', 'ExportOut')}:\n" + "\n".join(found)
    return reply


# --- calling a service's entrypoints in process ---------------------------------------------------

class WorkerCalls:
    """Calls a service's entrypoints the way a running service does: a worker (nameko's
    ``worker_factory``) and a unit of work per call, committed when the call returns and rolled back
    when it raises; the answer goes through JSON, as it would over RPC.

    ``dependencies`` are the service's (``clock=``, ``sealer=``, ``registry=``, ...); ``engine`` is
    the service's DatabaseEngine; ``config`` what the worker's ``config`` says.
    """

    def __init__(self, service_class, engine, config=None, **dependencies):
        self.service_class = service_class
        self.engine = engine
        self.config = config or {}
        self.dependencies = dependencies
        for name, value in dependencies.items():
            setattr(self, name, value)

    def worker(self, uow):
        from nameko.testing.services import worker_factory
        worker = worker_factory(self.service_class, db=uow, **self.dependencies)
        worker.config = self.config
        return worker

    def __getattr__(self, method):
        if method.startswith("_") or method in ("service_class", "engine", "config", "dependencies"):
            raise AttributeError(method)

        def call(*args, **kwargs):
            from .database import UnitOfWork
            from .events import DUPLICATE
            uow = UnitOfWork(self.engine)
            try:
                result = getattr(self.worker(uow), method)(*args, **kwargs)
            except BaseException:
                uow.rollback()
                raise
            uow.commit()
            if result is DUPLICATE:  # an event handler's answer to a redelivery: no RPC ever carries it
                return result
            return json.loads(json.dumps(result))
        return call

    # reading the database behind the service's back

    def rows(self, model, *where):
        from sqlalchemy import select
        with self.engine.reading_session() as session:
            return session.scalars(select(model).where(*where)).all()

    def events(self, event_type, envelope=True):
        """The payloads of the events of one type in the service's outbox, oldest first; without the
        ``envelope`` (the chassis' ``event_id`` and ``occurred_at``), just the facts."""
        from sqlalchemy import select
        outbox = self.engine.outbox
        with self.engine.reading() as connection:
            rows = connection.execute(select(outbox.c.payload).where(outbox.c.event_type == event_type)
                                      .order_by(outbox.c.seq)).all()
        payloads = [json.loads(row.payload) for row in rows]
        if envelope:
            return payloads
        return [{k: v for k, v in p.items() if k not in ("event_id", "occurred_at")} for p in payloads]


# --- processes started at one signal (the concurrency races) ---------------------------------------

READY, GO = "ready", "go"


def run_together(commands, timeout=300):
    """Start a process per command, wait until each says it is ready, then tell them all to go at once.

    Each process calls :func:`wait_for_the_start` when it is set up, then prints its answers as JSON
    lines. Returns (every process's answers, seconds from the start to the last answer). No polling:
    readiness and the start travel over the processes' pipes."""
    processes = [subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
                 for command in commands]
    try:
        for process in processes:
            line = process.stdout.readline()
            assert line.strip() == READY, f"a process did not start: {line!r} (exit {process.poll()})"
        started = time.perf_counter()
        for process in processes:
            process.stdin.write(GO + "\n")
            process.stdin.flush()
        answers = []
        for process in processes:
            out, _ = process.communicate(timeout=timeout)
            assert process.returncode == 0, f"a process failed ({process.returncode})"
            answers += [json.loads(line) for line in out.splitlines()]
        return answers, time.perf_counter() - started
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()


def wait_for_the_start():
    """In a process of :func:`run_together`: say it is ready, then block until the start."""
    print(READY, flush=True)
    assert sys.stdin.readline().strip() == GO


def reseal_as_operator(service, monkeypatch, capsys, uri, keys, index_key, *args):
    """``python -m services.chassis.reseal [args] service`` as an operator runs it, configured by the
    environment only; returns (exit status, everything it printed)."""
    from services.chassis import reseal

    monkeypatch.setenv(f"{service.upper()}_DB_URI", uri)
    monkeypatch.setenv("LAOMO_PERSONAL_DATA_KEYS", keys)
    monkeypatch.setenv("LAOMO_BLIND_INDEX_KEY", index_key)
    status = reseal.main([*args, service])
    captured = capsys.readouterr()
    return status, captured.out + captured.err


def sealed_values(engine, metadata, sealed_columns):
    """{("table.column", row id): token} of every sealed value a service stores."""
    from sqlalchemy import select

    values = {}
    with engine.reading() as connection:
        for name in sealed_columns:
            table_name, column = name.split(".")
            table = metadata.tables[table_name]
            values.update({(name, row[0]): row[1] for row in connection.execute(select(table.c.id, table.c[column]))})
    return values
