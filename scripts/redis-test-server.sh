#!/usr/bin/env bash
# A throwaway Redis for the test suite, on loopback only, with no persistence.
#
#   scripts/redis-test-server.sh start|stop|status
#
# `start` is idempotent and prints the URL to export as BASTION_TEST_REDIS_URL.
# Overridable: BASTION_REDIS_DIR (pid file and log; default /tmp/bastion-redis),
# BASTION_REDIS_PORT (default 26379), BASTION_REDIS_SERVER (default redis-server).
set -euo pipefail

server=${BASTION_REDIS_SERVER:-redis-server}
dir=${BASTION_REDIS_DIR:-/tmp/bastion-redis}
port=${BASTION_REDIS_PORT:-26379}
pidfile=$dir/redis.pid
url="redis://127.0.0.1:${port}/0"

pid() { [[ -f $pidfile ]] && cat "$pidfile"; }
running() {
  local p
  p=$(pid) || return 1
  [[ -n $p ]] && kill -0 "$p" 2>/dev/null
}
answers() { [[ $(redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null) == PONG ]]; }

start() {
  mkdir -p "$dir"
  if ! running; then
    rm -f "$pidfile"
    # No RDB snapshots, no AOF: nothing the tests write needs to survive the server.
    "$server" --daemonize yes --bind 127.0.0.1 --port "$port" --dir "$dir" \
      --pidfile "$pidfile" --logfile "$dir/redis.log" \
      --save '' --appendonly no --protected-mode yes >/dev/null ||
      { tail -n 20 "$dir/redis.log" >&2 2>/dev/null; exit 1; }
  fi
  for _ in $(seq 1 100); do
    answers && { echo "$url"; return; }
    sleep 0.1
  done
  echo "redis-server on port $port did not answer" >&2
  tail -n 20 "$dir/redis.log" >&2 2>/dev/null || true
  exit 1
}

stop() {
  if running; then
    local p
    p=$(pid)
    kill "$p"
    for _ in $(seq 1 100); do
      kill -0 "$p" 2>/dev/null || break
      sleep 0.1
    done
    kill -0 "$p" 2>/dev/null && kill -9 "$p"
  fi
  rm -f "$pidfile"
  echo "stopped"
}

status() {
  if running && answers; then
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
