#!/usr/bin/env bash
# Runs the static gates (scripts/gates.sh: ruff, mypy --strict, import-linter), then the whole
# test suite (unit, property-based, and interop tests against real clients on 127.0.0.1).
# Installs what it needs first. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/gates.sh
set +e
.venv/bin/python -m pytest -q -p no:cacheprovider "$@"
rc=$?
set -e
if [ "$rc" = "5" ]; then echo "no tests were collected" >&2; fi
exit "$rc"
