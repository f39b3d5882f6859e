#!/usr/bin/env bash
# Installs this directory's npm packages (`npm ci`, again only when
# package-lock.json has changed) for the client tests (tests/api/clients.rs). Fails
# with the reason when it cannot; the test that calls it never skips.
#
# usage: prepare.sh SCRATCH_DIR   (a directory for the lock and the logs, e.g. target/tmp)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
scratch="${1:?usage: prepare.sh SCRATCH_DIR}"
mkdir -p "$scratch"
exec 9>"$scratch/clients-prepare.lock"
flock 9
command -v node >/dev/null || { echo "the client tests need node (Debian: apt-get install -y nodejs npm)" >&2; exit 1; }
command -v npm >/dev/null || { echo "the client tests need npm (Debian: apt-get install -y npm)" >&2; exit 1; }
stamp="$here/node_modules/.newsgraph-installed-lock.json"
if ! cmp -s "$here/package-lock.json" "$stamp"; then
  log="$scratch/clients-npm.log"
  (cd "$here" && npm ci --ignore-scripts --no-audit --no-fund --prefer-offline --loglevel=error) >"$log" 2>&1 || {
    echo "npm ci in tests/clients failed (log: $log):" >&2
    tail -n 15 "$log" >&2
    exit 1
  }
  cp "$here/package-lock.json" "$stamp"
fi
