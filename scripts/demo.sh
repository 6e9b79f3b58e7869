#!/usr/bin/env bash
# The main job: set up, start a lab of 20 emulated 3Com Switch 7906E (16 SSH-2 + 4 SSH-1-only)
# on 127.0.0.1, push the templates/ examples to all of them with the fleet controller (progress
# bar, summary table, JSON report), push again to show nothing changes, then stop the lab.
# Everything lives in a temporary folder that is removed at the end. Exit 0 on success.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
PY=.venv/bin/python
COUNT="${COUNT:-20}"
SSH1="${SSH1_COUNT:-4}"
export SWITCH_AGENT_PASSWORD="${SWITCH_AGENT_PASSWORD:-Lab-pass-1}"
OPS_PASSWORD="${OPS_PASSWORD:-Ops-pass-1}"
WORK="$(mktemp -d -t switch-agent-demo.XXXXXX)"
# Host keys learned by the controller stay with this lab (its ports and keys are new each run).
export SWITCH_AGENT_KNOWN_HOSTS="$WORK/known_hosts"
lab_pid=""
cleanup() {
  if [ -n "$lab_pid" ]; then kill -TERM "$lab_pid" 2>/dev/null || true; wait "$lab_pid" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

cat > "$WORK/lab-spec.yaml" <<SPEC
devices:
  - {profile: $PWD/device_profiles/3com-s7906e.yaml, count: $((COUNT - SSH1))}
  - {profile: $PWD/device_profiles/3com-s7906e-ssh1.yaml, count: $SSH1}
SPEC

echo "\$ switch-agent lab --spec lab-spec.yaml --listen 127.0.0.1:0 --state STATE --inventory lab.yaml --user admin:3   # password from \$SWITCH_AGENT_PASSWORD"
"$PY" -m agent lab --spec "$WORK/lab-spec.yaml" --listen 127.0.0.1:0 --state "$WORK/state" \
  --inventory "$WORK/lab.yaml" --user admin:3 >"$WORK/lab.log" 2>&1 &
lab_pid=$!
for _ in $(seq 1 150); do
  grep -q "^lab ready" "$WORK/lab.log" && break
  kill -0 "$lab_pid" 2>/dev/null || { cat "$WORK/lab.log" >&2; exit 1; }
  sleep 0.2
done
grep "^lab ready" "$WORK/lab.log" || { echo "the lab did not start" >&2; cat "$WORK/lab.log" >&2; exit 1; }

echo
echo "\$ switch-agent fleet push templates/ -i lab.yaml --var ops_password=*** --report report.json"
"$PY" -m agent fleet push templates/ -i "$WORK/lab.yaml" --var "ops_password=$OPS_PASSWORD" \
  --report "$WORK/report.json"
echo
echo "\$ cat report.json   (summary; one entry per device under \"devices\")"
"$PY" - "$WORK/report.json" <<'PYEOF'
import json, sys
report = json.load(open(sys.argv[1]))
print(json.dumps(report["devices"][0], indent=2))
print(json.dumps(report["summary"], indent=2))
PYEOF

echo
echo "\$ switch-agent fleet push templates/ -i lab.yaml   (again: idempotent, nothing to change)"
"$PY" -m agent fleet push templates/ -i "$WORK/lab.yaml" --var "ops_password=$OPS_PASSWORD" --no-progress \
  --report "$WORK/report2.json" >/dev/null
"$PY" - "$WORK/report2.json" <<'PYEOF'
import json, sys
s = json.load(open(sys.argv[1]))["summary"]
print(f"{s['total']} devices: {s['changed']} changed, {s['failed']} failed")
sys.exit(0 if s["changed"] == 0 and s["failed"] == 0 else 1)
PYEOF
echo
echo "stopping the lab"
