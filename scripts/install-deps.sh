#!/usr/bin/env bash
# Installs, with apt-get, every Debian package Bastion builds, tests and benchmarks with.
# Idempotent: packages already present are skipped, so a second run costs a second.
set -euo pipefail

build_packages=(
  build-essential cmake pkg-config
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev libboost-system1.81-dev
  libssl-dev libsodium-dev libsqlite3-dev libpq-dev
  libhiredis-dev
  libmemcached-dev
  libspdlog-dev libfmt-dev libtomlplusplus-dev libcli11-dev libkainjow-mustache-dev
  libgtest-dev libgmock-dev libbenchmark-dev
)
# Real servers and tools the test suite starts on loopback (tests/outside: nginx, Chromium,
# testssl.sh, and Node.js for the npm-installed scanners).
test_packages=(
  postgresql curl python3 procps
  redis-server
  memcached
  nginx-light chromium testssl.sh openssl nodejs
)
# NodeSource's nodejs ships npm itself and conflicts with Debian's npm package.
command -v npm > /dev/null || test_packages+=(npm)

# The load benchmark (bench/load.sh).
bench_packages=(
  wrk curl python3 util-linux
)

missing=()
for p in "${build_packages[@]}" ${BASTION_WITH_TEST_DEPS:+"${test_packages[@]}"} \
         ${BASTION_WITH_BENCH_DEPS:+"${bench_packages[@]}"}; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if ((${#missing[@]})); then
  echo "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
