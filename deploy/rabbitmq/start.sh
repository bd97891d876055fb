#!/bin/sh
# Start the RabbitMQ node, then make the laomo user from the environment (deploy/compose.yaml and the
# Kubernetes StatefulSet both run this). Definitions imported at boot (definitions.json) create no user,
# and RABBITMQ_DEFAULT_USER is ignored when definitions are imported, so the user is made here:
#   LAOMO_AMQP_USER, LAOMO_AMQP_PASSWORD  the account every laomo process uses (in AMQP_URI), with
#                                         full rights on the laomo vhost and the management tag
# Every start sets the password to the environment's: restart the broker to rotate it.
# /tmp/laomo-user-ready exists once the user is there (the healthcheck and readiness probe look for it).
set -eu
: "${LAOMO_AMQP_USER:?set LAOMO_AMQP_USER}"
: "${LAOMO_AMQP_PASSWORD:?set LAOMO_AMQP_PASSWORD}"
READY=/tmp/laomo-user-ready
rm -f "$READY"

rabbitmq-server &
server=$!
stop() { kill -TERM "$server" 2>/dev/null || true; wait "$server" || true; exit 0; }
trap stop TERM INT

until rabbitmq-diagnostics --quiet check_running >/dev/null 2>&1; do
  kill -0 "$server" 2>/dev/null || { wait "$server"; exit 1; }
  sleep 2
done
# (users are cluster-wide: another node may have made it first)
rabbitmqctl --quiet add_user "$LAOMO_AMQP_USER" "$LAOMO_AMQP_PASSWORD" >/dev/null 2>&1 ||
  rabbitmqctl --quiet change_password "$LAOMO_AMQP_USER" "$LAOMO_AMQP_PASSWORD"
rabbitmqctl --quiet set_user_tags "$LAOMO_AMQP_USER" management
rabbitmqctl --quiet set_permissions --vhost laomo "$LAOMO_AMQP_USER" ".*" ".*" ".*"
touch "$READY"
echo "laomo: RabbitMQ user $LAOMO_AMQP_USER ready on vhost laomo"

wait "$server"
