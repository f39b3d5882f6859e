#!/usr/bin/env bash
# Installs the npm packages of one test folder (`npm ci`, again only when its
# package-lock.json has changed since the last install), for the tests that
# run node scripts: tests/clients (tests/api/clients.rs) and tests/federation
# (tests/api/federation.rs). Fails with the reason when it cannot; the tests
# that call it never skip.
#
# usage: npm-prepare.sh PACKAGE_DIR SCRATCH_DIR
#   PACKAGE_DIR  the folder with package.json and package-lock.json
#   SCRATCH_DIR  a directory for the lock and the logs, e.g. target/tmp
set -euo pipefail
here="$(cd "${1:?usage: npm-prepare.sh PACKAGE_DIR SCRATCH_DIR}" && pwd)"
scratch="${2:?usage: npm-prepare.sh PACKAGE_DIR SCRATCH_DIR}"
name="$(basename "$here")"
mkdir -p "$scratch"
# One installation per folder at a time (tests of one run may call this concurrently).
exec 9>"$scratch/$name-prepare.lock"
flock 9
command -v node >/dev/null || { echo "the tests of tests/$name need node (Debian: apt-get install -y nodejs npm)" >&2; exit 1; }
command -v npm >/dev/null || { echo "the tests of tests/$name need npm (Debian: apt-get install -y npm)" >&2; exit 1; }
stamp="$here/node_modules/.newsgraph-installed-lock.json"
if ! cmp -s "$here/package-lock.json" "$stamp"; then
  log="$scratch/$name-npm.log"
  (cd "$here" && npm ci --ignore-scripts --no-audit --no-fund --prefer-offline --loglevel=error) >"$log" 2>&1 || {
    echo "npm ci in tests/$name failed (log: $log):" >&2
    tail -n 15 "$log" >&2
    exit 1
  }
  cp "$here/package-lock.json" "$stamp"
fi
