#!/usr/bin/env bash
# Makes sure the Python example tests can run: a virtual environment under
# SCRATCH_DIR with the packages of requirements.txt (pip install from PyPI,
# again only when requirements.txt has changed since the last install). Prints
# the environment's python. Fails with the reason when it cannot; the tests
# that call it never skip.
#
# usage: prepare.sh SCRATCH_DIR   (a directory for the environment and the logs, e.g. target/tmp)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
scratch="${1:?usage: prepare.sh SCRATCH_DIR}"
mkdir -p "$scratch"

# One preparation at a time (tests of one run may call this concurrently).
exec 9>"$scratch/python-prepare.lock"
flock 9

command -v python3 >/dev/null || { echo "the Python example tests need python3 (Debian: apt-get install -y python3 python3-venv)" >&2; exit 1; }
venv="$scratch/python-venv"
log="$scratch/python-pip.log"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv" >"$log" 2>&1 || {
    echo "python3 -m venv failed (Debian: apt-get install -y python3-venv; log: $log):" >&2
    tail -n 15 "$log" >&2
    exit 1
  }
fi
stamp="$venv/.newsgraph-requirements.txt"
if ! cmp -s "$here/requirements.txt" "$stamp"; then
  echo "installing the Python example's packages (pip install -r tests/python/requirements.txt)" >&2
  "$venv/bin/python" -m pip install --disable-pip-version-check -q -r "$here/requirements.txt" >"$log" 2>&1 || {
    echo "pip install failed (log: $log):" >&2
    tail -n 15 "$log" >&2
    exit 1
  }
  cp "$here/requirements.txt" "$stamp"
fi
echo "$venv/bin/python"
