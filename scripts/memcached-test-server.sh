#!/usr/bin/env bash
# A throwaway memcached for the test suite, on loopback only.
#
#   scripts/memcached-test-server.sh start|stop|status
#
# `start` is idempotent and prints the URL to export as BASTION_TEST_MEMCACHED_URL.
# Overridable: BASTION_MEMCACHED_PORT (default 21211), BASTION_MEMCACHED_DIR (pid file and
# log; default /tmp/bastion-memcached), BASTION_MEMCACHED_BIN (default: memcached on PATH).
set -euo pipefail

bin=${BASTION_MEMCACHED_BIN:-memcached}
port=${BASTION_MEMCACHED_PORT:-21211}
dir=${BASTION_MEMCACHED_DIR:-/tmp/bastion-memcached}
pidfile=$dir/memcached-$port.pid
log=$dir/memcached-$port.log
url="memcached://127.0.0.1:${port}"

running() { [[ -f $pidfile ]] && kill -0 "$(cat "$pidfile")" 2>/dev/null; }

# True once the server answers a `version` request.
answers() {
  (
    exec 3<>"/dev/tcp/127.0.0.1/$port" || exit 1
    printf 'version\r\n' >&3
    line=""
    read -r -t 1 line <&3 || true
    [[ $line == VERSION* ]]
  ) 2>/dev/null
}

start() {
  mkdir -p "$dir"
  if ! running; then
    rm -f "$pidfile"
    # memcached refuses to run as root unless told which user to be.
    local as_user=()
    [[ $(id -u) -eq 0 ]] && as_user=(-u root)
    "$bin" -d "${as_user[@]}" -l 127.0.0.1 -p "$port" -U 0 -m 64 -c 1024 -P "$pidfile" >"$log" 2>&1 ||
      { cat "$log" >&2; exit 1; }
  fi
  for _ in $(seq 100); do
    answers && { echo "$url"; return 0; }
    sleep 0.05
  done
  echo "memcached on 127.0.0.1:$port did not answer" >&2
  cat "$log" >&2 || true
  exit 1
}

stop() {
  if running; then
    local pid
    pid=$(cat "$pidfile")
    kill "$pid"
    for _ in $(seq 100); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.05
    done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
  fi
  rm -f "$pidfile"
  echo "stopped"
}

status() {
  if running; then
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
