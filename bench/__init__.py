"""laomo's benchmark: ``python -m bench --amqp-uri URI --rabbit-ctl-uri URI`` (``make bench``).

Prints, without asserting, three sets of figures, each on a RabbitMQ virtual
host of its own that is deleted afterwards:

* outbox relay throughput (events published with broker confirms per second),
* one RPC round trip through the chassis beside a bare pika round trip (ms),
* the resident memory of each suite process at idle (MB).

See bench/README.md.
"""
