"""The chassis: what every laomo service is built on.

config (``config.yml`` with ``${ENV:default}``), database (engine, unit of
work), outbox (relay), events (inbox, retries, dead letters), topology
(queue declarations, replay), rpc (settling entrypoint, timed client), clock,
metrics, logs, errors, migrations. It imports no service.
"""
