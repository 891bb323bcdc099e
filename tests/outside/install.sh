#!/usr/bin/env bash
# Installs the outside tools' npm packages into tests/outside/node_modules (quick when already there).
#
# --ignore-scripts: the MDN HTTP Observatory's postinstall downloads Chromium's HSTS preload list
# and IANA's TLD list from the internet, which the test machines cannot reach (and playwright-core
# needs no download: the tests drive Debian's /usr/bin/chromium). The scanner reads only the
# preload list (the TLD list serves its web API, which the tests do not use), so an empty list is
# written instead: it answers "not preloaded" to every lookup, which is the truth for a test site
# on localhost, and it affects nothing else the scanner grades.
set -euo pipefail
cd "$(dirname "$0")"

stamp=node_modules/.bastion-installed
if [[ ! -f $stamp || package.json -nt $stamp || package-lock.json -nt $stamp ]]; then
  npm install --ignore-scripts --no-audit --no-fund
  touch "$stamp"
fi

preload=node_modules/@mdn/mdn-http-observatory/conf/hsts-preload.json
[[ -s $preload ]] || echo '{}' > "$preload"
