# SIGTERM during a pass (SPEC §5): the pass is `interrupted`, a notice and
# not a failure: no journal entry of priority err or worse, `status` says
# interrupted and exits 0, status.json keeps the last complete pass's
# per-model data, and the metrics do not count a failed pass.
source "$(dirname "$0")/journal-lib.sh"
source "$(dirname "$0")/lib.sh"
start_private_journald

start_emulator "$DEMO_FIXTURE"
write_config c.yaml <<'YAML'
version: 1
interval: 1h
models:
  claude:
    product: prod-4pmewlybdftbs
    ous: [Workloads/Prod]
    accounts: ["444444444444", "333333333333"]
  haiku:
    product: prod-5oba7y7jpji56
    accounts: ["666666666666"]
YAML
mkdir -p "$T/state"
# Default --log auto: the journal (its socket exists) and stderr.
STATE_DIRECTORY=$T/state "$LMGRANTD_BIN" -c "$T/c.yaml" run --metrics "$T/metrics.prom" 2>>"$T/daemon.err" &
DAEMON=$!
passes_at_least() { [ "$(daemon_pass)" -ge "$1" ]; }
writes_above() { [ "$(writes)" -gt "$1" ]; }
wait_for 20 "the first pass" passes_at_least 1
cp "$T/state/status.json" "$T/status-1.json"
assert_eq "$(jq -r .result "$T/status-1.json")" changed "first pass"
first_writes=$(writes)

# Pass 2 activates the three grants, but AWS takes one write every 20 s:
# the others wait in backoff when SIGTERM comes.
emu advance >/dev/null
emu config '{"throttle_write_rps": 0.05, "throttle_burst": 1}' >/dev/null
kill -USR1 "$DAEMON"
wait_for 20 "a write of the second pass" writes_above "$first_writes"
sleep 0.5
stop_daemon

# status: interrupted, exit 0; the models as the first (complete) pass saw them.
STATE_DIRECTORY=$T/state expect_exit 0 "$LMGRANTD_BIN" status
cat "$T/out"
assert_contains "$T/out" "interrupted"
assert_eq "$(jq -r .result "$T/state/status.json")" interrupted "status.json result"
assert_eq "$(jq -r .pass "$T/state/status.json")" 2 "status.json pass"
assert_eq "$(jq -r .models_pass "$T/state/status.json")" 1 "status.json models_pass"
assert_eq "$(jq -cS .models "$T/state/status.json")" "$(jq -cS .models "$T/status-1.json")" "models kept"
assert_eq "$(jq -r .format_version "$T/state/status.json")" 2 "format_version"

# The journal: the interrupted pass is a notice, nothing is an error.
journalctl --flush >/dev/null 2>&1 || true
sleep 0.5
journalctl --no-pager -o json SYSLOG_IDENTIFIER=lmgrantd >"$T/journal.json"
j() { jq -rs "$1" "$T/journal.json"; }
j '.[] | .PRIORITY + " " + .MESSAGE'
assert_eq "$(j '[.[] | select((.PRIORITY | tonumber) <= 3) | .MESSAGE] | join(" | ")')" "" "entries of priority err or worse"
assert_eq "$(j '[.[] | select(.LMGRANTD_ACTION == "pass" and .LMGRANTD_PASS == "2" and .MESSAGE_ID == "7745f74ce1cd4f98a0285a638284025a") | .LMGRANTD_RESULT + "/" + .PRIORITY] | join(",")')" \
	"interrupted/5" "summary of the interrupted pass"
assert_eq "$(j '[.[] | .LMGRANTD_COMMAND] | unique | join(",")')" run "LMGRANTD_COMMAND"
# Still on stderr too.
assert_contains "$T/daemon.err" "pass 2: interrupted"

# Metrics: the file of the last complete pass, no failed pass counted.
assert_contains "$T/metrics.prom" 'lmgrantd_passes_total{result="failed"} 0'
assert_contains "$T/metrics.prom" 'lmgrantd_passes_total{result="ok"} 1'
echo ok
