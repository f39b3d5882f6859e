#!/usr/bin/env bash
# Makes sure the browser tests can run: Debian's chromium at $CHROMIUM
# (default /usr/bin/chromium; installed with apt-get when missing) and this
# directory's npm packages (`npm ci`, again only when package-lock.json has
# changed since the last install). Fails with the reason when it cannot;
# the tests that call it never skip.
#
# usage: prepare.sh SCRATCH_DIR   (a directory for the lock and the logs, e.g. target/tmp)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
scratch="${1:?usage: prepare.sh SCRATCH_DIR}"
chromium="${CHROMIUM:-/usr/bin/chromium}"
mkdir -p "$scratch"

# One preparation at a time (tests of one run may call this concurrently).
exec 9>"$scratch/browser-prepare.lock"
flock 9

if [ ! -x "$chromium" ]; then
  if [ "$chromium" != /usr/bin/chromium ]; then
    echo "CHROMIUM=$chromium is not an executable" >&2
    exit 1
  fi
  command -v apt-get >/dev/null || { echo "chromium is missing and there is no apt-get to install it" >&2; exit 1; }
  if [ "$(id -u)" != 0 ]; then
    echo "chromium is missing and installing it needs root: run \`sudo apt-get install -y chromium\`" >&2
    exit 1
  fi
  echo "installing Debian's chromium (apt-get install -y chromium)" >&2
  export DEBIAN_FRONTEND=noninteractive
  log="$scratch/browser-apt.log"
  if ! apt-get install -y --no-install-recommends chromium >"$log" 2>&1; then
    # The package lists may be missing or stale: refresh them once.
    apt-get update >>"$log" 2>&1 && apt-get install -y --no-install-recommends chromium >>"$log" 2>&1 || {
      echo "could not install chromium with apt-get (log: $log):" >&2
      tail -n 15 "$log" >&2
      exit 1
    }
  fi
  [ -x "$chromium" ] || { echo "apt-get installed chromium, but $chromium is still missing" >&2; exit 1; }
fi

command -v node >/dev/null || { echo "the browser tests need node (Debian: apt-get install -y nodejs npm)" >&2; exit 1; }
command -v npm >/dev/null || { echo "the browser tests need npm (Debian: apt-get install -y npm)" >&2; exit 1; }
stamp="$here/node_modules/.newsgraph-installed-lock.json"
if ! cmp -s "$here/package-lock.json" "$stamp"; then
  echo "installing the browser tests' npm packages (npm ci in tests/browser)" >&2
  log="$scratch/browser-npm.log"
  (cd "$here" && npm ci --ignore-scripts --no-audit --no-fund --prefer-offline --loglevel=error) >"$log" 2>&1 || {
    echo "npm ci in tests/browser failed (log: $log):" >&2
    tail -n 15 "$log" >&2
    exit 1
  }
  cp "$here/package-lock.json" "$stamp"
fi
