#!/usr/bin/env bash
# Idempotent set-up on Debian: the SSH/SNMP peers the tests drive (when run as root) and the
# project virtualenv in .venv. Safe to run again: it installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(openssh-client openssh-client-ssh1 sshpass putty-tools dropbear-bin snmp snmpd ssh-audit redis-server rabbitmq-server)
# The Vagrant lab test (tests/vagrant): Vagrant with libvirt and QEMU, and what vagrant/build-box.sh
# builds the box with. Its libvirtd and virtlogd are started by vagrant/netns.sh, not by the packages.
APT_PACKAGES+=(vagrant vagrant-libvirt libvirt-daemon-system libvirt-clients qemu-system-x86 qemu-utils mmdebstrap e2fsprogs dnsmasq-base iptables rsync)

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" = "0" ]; then
    echo "setup: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    # The tests start the daemons they need (snmpd, redis-server, ...) on 127.0.0.1 ports of their
    # own. Debian's policy-rc.d interface keeps the packages from starting their system daemons
    # while they install, so nothing is left running and no daemon already there is touched.
    policy=/usr/sbin/policy-rc.d
    if [ ! -e "$policy" ]; then
      printf '#!/bin/sh\n# switch-agent setup: no daemon starts during this install\nexit 101\n' > "$policy"
      chmod 755 "$policy"
      trap 'rm -f "$policy"' EXIT
    fi
    apt-get update -qq >/dev/null
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    if grep -q "^# switch-agent setup" "$policy" 2>/dev/null; then rm -f "$policy"; trap - EXIT; fi
  else
    echo "setup: not root; missing Debian packages (tests that need them are skipped): ${missing[*]}" >&2
  fi
fi

PYTHON=""
for candidate in python3.13 python3.12 python3.11 python3; do
  if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    PYTHON="$candidate"; break
  fi
done
[ -n "$PYTHON" ] || { echo "setup: Python 3.11 or newer is required" >&2; exit 1; }

if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
  .venv/bin/pip install -q --upgrade pip
fi
stamp=.venv/.switch-agent-installed
# Re-install when the packaging or the sources of the compiled SSH-2 modules change (setup.py
# builds those with mypyc and records their hash; agent/native.py runs the sources on a mismatch).
want=$( (cat pyproject.toml setup.py; .venv/bin/python agent/native.py) | sha256sum | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "setup: installing the project and its Python dependencies into .venv"
  .venv/bin/pip install -q -e ".[test,celery]"
  echo "$want" > "$stamp"
fi
