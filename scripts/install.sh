#!/usr/bin/env bash
# Creates .venv and installs the locked dependencies and Atende's own packages (idempotent).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
stamp=.venv/.installed
inputs=(requirements/lock.txt scripts/install.sh)

if [ -f "$stamp" ] && [ -z "$(find "${inputs[@]}" -newer "$stamp" 2>/dev/null)" ]; then
  exit 0
fi
# Some machines' pip configuration names index folders that do not exist; pip then warns once per
# package. Those lines say nothing about this project, so they are filtered out (real errors stay).
pip() { .venv/bin/python -m pip "$@" 2> >(grep -v "^WARNING: Location '.*' is ignored" >&2); }

[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
pip install --quiet --disable-pip-version-check -r requirements/lock.txt
# Our own packages are used in place: one path entry per package folder (what an editable install
# would do, without a build step). Path entries also win over the plain contracts/ and plumbing/
# folders that would otherwise shadow the packages when a command runs from the repository root.
site=$(.venv/bin/python -c 'import sysconfig; print(sysconfig.get_path("purelib"))')
{ for folder in contracts plumbing devstack services/*/; do echo "$PWD/${folder%/}"; done; } >"$site/atende.pth"
touch "$stamp"
echo "atende: .venv ready"
