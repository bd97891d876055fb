"""The bare-pika side of figure 2: a plain consumer that answers on ``reply_to``.

Run as its own process (no eventlet): ``python -m bench.pika_echo_server AMQP_URI QUEUE``.
It prints ``ready`` once it consumes, and runs until terminated (SIGTERM).
"""
import json
import sys

import pika


def main(amqp_uri, queue):
    connection = pika.BlockingConnection(pika.URLParameters(amqp_uri))
    channel = connection.channel()
    channel.queue_declare(queue, durable=False, auto_delete=False)
    channel.basic_qos(prefetch_count=10)

    def on_request(ch, method, properties, body):
        request = json.loads(body)
        reply = json.dumps({"result": request["args"][0], "error": None})
        ch.basic_publish("", properties.reply_to, reply, pika.BasicProperties(
            correlation_id=properties.correlation_id, content_type="application/json"))
        ch.basic_ack(method.delivery_tag)

    channel.basic_consume(queue, on_request)
    print("ready", flush=True)
    channel.start_consuming()  # until SIGTERM ends the process; the broker drops the connection


if __name__ == "__main__":
    main(*sys.argv[1:3])
