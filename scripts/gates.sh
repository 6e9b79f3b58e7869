#!/usr/bin/env bash
# Static gates run before the tests (scripts/test.sh, so in CI): lint, strict types on agent/,
# and the import-linter contracts (layers point down; the fleet uses no emulator internals).
# Their settings live in pyproject.toml ([tool.ruff], [tool.mypy], [tool.importlinter]).
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/ruff check agent tests bench
.venv/bin/mypy
.venv/bin/lint-imports --no-cache
