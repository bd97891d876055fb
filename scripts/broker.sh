#!/usr/bin/env bash
# A project-local RabbitMQ node: its own name, data, logs and ports under var/rabbitmq.
# Usage: scripts/broker.sh start|stop|status|uri
# Ports: LAOMO_AMQP_PORT (5673), LAOMO_AMQP_MGMT_PORT (15673), LAOMO_AMQP_DIST_PORT (AMQP port + 20000).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BASE=$ROOT/var/rabbitmq
AMQP_PORT=${LAOMO_AMQP_PORT:-5673}
MGMT_PORT=${LAOMO_AMQP_MGMT_PORT:-15673}
DIST_PORT=${LAOMO_AMQP_DIST_PORT:-$((AMQP_PORT + 20000))}
NODE=${LAOMO_RABBIT_NODENAME:-laomo-$AMQP_PORT@localhost}
RABBIT_BIN=/usr/lib/rabbitmq/bin

export HOME=$BASE/home            # the Erlang cookie lives here, shared by server and rabbitmqctl
export RABBITMQ_NODENAME=$NODE
export RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
export RABBITMQ_NODE_PORT=$AMQP_PORT
export RABBITMQ_DIST_PORT=$DIST_PORT
export RABBITMQ_MNESIA_BASE=$BASE/mnesia
export RABBITMQ_LOG_BASE=$BASE/log
export RABBITMQ_PID_FILE=$BASE/rabbitmq.pid
export RABBITMQ_ENABLED_PLUGINS_FILE=$BASE/enabled_plugins
export RABBITMQ_CONFIG_FILE=$BASE/rabbitmq          # rabbitmq.conf (sysctl format)
export RABBITMQ_ADVANCED_CONFIG_FILE=$BASE/advanced.config
# small machines: two schedulers, and no busy-waiting -- an idle Erlang scheduler otherwise spins
# for a while on a core the services need (halved the broker's CPU per RPC in bench.gateway)
export RABBITMQ_SERVER_ERL_ARGS="+S 2:2 +sbwt none +sbwtdcpu none +sbwtdio none"

ctl() { "$RABBIT_BIN/rabbitmqctl" -n "$NODE" "$@"; }

fail() { echo "laomo: RabbitMQ: $*" >&2; exit 1; }

install_if_missing() {
  [ -x "$RABBIT_BIN/rabbitmq-server" ] && return 0
  [ "$(id -u)" = 0 ] || fail "rabbitmq-server is not installed and we are not root; run: sudo apt-get install -y rabbitmq-server"
  echo "laomo: installing Debian's rabbitmq-server (once)"
  export DEBIAN_FRONTEND=noninteractive
  (apt-get update -qq && RUNLEVEL=1 apt-get install -y -qq rabbitmq-server >/dev/null) \
    || fail "apt-get could not install rabbitmq-server; check the package mirror and run: apt-get install -y rabbitmq-server"
}

running() { ctl status >/dev/null 2>&1; }

start() {
  install_if_missing
  mkdir -p "$HOME" "$RABBITMQ_MNESIA_BASE" "$RABBITMQ_LOG_BASE"
  echo '[rabbitmq_management].' > "$RABBITMQ_ENABLED_PLUGINS_FILE"
  cat > "$BASE/rabbitmq.conf" <<CONF
listeners.tcp.1 = 127.0.0.1:$AMQP_PORT
management.tcp.ip = 127.0.0.1
management.tcp.port = $MGMT_PORT
loopback_users = none
log.console = false
log.file.level = warning
CONF
  echo '[].' > "$RABBITMQ_ADVANCED_CONFIG_FILE"
  if running; then
    echo "laomo: RabbitMQ node $NODE already running (amqp://127.0.0.1:$AMQP_PORT)"
    return 0
  fi
  if (exec 3<>/dev/tcp/127.0.0.1/$AMQP_PORT) 2>/dev/null; then
    fail "port $AMQP_PORT is taken by another program; choose another with LAOMO_AMQP_PORT=<port>"
  fi
  "$RABBIT_BIN/rabbitmq-server" -detached >"$BASE/log/startup.log" 2>&1 \
    || fail "rabbitmq-server did not start; see $BASE/log/startup.log"
  for _ in $(seq 1 120); do
    if ctl await_startup >/dev/null 2>&1; then
      # wait for the management API too: tests create vhosts through it
      for _ in $(seq 1 60); do
        curl -fs -u guest:guest "http://127.0.0.1:$MGMT_PORT/api/overview" >/dev/null 2>&1 && break
        sleep 0.5
      done
      echo "laomo: RabbitMQ node $NODE ready on amqp://127.0.0.1:$AMQP_PORT (management http://127.0.0.1:$MGMT_PORT)"
      return 0
    fi
    sleep 1
  done
  fail "node $NODE did not become ready in 120 s; see $BASE/log/ (a stale node? run: make stop, or remove var/rabbitmq)"
}

stop() {
  if running; then ctl stop >/dev/null 2>&1 || true; echo "laomo: RabbitMQ node $NODE stopped"; fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) running && echo running || { echo stopped; exit 1; } ;;
  uri) echo "amqp://guest:guest@127.0.0.1:$AMQP_PORT/" ;;
  *) echo "usage: $0 start|stop|status|uri" >&2; exit 2 ;;
esac
