#!/usr/bin/env bash
# The main job: set up, start an emulated 3Com Switch 7906E on 127.0.0.1:2222 with a lab user,
# log into it once with OpenSSH to show it works, then keep serving until Ctrl+C.
# DEMO_ONCE=1 stops after the demonstration login (used by CI-like runs).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
PORT="${PORT:-2222}"
STATE="${STATE:-demo-state/sw1}"
PASSWORD="${SWITCH_AGENT_PASSWORD:-Lab-pass-1}"
mkdir -p "$STATE"
.venv/bin/switch-agent serve --profile device_profiles/3com-s7906e.yaml --listen "127.0.0.1:$PORT" \
  --state "$STATE" --user "admin:$PASSWORD:3" &
pid=$!
trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true' EXIT
for _ in $(seq 1 50); do
  (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break
  sleep 0.2
done
echo
echo "\$ ssh -p $PORT admin@127.0.0.1 display version"
sshpass -p "$PASSWORD" ssh -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR \
  -o PubkeyAuthentication=no -p "$PORT" admin@127.0.0.1 display version
echo
echo "The switch keeps running: ssh -p $PORT admin@127.0.0.1 (password: $PASSWORD). Ctrl+C stops it."
if [ "${DEMO_ONCE:-0}" = "1" ]; then exit 0; fi
wait $pid
