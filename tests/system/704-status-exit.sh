# `lmgrantd status` exit codes (SPEC §1): 0 after a good pass, 1 when the
# last pass failed, 3 when no pass finished within 3 x interval (stale);
# status.json carries format_version and the interval it is judged by.
source "$(dirname "$0")/lib.sh"

start_emulator "$DEMO_FIXTURE"
write_config c.yaml <<'YAML'
version: 1
interval: 1h
models:
  claude:
    product: prod-4pmewlybdftbs
    accounts: ["444444444444"]
YAML
start_daemon "$T/c.yaml"
passes_at_least() { [ "$(daemon_pass)" -ge "$1" ]; }
wait_for 20 "the first pass" passes_at_least 1
st() { local want=$1; shift; STATE_DIRECTORY=$T/state expect_exit "$want" "$LMGRANTD_BIN" status "$@"; }
st 0
assert_eq "$(jq -r .format_version "$T/state/status.json")" 2 "format_version"
assert_eq "$(jq -r .interval_seconds "$T/state/status.json")" 3600 "interval_seconds"
st 0 -o json
assert_eq "$(jq -r .stale "$T/out")" false "stale"

# The next pass fails: AccessDenied on every read.
emu config '{"fail_rules": [{"operation": "ListReceivedLicenses", "nth": 1, "times": 0, "status": 400, "type": "AccessDeniedException"}]}' >/dev/null
kill -USR1 "$DAEMON"
wait_for 20 "the second pass" passes_at_least 2
stop_daemon
st 1
assert_contains "$T/out" "failed"

# Stale: the last pass finished more than 3 intervals ago (3 h 1 min).
old=$(date -u -d '-181 min' +%Y-%m-%dT%H:%M:%SZ)
jq --arg t "$old" '.finished = $t | .result = "in_sync"' "$T/state/status.json" >"$T/s.json"
mv "$T/s.json" "$T/state/status.json"
st 3
assert_contains "$T/out" "stale"
st 3 -o json
assert_eq "$(jq -r .stale "$T/out")" true "stale"
# Just inside 3 intervals: not stale.
recent=$(date -u -d '-179 min' +%Y-%m-%dT%H:%M:%SZ)
jq --arg t "$recent" '.finished = $t' "$T/state/status.json" >"$T/s.json"
mv "$T/s.json" "$T/state/status.json"
st 0
echo ok
