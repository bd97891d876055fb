#!/usr/bin/env bash
# A throwaway PostgreSQL cluster under var/postgres, on loopback only, for tests and trials.
# Usage: scripts/postgres.sh start|stop|uri [DBNAME]|createdb DBNAME
# Port: LAOMO_PG_PORT (5433). Uses the machine's PostgreSQL server binaries (Debian's postgresql-15).
set -euo pipefail
cd "$(dirname "$0")/.."
BASE=$PWD/var/postgres
DATA=$BASE/data
PORT=${LAOMO_PG_PORT:-5433}
BIN=${LAOMO_PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}

fail() { echo "laomo: PostgreSQL: $*" >&2; exit 1; }

# the server refuses to run as root: run it as the 'postgres' user then
as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

install_if_missing() {
  [ -n "$BIN" ] && [ -x "$BIN/initdb" ] && return 0
  [ "$(id -u)" = 0 ] || fail "no PostgreSQL server binaries; run: sudo apt-get install -y postgresql"
  echo "laomo: installing Debian's postgresql (once)"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null) \
    || fail "apt-get could not install postgresql"
  BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
}

start() {
  install_if_missing
  mkdir -p "$BASE/run"
  [ "$(id -u)" = 0 ] && chown -R postgres "$BASE"
  if [ ! -f "$DATA/PG_VERSION" ]; then
    as_owner "$BIN/initdb" -D "$DATA" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null \
      || fail "initdb failed in $DATA"
  fi
  if as_owner "$BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1; then
    echo "laomo: PostgreSQL already running on 127.0.0.1:$PORT"
    return 0
  fi
  as_owner "$BIN/pg_ctl" -D "$DATA" -l "$BASE/postgres.log" -w -t 60 \
    -o "-p $PORT -c listen_addresses=127.0.0.1 -k $BASE/run -c fsync=off -c max_connections=200" start >/dev/null \
    || fail "the server did not start; see $BASE/postgres.log (port $PORT taken? set LAOMO_PG_PORT)"
  echo "laomo: PostgreSQL ready on 127.0.0.1:$PORT"
}

stop() {
  if [ -f "$DATA/PG_VERSION" ] && as_owner "$BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1; then
    as_owner "$BIN/pg_ctl" -D "$DATA" -m fast stop >/dev/null && echo "laomo: PostgreSQL stopped"
  fi
  return 0
}

createdb() {
  local name=$1
  "$BIN/psql" -h 127.0.0.1 -p "$PORT" -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname='$name'" | grep -q 1 \
    || "$BIN/psql" -h 127.0.0.1 -p "$PORT" -U postgres -qc "CREATE DATABASE \"$name\""
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  uri) echo "postgresql://postgres@127.0.0.1:$PORT/${2:-postgres}" ;;
  createdb) createdb "${2:?database name}" ;;
  *) echo "usage: $0 start|stop|uri [DBNAME]|createdb DBNAME" >&2; exit 2 ;;
esac
