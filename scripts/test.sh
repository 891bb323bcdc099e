#!/usr/bin/env bash
# Installs what is missing (build tools and the real servers the tests talk to), builds,
# starts a throwaway PostgreSQL on 127.0.0.1:25432, and runs the whole suite with ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
BASTION_WITH_TEST_DEPS=1 scripts/install-deps.sh
tests/outside/install.sh
scripts/build.sh

pg=$PWD/scripts/postgres-test-server.sh
redis=$PWD/scripts/redis-test-server.sh
mc=$PWD/scripts/memcached-test-server.sh
cleanup() {
  "$pg" stop > /dev/null 2>&1 || true
  BASTION_PG_PORT=25433 BASTION_PG_DIR=/tmp/bastion-pg-restart-test "$pg" stop > /dev/null 2>&1 || true
  BASTION_PG_PORT=25434 BASTION_PG_DIR=/tmp/bastion-pg-contract "$pg" stop > /dev/null 2>&1 || true
  "$redis" stop > /dev/null 2>&1 || true
  "$mc" stop > /dev/null 2>&1 || true
}
trap cleanup EXIT
BASTION_TEST_POSTGRES_URL="$("$pg" start)"
export BASTION_TEST_POSTGRES_URL
export BASTION_TEST_POSTGRES_CTL="$pg"
BASTION_TEST_REDIS_URL="$("$redis" start)"
export BASTION_TEST_REDIS_URL
BASTION_TEST_MEMCACHED_URL="$("$mc" start)"
export BASTION_TEST_MEMCACHED_URL

cd build
ctest --output-on-failure --timeout 300 -j2 "$@"
