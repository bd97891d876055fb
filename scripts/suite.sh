#!/usr/bin/env bash
# Start, watch and stop the five services and the gateway, each its own `nameko run` process.
# Usage: scripts/suite.sh run|start|stop|status
#   run    start everything, print where it is, and stay until Ctrl-C (then stop it all)
#   start  the same, in the background; `stop` ends it
# LAOMO_PROMETHEUS=1 (`make run PROMETHEUS=1`): also a Prometheus scraping it all (scripts/prometheus.sh)
# Files: LAOMO_VAR (default var/): <service>.sqlite3, log/<service>.log, run/<service>.pid
set -euo pipefail
cd "$(dirname "$0")/.."
VAR=${LAOMO_VAR:-var}
PY=.venv/bin/python
NAMEKO=.venv/bin/nameko
SERVICES="registry nomination welfare association volunteer"
export PYTHONWARNINGS=${PYTHONWARNINGS:-"ignore::DeprecationWarning,ignore:pkg_resources is deprecated:UserWarning"}
export AMQP_URI=${AMQP_URI:-$(scripts/broker.sh uri)}
GATEWAY_ADDRESS=${GATEWAY_ADDRESS:-127.0.0.1:8000}
export GATEWAY_ADDRESS
mkdir -p "$VAR/log" "$VAR/run"

class_of() {
  case $1 in
    gateway) echo "gateway.service:GatewayService" ;;
    *) echo "services.$1.service:$(tr '[:lower:]' '[:upper:]' <<< "${1:0:1}")${1:1}Service" ;;
  esac
}
config_of() { [ "$1" = gateway ] && echo gateway/config.yml || echo "services/$1/config.yml"; }
upper() { tr '[:lower:]' '[:upper:]' <<< "$1"; }

# each service's SQLite file (and the gateway's, of accounts) lives in $VAR unless its DB_URI is given
for s in $SERVICES gateway; do
  var_name="$(upper "$s")_DB_URI"
  export "$var_name"="${!var_name:-sqlite:///$VAR/$s.sqlite3}"
done

# personal-data keys: the environment's, else this install's own, made once under $VAR/secrets
secret() {
  local file="$VAR/secrets/$1"
  if [ ! -s "$file" ]; then
    mkdir -p "$VAR/secrets" && chmod 700 "$VAR/secrets"
    (umask 077; $PY -m services.chassis.personal_data > "$file")
  fi
  cat "$file"
}
if [ -z "${LAOMO_PERSONAL_DATA_KEYS:-}" ]; then export LAOMO_PERSONAL_DATA_KEYS="$(secret personal_data_key)"; fi
if [ -z "${LAOMO_BLIND_INDEX_KEY:-}" ]; then export LAOMO_BLIND_INDEX_KEY="$(secret blind_index_key)"; fi
if [ -z "${LAOMO_TOKEN_KEY:-}" ]; then export LAOMO_TOKEN_KEY="$(secret token_key)"; fi

alive() { [ -f "$VAR/run/$1.pid" ] && kill -0 "$(cat "$VAR/run/$1.pid")" 2>/dev/null; }

prepare() {
  $PY -m services.chassis.migrations upgrade $SERVICES gateway
  $PY -m services.chassis.topology --amqp-uri "$AMQP_URI" declare $(for s in $SERVICES; do class_of "$s"; done)
}

start() {
  for s in $SERVICES gateway; do
    if alive "$s"; then
      echo "laomo: $s is already running (pid $(cat "$VAR/run/$s.pid")); run 'make stop' first" >&2
      exit 1
    fi
  done
  local url="http://$GATEWAY_ADDRESS"
  if curl -s -o /dev/null "$url/healthz" 2>/dev/null; then
    echo "laomo: something already answers on $GATEWAY_ADDRESS; stop it or set GATEWAY_ADDRESS" >&2
    exit 1
  fi
  prepare
  for s in $SERVICES gateway; do
    $NAMEKO run --config "$(config_of "$s")" "$(class_of "$s")" >>"$VAR/log/$s.log" 2>&1 &
    echo $! > "$VAR/run/$s.pid"
  done
  for _ in $(seq 1 120); do
    if curl -fs "$url/readyz" >/dev/null 2>&1; then
      echo "laomo: ready at $url  (API reference $url/api/v1/docs, health $url/readyz, metrics $url/metrics)"
      echo "laomo:   no account yet? 'make admin' (in another terminal) creates the first city admin"
      for s in $SERVICES; do
        port_var="$(upper "$s")_METRICS_PORT"
        echo "laomo:   $s metrics on http://127.0.0.1:${!port_var:-$(default_metrics_port "$s")}/metrics, log $VAR/log/$s.log"
      done
      if [ "${LAOMO_PROMETHEUS:-0}" != 0 ]; then
        scripts/prometheus.sh start || { stop; exit 1; }
      fi
      return 0
    fi
    for s in $SERVICES gateway; do
      alive "$s" || { echo "laomo: $s exited while starting; see $VAR/log/$s.log" >&2; tail -5 "$VAR/log/$s.log" >&2; stop; exit 1; }
    done
    sleep 0.5
  done
  echo "laomo: the gateway was not ready within 60 s; see $VAR/log/" >&2
  stop
  exit 1
}

default_metrics_port() {
  case $1 in registry) echo 9101;; nomination) echo 9102;; welfare) echo 9103;; association) echo 9104;; volunteer) echo 9105;; esac
}

stop() {
  scripts/prometheus.sh stop  # if `make run PROMETHEUS=1` started one; nothing otherwise
  local pids=()
  for s in gateway $SERVICES; do
    if alive "$s"; then
      pid=$(cat "$VAR/run/$s.pid")
      kill -TERM "$pid" 2>/dev/null || true  # nameko finishes in-flight workers on SIGTERM
      pids+=("$pid")
    fi
    rm -f "$VAR/run/$s.pid"
  done
  for _ in $(seq 1 40); do
    local left=0
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && left=1; done
    [ $left = 0 ] && break
    sleep 0.25
  done
  for pid in "${pids[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
  [ ${#pids[@]} -gt 0 ] && echo "laomo: stopped ${#pids[@]} process(es)"
  return 0
}

status() {
  for s in $SERVICES gateway; do
    if alive "$s"; then echo "$s: running (pid $(cat "$VAR/run/$s.pid"))"; else echo "$s: stopped"; fi
  done
}

case "${1:-}" in
  run)
    start
    trap 'echo; stop; exit 0' INT TERM
    echo "laomo: Ctrl-C (or 'make stop' elsewhere) stops everything"
    while true; do
      for s in $SERVICES gateway; do
        if ! alive "$s"; then
          [ -f "$VAR/run/$s.pid" ] || exit 0  # stopped by 'make stop'
          echo "laomo: $s exited; see $VAR/log/$s.log" >&2
          stop; exit 1
        fi
      done
      sleep 1 & wait $! || true  # a trapped signal ends 'wait' at once, not after the sleep
    done
    ;;
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: $0 run|start|stop|status" >&2; exit 2 ;;
esac
