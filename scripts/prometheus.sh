#!/usr/bin/env bash
# A project-local Prometheus that scrapes the suite `make run` starts and loads deploy/prometheus/alerts.yml.
# Usage: scripts/prometheus.sh install|start|stop|status|config|url
#   install  Debian's prometheus package (prometheus and promtool), once; never leaves a system Prometheus running
#   config   write (and print the path of) the scrape config, from the same environment the suite reads
#   start    config, then a Prometheus in the background, on loopback only; `stop` ends it
# Settings: LAOMO_PROMETHEUS_ADDRESS (127.0.0.1:9090), LAOMO_SCRAPE_INTERVAL (15s), LAOMO_VAR (var/: config,
# data, log and pid under $LAOMO_VAR/prometheus); targets: <NAME>_METRICS_PORT (9101..9105), GATEWAY_ADDRESS
# (127.0.0.1:8000), as scripts/suite.sh and services/*/config.yml read them.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
VAR=${LAOMO_VAR:-var}
BASE=$VAR/prometheus
ADDRESS=${LAOMO_PROMETHEUS_ADDRESS:-127.0.0.1:9090}
INTERVAL=${LAOMO_SCRAPE_INTERVAL:-15s}
GATEWAY_ADDRESS=${GATEWAY_ADDRESS:-127.0.0.1:8000}
RULES=$ROOT/deploy/prometheus/alerts.yml
SERVICES="registry:9101 nomination:9102 welfare:9103 association:9104 volunteer:9105"

fail() { echo "laomo: Prometheus: $*" >&2; exit 1; }

install_if_missing() {
  [ -x /usr/bin/prometheus ] && [ -x /usr/bin/promtool ] && return 0
  [ "$(id -u)" = 0 ] || fail "prometheus is not installed and we are not root; run: sudo apt-get install -y --no-install-recommends prometheus"
  echo "laomo: installing Debian's prometheus package (once)"
  export DEBIAN_FRONTEND=noninteractive
  # The package's postinst starts its own daemon (invoke-rc.d, or systemd when it runs), listening on *:9090 with
  # /etc/prometheus/prometheus.yml. A policy-rc.d that answers 101 ("action forbidden") stops both from doing so;
  # ours is put in place only when the machine has none, and removed afterwards.
  local policy=/usr/sbin/policy-rc.d own_policy=""
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\n# laomo: scripts/prometheus.sh install (temporary)\nexit 101\n' > "$policy"
    chmod 755 "$policy"
    own_policy=1
    trap 'rm -f /usr/sbin/policy-rc.d' EXIT  # even when apt-get is interrupted
  fi
  local status=0
  (apt-get update -qq && apt-get install -y -qq --no-install-recommends prometheus >/dev/null) || status=$?
  if [ -n "$own_policy" ]; then rm -f "$policy"; trap - EXIT; fi
  [ $status = 0 ] \
    || fail "apt-get could not install prometheus; check the package mirror and run: apt-get install -y --no-install-recommends prometheus"
  # nor at the next boot: this machine's Prometheus is the project-local one `make run PROMETHEUS=1` starts
  if [ -d /run/systemd/system ]; then
    systemctl disable --now prometheus >/dev/null 2>&1 || true
  else
    update-rc.d prometheus disable >/dev/null 2>&1 || true
    /etc/init.d/prometheus stop >/dev/null 2>&1 || true
  fi
}

upper() { tr '[:lower:]' '[:upper:]' <<< "$1"; }

config() {
  mkdir -p "$BASE"
  {
    echo "# Written by scripts/prometheus.sh from the environment; rewritten at every start. Do not edit."
    echo "global:"
    echo "  scrape_interval: $INTERVAL"
    echo "  evaluation_interval: $INTERVAL"
    echo "  scrape_timeout: $(timeout_of "$INTERVAL")"
    echo "rule_files:"
    echo "  - $RULES"
    echo "scrape_configs:"
    for entry in $SERVICES; do
      local name=${entry%%:*} default_port=${entry##*:}
      local port_var
      port_var="$(upper "$name")_METRICS_PORT"
      echo "  - job_name: $name"
      echo "    static_configs:"
      echo "      - targets: ['127.0.0.1:${!port_var:-$default_port}']"
    done
    echo "  - job_name: gateway"
    echo "    metrics_path: /metrics"
    echo "    static_configs:"
    echo "      - targets: ['$GATEWAY_ADDRESS']"
  } > "$BASE/prometheus.yml"
}

# a scrape must end before the next begins: the interval, capped at Prometheus's default 10s
timeout_of() {
  local seconds
  case $1 in
    *ms) echo "$1"; return ;;
    *s) seconds=${1%s} ;;
    *m) seconds=$(( ${1%m} * 60 )) ;;
    *) echo 10s; return ;;
  esac
  if [ "$seconds" -lt 10 ] 2>/dev/null; then echo "${seconds}s"; else echo 10s; fi
}

alive() { [ -f "$BASE/prometheus.pid" ] && kill -0 "$(cat "$BASE/prometheus.pid")" 2>/dev/null; }

ready() { curl -fs "http://$ADDRESS/-/ready" >/dev/null 2>&1; }

start() {
  install_if_missing
  config
  if alive; then
    kill -HUP "$(cat "$BASE/prometheus.pid")"  # reload: the config just written, the rules as they are now
    echo "laomo: Prometheus already running (pid $(cat "$BASE/prometheus.pid")) on http://$ADDRESS; config reloaded"
    return 0
  fi
  case $ADDRESS in
    127.*|localhost:*|\[::1\]:*) ;;
    *) fail "LAOMO_PROMETHEUS_ADDRESS=$ADDRESS is not a loopback address; this Prometheus is for this machine only" ;;
  esac
  if curl -s -o /dev/null "http://$ADDRESS/" 2>/dev/null; then
    fail "something already answers on $ADDRESS (a system Prometheus?); stop it or set LAOMO_PROMETHEUS_ADDRESS"
  fi
  /usr/bin/promtool check config "$BASE/prometheus.yml" >"$BASE/check.log" 2>&1 \
    || fail "the generated config does not pass promtool; see $BASE/check.log"
  mkdir -p "$BASE/data"
  # its own process group: a Ctrl-C meant for `make run` reaches it through `make stop`, not half-way
  setsid /usr/bin/prometheus --config.file="$BASE/prometheus.yml" --storage.tsdb.path="$BASE/data" \
    --storage.tsdb.retention.time=15d --web.listen-address="$ADDRESS" \
    --web.console.templates=/etc/prometheus/consoles --web.console.libraries=/etc/prometheus/console_libraries \
    >>"$BASE/prometheus.log" 2>&1 < /dev/null &
  echo $! > "$BASE/prometheus.pid"
  for _ in $(seq 1 120); do
    if ready; then
      echo "laomo: Prometheus on http://$ADDRESS (targets http://$ADDRESS/targets, alerts http://$ADDRESS/alerts; every $INTERVAL, data $BASE/data)"
      return 0
    fi
    alive || { tail -5 "$BASE/prometheus.log" >&2; fail "prometheus exited while starting; see $BASE/prometheus.log"; }
    sleep 0.5
  done
  stop
  fail "not ready within 60 s; see $BASE/prometheus.log"
}

stop() {
  if alive; then
    local pid
    pid=$(cat "$BASE/prometheus.pid")
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    kill -KILL "$pid" 2>/dev/null || true
    echo "laomo: Prometheus stopped"
  fi
  rm -f "$BASE/prometheus.pid"
}

case "${1:-}" in
  install) install_if_missing ;;
  config) config; echo "$BASE/prometheus.yml" ;;
  start) start ;;
  stop) stop ;;
  status) alive && ready && echo "prometheus: running on http://$ADDRESS" || { echo "prometheus: stopped"; exit 1; } ;;
  url) echo "http://$ADDRESS" ;;
  *) echo "usage: $0 install|start|stop|status|config|url" >&2; exit 2 ;;
esac
