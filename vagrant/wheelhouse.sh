#!/usr/bin/env bash
# Builds the wheelhouse the lab VMs install switch-agent from, offline: the project's wheel
# (with the mypyc-compiled SSH-2 modules when the host's Python is 3.11 like the VMs', else the
# pure one) and binary wheels of every dependency for the VMs' CPython 3.11 on x86_64, and pip
# itself (the VMs run it from its wheel: no ensurepip, no network).
#
#   vagrant/wheelhouse.sh [DIR]        # DIR defaults to vagrant/wheelhouse; ~60 s, instant when current
#
# Idempotent: the project wheel is rebuilt only when the sources or the packaging change (a
# stamp in DIR), the dependencies only when they are missing.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
project=$(cd "$here/.." && pwd)
out=$(mkdir -p "${1:-$here/wheelhouse}" && cd "${1:-$here/wheelhouse}" && pwd)

python=$project/.venv/bin/python
[ -x "$python" ] || python=python3
"$python" -m pip --version >/dev/null 2>&1 || { echo "wheelhouse: $python has no pip (run scripts/setup.sh)" >&2; exit 1; }
pyver=$("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')

# What the project wheel is made of: the package sources and the packaging.
sources=$(cd "$project" && { echo "$pyver"; cat pyproject.toml setup.py; git ls-files -co --exclude-standard agent 2>/dev/null | grep -E '\.(py|yaml|txt)$' | sort | xargs cat; } | sha256sum | cut -c1-16)
if [ "$(cat "$out/.project-stamp" 2>/dev/null || true)" != "$sources" ] || ! ls "$out"/switch_agent-*.whl >/dev/null 2>&1; then
  rm -f "$out"/switch_agent-*.whl
  build=$(mktemp -d)
  trap 'rm -rf "$build"' EXIT
  # Build from a copy: the working tree keeps its own (editable) compiled modules.
  (cd "$project" && git ls-files -co --exclude-standard | grep -v '^vagrant/' | tar -cf - -T -) | tar -C "$build" -xf -
  if [ "$pyver" = 3.11 ]; then
    echo "wheelhouse: building switch-agent (compiled modules for CPython 3.11)"
  else
    echo "wheelhouse: host Python is $pyver, the VMs have 3.11: building the pure switch-agent wheel"
    export SWITCH_AGENT_PURE=1
  fi
  "$python" -m pip wheel -q --no-deps -w "$out" "$build" > "$out/.build.log" 2>&1 ||
    { cat "$out/.build.log" >&2; echo "wheelhouse: the switch-agent wheel was not built" >&2; exit 1; }
  echo "$sources" > "$out/.project-stamp"
fi

# The dependencies, as binary wheels for the VMs' interpreter (pip resolves them from the
# project wheel's metadata).
"$python" -m pip download -q --only-binary=:all: --implementation cp --python-version 3.11 \
  --abi cp311 --abi abi3 --abi none \
  --platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64 \
  --platform linux_x86_64 --platform any \
  -d "$out" pip "$(ls "$out"/switch_agent-*.whl)" > "$out/.download.log" 2>&1 ||
  { cat "$out/.download.log" >&2; echo "wheelhouse: dependency wheels could not be downloaded" >&2; exit 1; }
count=$(ls "$out"/*.whl | wc -l)
echo "wheelhouse: $out ($count wheels, $(du -sm "$out" | cut -f1) MB)"
