"""The broker's shape, declared before any service runs, and the dead letters.

An event published to an exchange with no bound queue is dropped, so every
subscriber queue must exist before the first event. ``declare`` walks the
given service classes, finds their chassis event handlers, and declares each
handler's exchange, queue, binding and dead-letter queue, with exactly the
arguments the handler itself declares at start.

    python -m services.chassis.topology declare services.registry.service:RegistryService ...
    python -m services.chassis.topology dead-letters
    python -m services.chassis.topology replay QUEUE [--limit N]
"""
import argparse
import importlib
import inspect
import json
import os
import sys

import pika

from .config import load_config, service_config_path

DEAD_LETTER_EXCHANGE = "laomo.dead-letter"
DEAD_LETTER_SUFFIX = ".dead-letter"
CLASSIC, QUORUM = "classic", "quorum"
QUEUE_TYPES = (CLASSIC, QUORUM)


def queue_type_of(config):
    """The type of every durable queue laomo declares (config ``QUEUE_TYPE``, env ``AMQP_QUEUE_TYPE``).

    ``classic`` on a single node (``make run``); ``quorum`` on a RabbitMQ cluster, where a queue must
    outlive the node it started on (docs/adr/0005). A queue's type is fixed when it is first declared:
    switching an existing broker means new queues (docs/operations.md).
    """
    queue_type = str(config.get("QUEUE_TYPE") or CLASSIC).strip().lower()
    if queue_type not in QUEUE_TYPES:
        raise ValueError(f"QUEUE_TYPE must be one of {', '.join(QUEUE_TYPES)}, not {queue_type!r}")
    return queue_type


def queue_type_arguments(queue_type):
    """Declaration arguments for a durable queue of ``queue_type``: none for classic, so queues
    declared before this setting existed stay equivalent."""
    return {"x-queue-type": QUORUM} if queue_type == QUORUM else {}


def connect(amqp_uri):
    return pika.BlockingConnection(pika.URLParameters(amqp_uri))


def declare_dead_letter(amqp_uri, queue_name, channel=None, queue_type=CLASSIC):
    """The dead-letter exchange and the queue that keeps ``queue_name``'s failures."""
    own = channel is None
    connection = connect(amqp_uri) if own else None
    channel = channel or connection.channel()
    try:
        channel.exchange_declare(DEAD_LETTER_EXCHANGE, exchange_type="direct", durable=True)
        dead = queue_name + DEAD_LETTER_SUFFIX
        channel.queue_declare(dead, durable=True, arguments=queue_type_arguments(queue_type))
        channel.queue_bind(dead, DEAD_LETTER_EXCHANGE, routing_key=queue_name)
    finally:
        if own:
            connection.close()


def event_handlers_of(service_cls):
    """(source service, event type, method name) of each chassis event handler."""
    from .events import EventHandler

    for method_name, method in inspect.getmembers(service_cls, inspect.isfunction):
        for entrypoint in getattr(method, "nameko_entrypoints", ()):
            if isinstance(entrypoint, EventHandler):
                yield entrypoint.source_service, entrypoint.event_type, method_name


def declare(amqp_uri, service_classes, queue_type=CLASSIC):
    from .events import handler_queue_arguments, handler_queue_name

    connection = connect(amqp_uri)
    channel = connection.channel()
    declared = []
    try:
        for service_cls in service_classes:
            for source, event_type, method_name in event_handlers_of(service_cls):
                exchange = f"{source}.events"
                queue = handler_queue_name(source, event_type, service_cls.name, method_name)
                channel.exchange_declare(exchange, exchange_type="topic", durable=True)
                channel.queue_declare(queue, durable=True, arguments=handler_queue_arguments(queue, queue_type))
                channel.queue_bind(queue, exchange, routing_key=event_type)
                declare_dead_letter(amqp_uri, queue, channel, queue_type)
                declared.append(queue)
    finally:
        connection.close()
    return declared


def dead_letter_counts(amqp_uri, queue_names):
    """Messages waiting on the dead-letter queue of each handler queue."""
    connection = connect(amqp_uri)
    counts = {}
    try:
        for name in queue_names:
            channel = connection.channel()
            try:
                result = channel.queue_declare(name + DEAD_LETTER_SUFFIX, passive=True)
                counts[name] = result.method.message_count
                channel.close()
            except pika.exceptions.ChannelClosedByBroker:
                counts[name] = 0  # not declared: nothing dead-lettered yet
    finally:
        connection.close()
    return counts


def replay(amqp_uri, queue_name, limit=None):
    """Move dead letters of ``queue_name`` back to it, attempt count reset; returns how many."""
    from .events import ATTEMPT_HEADER

    connection = connect(amqp_uri)
    channel = connection.channel()
    channel.confirm_delivery()
    moved = 0
    try:
        while limit is None or moved < limit:
            method, properties, body = channel.basic_get(queue_name + DEAD_LETTER_SUFFIX)
            if method is None:
                break
            headers = {k: v for k, v in (properties.headers or {}).items()
                       if k not in (ATTEMPT_HEADER, "x-death", "x-first-death-exchange",
                                    "x-first-death-queue", "x-first-death-reason",
                                    "x-last-death-exchange", "x-last-death-queue",
                                    "x-last-death-reason")}
            properties.headers = headers
            channel.basic_publish("", queue_name, body, properties, mandatory=True)
            channel.basic_ack(method.delivery_tag)  # only after the broker confirmed the copy
            moved += 1
    finally:
        connection.close()
    return moved


def load_service_class(path):
    module_name, _, class_name = path.partition(":")
    return getattr(importlib.import_module(module_name), class_name)


def amqp_uri_from_config():
    uri = os.environ.get("AMQP_URI")
    if uri:
        return uri
    return load_config(service_config_path("registry"))["AMQP_URI"]


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m services.chassis.topology",
        description="Declare laomo's queues before services start; inspect and replay dead letters.")
    parser.add_argument("--amqp-uri", help="broker URI (default: $AMQP_URI, else the services' config)")
    parser.add_argument("--queue-type", choices=QUEUE_TYPES,
                        default=queue_type_of({"QUEUE_TYPE": os.environ.get("AMQP_QUEUE_TYPE")}),
                        help="type of the queues declared (default: $AMQP_QUEUE_TYPE, else classic); "
                             "the services must run with the same AMQP_QUEUE_TYPE")
    commands = parser.add_subparsers(dest="command", required=True)
    p_declare = commands.add_parser("declare", help="declare every event handler's queues")
    p_declare.add_argument("services", nargs="+", help="service classes, as module:Class")
    p_dead = commands.add_parser("dead-letters", help="count dead letters per handler queue")
    p_dead.add_argument("services", nargs="+", help="service classes, as module:Class")
    p_replay = commands.add_parser("replay", help="move a queue's dead letters back to it")
    p_replay.add_argument("queue", help="the handler queue (not its .dead-letter queue)")
    p_replay.add_argument("--limit", type=int, default=None, help="at most this many messages")
    args = parser.parse_args(argv)
    amqp_uri = args.amqp_uri or amqp_uri_from_config()

    if args.command == "declare":
        queues = declare(amqp_uri, [load_service_class(p) for p in args.services], args.queue_type)
        print(f"laomo: declared {len(queues)} {args.queue_type} subscriber queue(s) with dead-letter queues")
    elif args.command == "dead-letters":
        names = []
        for path in args.services:
            cls = load_service_class(path)
            from .events import handler_queue_name
            names += [handler_queue_name(s, e, cls.name, m) for s, e, m in event_handlers_of(cls)]
        print(json.dumps(dead_letter_counts(amqp_uri, names), indent=2))
    elif args.command == "replay":
        moved = replay(amqp_uri, args.queue, args.limit)
        print(f"laomo: replayed {moved} message(s) onto {args.queue}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
