"""deploy/rabbitmq/definitions.json: generated from the code, current, and what the code declares.

A new event handler without regenerated definitions fails here: run
``.venv/bin/python deploy/rabbitmq/generate.py`` and commit both files it writes.
"""
import copy
import importlib.util
import json
import os
import re
from urllib.parse import quote

import pika
import pytest
import requests

from services.chassis.events import handler_queue_name
from services.chassis.testing import wait_for
from services.chassis.topology import (
    QUORUM,
    declare,
    event_handlers_of,
    load_service_class,
)

from .manifests import DEPLOY, ROOT


def load_generator():
    spec = importlib.util.spec_from_file_location("laomo_rabbitmq_generate",
                                                  os.path.join(DEPLOY, "rabbitmq", "generate.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


generate = load_generator()


def committed():
    with open(generate.DEFINITIONS_PATH, encoding="utf-8") as f:
        return json.load(f)


def handler_queues():
    queues = []
    for path in generate.SERVICE_CLASSES:
        cls = load_service_class(path)
        queues += [handler_queue_name(s, e, cls.name, m) for s, e, m in event_handlers_of(cls)]
    return queues


def test_the_committed_files_are_what_the_generator_makes_from_the_code_now():
    for path, text in generate.outputs().items():
        with open(path, encoding="utf-8") as f:
            assert f.read() == text, f"{os.path.relpath(path, ROOT)} is stale: run deploy/rabbitmq/generate.py"
    assert generate.main(["--check"]) == 0


def test_a_new_handler_makes_the_committed_definitions_stale():
    defs = generate.definitions()
    grown = generate.definitions(generate.SERVICE_CLASSES + ("tests.deploy.extra_handler:ExtraService",))
    assert generate.definitions_text(grown) != generate.definitions_text(defs)
    assert "evt-registry-honour_revoked--extra.on_honour_revoked" in {q["name"] for q in grown["queues"]}


def test_the_service_classes_are_the_makefiles():
    with open(os.path.join(ROOT, "Makefile"), encoding="utf-8") as f:
        makefile = f.read()
    classes = re.search(r"^SERVICE_CLASSES := (.*?)\n\S", makefile, re.DOTALL | re.MULTILINE).group(1)
    assert tuple(classes.replace("\\", " ").split()) == generate.SERVICE_CLASSES


def test_every_handler_queue_is_a_quorum_queue_with_its_dead_letter_queue_and_bindings():
    defs = committed()
    queues = {q["name"]: q for q in defs["queues"]}
    exchanges = {e["name"]: e for e in defs["exchanges"]}
    bindings = {(b["source"], b["destination"], b["routing_key"]) for b in defs["bindings"]}
    names = handler_queues()
    assert len(names) >= 8 and set(queues) == set(names) | {n + ".dead-letter" for n in names}
    for name in names:
        source, event_type = re.match(r"evt-([a-z]+)-([a-z_]+)--", name).groups()
        assert queues[name]["arguments"] == {"x-dead-letter-exchange": "laomo.dead-letter",
                                             "x-dead-letter-routing-key": name, "x-queue-type": "quorum"}
        assert queues[name + ".dead-letter"]["arguments"] == {"x-queue-type": "quorum"}
        assert (f"{source}.events", name, event_type) in bindings
        assert ("laomo.dead-letter", name + ".dead-letter", name) in bindings
    assert exchanges["laomo.dead-letter"]["type"] == "direct"
    assert exchanges["nameko-rpc"]["type"] == "topic"
    for service in ("registry", "nomination", "welfare", "association", "volunteer"):
        assert exchanges[f"{service}.events"]["type"] == "topic"
    assert all(q["durable"] and not q["auto_delete"] and q["vhost"] == "laomo" for q in defs["queues"])
    assert defs["users"] == [] and defs["permissions"] == []  # no credentials in the repository


def effective_policy(policies, name):
    matching = [p for p in policies if re.search(p["pattern"], name)]
    return max(matching, key=lambda p: p["priority"])["name"] if matching else None


def test_each_queue_gets_the_policy_meant_for_it():
    policies = committed()["policies"]
    for name in handler_queues():
        assert effective_policy(policies, name) == "laomo-event-queues", name
        assert effective_policy(policies, name + ".dead-letter") == "laomo-dead-letter-queues", name
    for service in ("registry", "nomination", "welfare", "association", "volunteer"):
        assert effective_policy(policies, f"rpc-{service}") == "laomo-rpc-queues"
        # nameko's reply queues (rpc.reply-<service>-<uuid>) are left alone
        assert effective_policy(policies, f"rpc.reply-{service}-0f3c2a9e-1b2c-4d5e-8f90-123456789abc") is None


@pytest.fixture
def broker_vhost(rabbit_config, request):
    """A fresh vhost on the test broker, with the committed definitions imported into it."""
    amqp_uri = rabbit_config["AMQP_URI"]
    vhost = amqp_uri.rsplit("/", 1)[1]
    api = request.config.getoption("RABBIT_API_URI").rstrip("/") + "/api"
    return amqp_uri, vhost, api


def import_definitions(api, vhost, defs):
    body = {key: copy.deepcopy(defs[key]) for key in ("exchanges", "queues", "bindings", "policies")}
    for items in body.values():
        for item in items:
            item["vhost"] = vhost
    response = requests.post(f"{api}/definitions/{quote(vhost, safe='')}", json=body)
    assert response.status_code in (200, 201, 204), response.text


def test_the_broker_accepts_the_definitions_and_the_code_declares_the_same_queues(broker_vhost):
    amqp_uri, vhost, api = broker_vhost
    import_definitions(api, vhost, committed())
    # what `topology declare` and each handler at start declare: equivalent, or PRECONDITION_FAILED here
    classes = [load_service_class(path) for path in generate.SERVICE_CLASSES]
    declared = declare(amqp_uri, classes, QUORUM)
    assert sorted(declared) == sorted(handler_queues())
    expected = set(declared) | {name + ".dead-letter" for name in declared}

    def listed_with_policies():  # the management API lists a queue's policy once it has its first stats
        queues = {q["name"]: q for q in requests.get(f"{api}/queues/{quote(vhost, safe='')}").json()}
        return queues if all("policy" in queues.get(name, {}) for name in expected) else None

    queues = wait_for(listed_with_policies, timeout=30, interval=0.5, message="the queues' policies")
    for name in declared:
        assert queues[name]["type"] == "quorum" and queues[name]["policy"] == "laomo-event-queues"
        dead = queues[name + ".dead-letter"]
        assert dead["type"] == "quorum" and dead["policy"] == "laomo-dead-letter-queues"


def test_a_queue_declared_otherwise_than_the_definitions_is_refused(broker_vhost):
    amqp_uri, vhost, api = broker_vhost
    defs = committed()
    name = defs["queues"][0]["name"]
    defs["queues"][0]["arguments"] = {"x-queue-type": "classic"}  # a definitions file the code disagrees with
    import_definitions(api, vhost, defs)
    connection = pika.BlockingConnection(pika.URLParameters(amqp_uri))
    try:
        with pytest.raises(pika.exceptions.ChannelClosedByBroker) as refused:
            connection.channel().queue_declare(name, durable=True, arguments={"x-queue-type": "quorum"})
        assert refused.value.reply_code == 406  # PRECONDITION_FAILED
    finally:
        connection.close()
