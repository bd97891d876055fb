#!/bin/bash
# PostgreSQL's first start (docker-entrypoint-initdb.d): one database per laomo service and one for
# the gateway, all owned by POSTGRES_USER. The services' *_DB_URI (deploy/env.example) name them.
set -euo pipefail
for db in laomo_registry laomo_nomination laomo_welfare laomo_association laomo_volunteer laomo_gateway; do
  psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
    -c "CREATE DATABASE $db OWNER \"$POSTGRES_USER\""
done
