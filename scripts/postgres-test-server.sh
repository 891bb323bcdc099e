#!/usr/bin/env bash
# A throwaway PostgreSQL 15 for the test suite, on loopback only.
#
#   scripts/postgres-test-server.sh start|stop|status
#
# `start` is idempotent and prints the URL to export as BASTION_TEST_POSTGRES_URL.
# Overridable: BASTION_PG_DIR (data, socket and log; default /tmp/bastion-pg),
# BASTION_PG_PORT (default 25432), BASTION_PG_BIN (default /usr/lib/postgresql/15/bin).
# Test servers listen below 32768, outside Linux's ephemeral range, so an outgoing
# connection elsewhere in the suite can never hold the port a server wants to bind.
# Run as root, the server runs as the `postgres` user; otherwise as the caller.
set -euo pipefail

pg_bin=${BASTION_PG_BIN:-/usr/lib/postgresql/15/bin}
pg_dir=${BASTION_PG_DIR:-/tmp/bastion-pg}
pg_port=${BASTION_PG_PORT:-25432}
data=$pg_dir/data
url="postgresql://bastion:bastion@127.0.0.1:${pg_port}/bastion_test"

as_owner() {
  # PostgreSQL refuses to run as root.
  if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}
running() { as_owner "$pg_bin/pg_ctl" status -D "$data" >/dev/null 2>&1; }
psql_admin() {
  as_owner "$pg_bin/psql" -X -q -v ON_ERROR_STOP=1 -h "$pg_dir" -p "$pg_port" -U postgres -d postgres "$@"
}

start() {
  mkdir -p "$pg_dir"
  [[ $(id -u) -eq 0 ]] && chown postgres: "$pg_dir"
  cd "$pg_dir"  # the server user may not be able to read the caller's directory
  if [[ ! -f $data/PG_VERSION ]]; then
    as_owner "$pg_bin/initdb" -D "$data" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
      --encoding=UTF8 --locale=C.UTF-8 >"$pg_dir/initdb.log" 2>&1 ||
      { cat "$pg_dir/initdb.log" >&2; exit 1; }
  fi
  if ! running; then
    # Durability is pointless for a throwaway server; speed is not.
    as_owner "$pg_bin/pg_ctl" start -D "$data" -l "$pg_dir/server.log" -w -t 60 -o \
      "-c listen_addresses=127.0.0.1 -p $pg_port -c unix_socket_directories=$pg_dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
      >/dev/null || { tail -n 20 "$pg_dir/server.log" >&2; exit 1; }
  fi
  # pg_ctl -w returns once the postmaster is up; give it a moment more to accept logins.
  local tries=0
  until as_owner "$pg_bin/pg_isready" -q -h "$pg_dir" -p "$pg_port"; do
    (( ++tries < 50 )) || { echo "PostgreSQL on port $pg_port does not accept connections" >&2;
                            tail -n 20 "$pg_dir/server.log" >&2; exit 1; }
    sleep 0.2
  done
  psql_admin <<'SQL'
SELECT 'CREATE ROLE bastion LOGIN PASSWORD ''bastion'''
  WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'bastion') \gexec
SELECT 'CREATE DATABASE bastion_test OWNER bastion'
  WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = 'bastion_test') \gexec
SQL
  echo "$url"
}

stop() {
  if [[ -f $data/PG_VERSION ]] && running; then
    (cd "$pg_dir" && as_owner "$pg_bin/pg_ctl" stop -D "$data" -m fast -w -t 60 >/dev/null)
  fi
  echo "stopped"
}

status() {
  if [[ -f $data/PG_VERSION ]] && running; then
    echo "running $url"
  else
    echo "stopped"
    return 3
  fi
}

case ${1:-} in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
