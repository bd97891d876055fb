"""RabbitMQ definitions for production, generated from the code.

    .venv/bin/python deploy/rabbitmq/generate.py          # rewrite both files
    .venv/bin/python deploy/rabbitmq/generate.py --check  # exit 1 if either is stale

Writes ``deploy/rabbitmq/definitions.json`` (imported at boot by the compose
broker) and ``deploy/k8s/rabbitmq-definitions.yaml`` (the same JSON in the
ConfigMap the Kubernetes StatefulSet imports). The queues are found the way
``python -m services.chassis.topology declare`` finds them: every chassis
event handler of every service class gets its subscriber queue (with the
arguments the handler itself declares, as a quorum queue), its binding, and
its dead-letter queue on ``laomo.dead-letter``, each a quorum queue by its own
``x-queue-type`` argument (the vhost keeps RabbitMQ's default type, classic, for
nameko's reply queues: docs/adr/0005). A new handler therefore needs
a regenerated file; tests/deploy checks that the committed files are current.

Users are not in the definitions (no credentials in the repository): the
broker's start script (``deploy/rabbitmq/start.sh``) creates the laomo user
from the environment.
"""
import argparse
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from services.chassis.events import handler_queue_arguments, handler_queue_name
from services.chassis.outbox import event_exchange_name
from services.chassis.topology import (
    DEAD_LETTER_EXCHANGE,
    DEAD_LETTER_SUFFIX,
    QUORUM,
    event_handlers_of,
    load_service_class,
    queue_type_arguments,
)

VHOST = "laomo"
QUEUE_TYPE = QUORUM  # what AMQP_QUEUE_TYPE is in deploy/compose.yaml and deploy/k8s/config.yaml
RPC_EXCHANGE = "nameko-rpc"  # nameko's default rpc_exchange; laomo's configs do not change it
# the same list as the Makefile's SERVICE_CLASSES (a test checks they agree)
SERVICE_CLASSES = (
    "services.registry.service:RegistryService",
    "services.nomination.service:NominationService",
    "services.welfare.service:WelfareService",
    "services.association.service:AssociationService",
    "services.volunteer.service:VolunteerService",
)
# a message redelivered this many times (its consumer died mid-work each time) is dead-lettered,
# not redelivered for ever; handler failures are retried by the handler itself (EVENT_MAX_RETRIES)
DELIVERY_LIMIT = 10
DEAD_LETTER_MAX_BYTES = 1024 ** 3

DEFINITIONS_PATH = os.path.join(HERE, "definitions.json")
CONFIGMAP_PATH = os.path.join(ROOT, "deploy", "k8s", "rabbitmq-definitions.yaml")


def exchange(name, kind):
    return {"name": name, "vhost": VHOST, "type": kind, "durable": True, "auto_delete": False,
            "internal": False, "arguments": {}}


def queue(name, arguments):
    return {"name": name, "vhost": VHOST, "durable": True, "auto_delete": False, "arguments": arguments}


def binding(source, destination, routing_key):
    return {"source": source, "vhost": VHOST, "destination": destination, "destination_type": "queue",
            "routing_key": routing_key, "arguments": {}}


def policy(name, pattern, priority, definition):
    return {"name": name, "vhost": VHOST, "pattern": pattern, "apply-to": "queues",
            "priority": priority, "definition": definition}


def definitions(service_classes=SERVICE_CLASSES):
    classes = [load_service_class(path) for path in service_classes]
    exchanges = {RPC_EXCHANGE: exchange(RPC_EXCHANGE, "topic"),
                 DEAD_LETTER_EXCHANGE: exchange(DEAD_LETTER_EXCHANGE, "direct")}
    # every service runs an outbox relay that publishes to its own exchange
    for cls in classes:
        name = event_exchange_name(cls.name)
        exchanges[name] = exchange(name, "topic")
    queues, bindings = [], []
    for cls in classes:
        for source, event_type, method_name in event_handlers_of(cls):
            source_exchange = event_exchange_name(source)
            exchanges.setdefault(source_exchange, exchange(source_exchange, "topic"))
            name = handler_queue_name(source, event_type, cls.name, method_name)
            dead = name + DEAD_LETTER_SUFFIX
            # exactly what the handler (chassis.events) and `topology declare` declare with QUEUE_TYPE
            queues.append(queue(name, handler_queue_arguments(name, QUEUE_TYPE)))
            queues.append(queue(dead, queue_type_arguments(QUEUE_TYPE)))
            bindings.append(binding(source_exchange, name, event_type))
            bindings.append(binding(DEAD_LETTER_EXCHANGE, dead, name))
    policies = [
        # subscriber queues: evt-<source>-<event_type>--<service>.<handler> (no dot before the handler)
        policy("laomo-event-queues", r"^evt-[^.]+--[a-z_]+\.[A-Za-z0-9_]+$", 10, {
            "delivery-limit": DELIVERY_LIMIT,
            # a dead letter is kept by its queue until the dead-letter queue has confirmed it
            "dead-letter-strategy": "at-least-once",
            "overflow": "reject-publish",
        }),
        # dead-letter queues: bounded, and never dropping (with at-least-once dead-lettering a full
        # dead-letter queue leaves the messages on the subscriber queue, where they are counted)
        policy("laomo-dead-letter-queues", r"\.dead-letter$", 20, {
            "max-length-bytes": DEAD_LETTER_MAX_BYTES,
            "overflow": "reject-publish",
        }),
        # RPC request queues rpc-<service> (not nameko's reply queues, rpc.reply-...)
        policy("laomo-rpc-queues", r"^rpc-[a-z]+$", 10, {"delivery-limit": DELIVERY_LIMIT}),
    ]
    return {
        # no default queue type on the vhost (docs/adr/0005): it would also make nameko's reply queues
        # (durable, one per process) quorum queues; every laomo queue names its type itself
        "vhosts": [{"name": VHOST, "description": "laomo", "tags": [],
                    "metadata": {"description": "laomo", "tags": []}}],
        "users": [],
        "permissions": [],
        "policies": policies,
        "exchanges": sorted(exchanges.values(), key=lambda e: e["name"]),
        "queues": sorted(queues, key=lambda q: q["name"]),
        "bindings": sorted(bindings, key=lambda b: (b["source"], b["destination"])),
    }


def definitions_text(defs):
    return json.dumps(defs, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def configmap_text(defs):
    body = "".join("    " + line + "\n" for line in definitions_text(defs).splitlines())
    return (
        "# Generated by deploy/rabbitmq/generate.py from the code; do not edit by hand.\n"
        "# The same definitions as deploy/rabbitmq/definitions.json, imported at boot by the RabbitMQ StatefulSet.\n"
        "apiVersion: v1\n"
        "kind: ConfigMap\n"
        "metadata:\n"
        "  name: rabbitmq-definitions\n"
        "  namespace: laomo\n"
        "  labels:\n"
        "    app.kubernetes.io/name: rabbitmq\n"
        "    app.kubernetes.io/part-of: laomo\n"
        "data:\n"
        "  definitions.json: |\n" + body)


def outputs():
    defs = definitions()
    return {DEFINITIONS_PATH: definitions_text(defs), CONFIGMAP_PATH: configmap_text(defs)}


def main(argv=None):
    parser = argparse.ArgumentParser(prog="deploy/rabbitmq/generate.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if a committed file differs from the code")
    args = parser.parse_args(argv)
    stale = []
    for path, text in outputs().items():
        current = None
        if os.path.exists(path):
            with open(path, encoding="utf-8") as f:
                current = f.read()
        if current == text:
            continue
        if args.check:
            stale.append(path)
        else:
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
            print(f"laomo: wrote {os.path.relpath(path, ROOT)}")
    if stale:
        print("laomo: stale, run deploy/rabbitmq/generate.py: " + ", ".join(os.path.relpath(p, ROOT) for p in stale),
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
