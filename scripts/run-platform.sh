#!/usr/bin/env bash
# Installs what is missing, builds, creates the database and serves the platform on
# http://127.0.0.1:8080 with the embedded defaults: development mode, SQLite in
# instance/platform.db, in-memory rate limits. Stop it with Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh --target bastion-platform
export APP_ENV="${APP_ENV:-development}"
build/bastion-platform init-db
exec build/bastion-platform serve
