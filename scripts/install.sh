#!/usr/bin/env bash
# Creates .venv and installs the locked dependencies and Atende's own packages (idempotent).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
stamp=.venv/.installed
inputs=(requirements/lock.txt contracts/pyproject.toml plumbing/pyproject.toml devstack/pyproject.toml services/*/pyproject.toml)

if [ -f "$stamp" ] && [ -z "$(find "${inputs[@]}" -newer "$stamp" 2>/dev/null)" ]; then
  exit 0
fi
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements/lock.txt
# Our own packages: editable, without dependencies (the lock already pinned them all). "compat"
# mode puts each package folder on sys.path, so running from the repo root (where contracts/ and
# plumbing/ are plain folders) still finds the real packages.
local_pkgs=(-e contracts -e plumbing -e devstack)
for service in services/*/; do local_pkgs+=(-e "${service%/}"); done
.venv/bin/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation \
  --config-settings editable_mode=compat "${local_pkgs[@]}"
touch "$stamp"
echo "atende: .venv ready"
