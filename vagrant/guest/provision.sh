#!/usr/bin/env bash
# Runs inside each VM (as root, from the Vagrantfile's provisioner): installs switch-agent from
# the wheelhouse the host synced to /opt/switch-agent/wheels (no network needed) and runs it as
# the switch-agent systemd service. Idempotent: the virtualenv is rebuilt only when the wheels
# change, and the unit is rewritten and restarted only when it changes.
#   provision.sh NAME PROFILE PORT      (the user and password are already in /etc/switch-agent/users)
set -euo pipefail
name=$1 profile=$2 port=$3
base=/opt/switch-agent
[ -f "$base/profiles/$profile.yaml" ] || { echo "provision: no profile $profile in $base/profiles" >&2; exit 1; }
[ -s /etc/switch-agent/users ] || { echo "provision: /etc/switch-agent/users is missing" >&2; exit 1; }
chmod 0600 /etc/switch-agent/users

wheels=$(cd "$base/wheels" && sha256sum -- *.whl | sha256sum | cut -c1-16)
if [ "$(cat "$base/venv/.wheels" 2>/dev/null || true)" != "$wheels" ]; then
  rm -rf "$base/venv"
  # pip comes from the wheelhouse too (run from its wheel), so python3-venv's ensurepip is not needed.
  python3 -m venv --without-pip "$base/venv"
  pip_wheel=$(ls "$base"/wheels/pip-*.whl | sort -V | tail -n1)
  "$base/venv/bin/python" "$pip_wheel/pip" install -q --no-index --find-links "$base/wheels" pip switch-agent
  echo "$wheels" > "$base/venv/.wheels"
  changed=1
fi

unit=/etc/systemd/system/switch-agent.service
new=$(cat <<UNIT
[Unit]
Description=switch-agent: emulated switch $name ($profile)
After=network-online.target
Wants=network-online.target

[Service]
# The users file (NAME:PASSWORD:LEVEL) reaches the service as a credential, readable by the
# service only (%d is its credentials folder): the password is on no command line and in no
# world-readable file.
LoadCredential=users:/etc/switch-agent/users
ExecStart=$base/venv/bin/switch-agent serve --profile $base/profiles/$profile.yaml --listen 0.0.0.0:$port --state /var/lib/switch-agent --users-file %d/users
StateDirectory=switch-agent
DynamicUser=yes
Restart=on-failure
RestartSec=1

[Install]
WantedBy=multi-user.target
UNIT
)
if [ "$(cat "$unit" 2>/dev/null || true)" != "$new" ]; then
  printf '%s\n' "$new" > "$unit"
  changed=1
fi
systemctl daemon-reload
systemctl enable -q switch-agent
if [ "${changed:-0}" = 1 ]; then systemctl restart switch-agent; else systemctl start switch-agent; fi

# Check the result, not an exit code: the switch must answer on its port.
for _ in $(seq 1 120); do
  if banner=$(timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$port && head -n 1 <&3" 2>/dev/null) && [[ "$banner" == SSH-* ]]; then
    echo "provision: $name ($profile) answers on port $port: ${banner%%$'\r'*}"
    exit 0
  fi
  sleep 1
done
echo "provision: switch-agent does not answer on port $port" >&2
systemctl status --no-pager switch-agent >&2 || true
journalctl -u switch-agent --no-pager -n 30 >&2 || true
exit 1
