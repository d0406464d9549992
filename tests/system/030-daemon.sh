# The daemon under a fake systemd: READY, STATUS and WATCHDOG on the
# notify socket; converges; SIGHUP with a valid config applies it, with an
# invalid one keeps the old (error logged, nothing deleted); SIGUSR1 runs a
# pass now; an idle daemon uses no CPU; SIGTERM exits 0 within 5 s.
source "$(dirname "$0")/lib.sh"
start_emulator "$DEMO_FIXTURE"
write_config c.yaml <<'YAML'
version: 1
interval: 1s
max_tps: 100
models:
  claude:
    product: prod-4pmewlybdftbs
    ous: [Workloads/Prod]
    accounts: ["444444444444"]
YAML
"$PYTHON" "$ROOT/tests/system/notify-listener.py" "$T/notify.sock" "$T/notify.log" &
LISTENER=$!
trap 'kill $LISTENER 2>/dev/null || true; kill ${DAEMON:-0} 2>/dev/null || true; cleanup' EXIT
for _ in $(seq 50); do [ -S "$T/notify.sock" ] && break; sleep 0.1; done
mkdir -p "$T/state"
NOTIFY_SOCKET=$T/notify.sock WATCHDOG_USEC=1000000 STATE_DIRECTORY=$T/state \
	"$LMGRANTD_BIN" --log stderr -c "$T/c.yaml" run --metrics "$T/metrics.prom" 2>"$T/daemon.err" &
DAEMON=$!

wait_for() { # wait_for SECONDS DESCRIPTION COMMAND...
	local secs=$1 what=$2
	shift 2
	for _ in $(seq $((secs * 10))); do
		if "$@" >/dev/null 2>&1; then return 0; fi
		sleep 0.1
	done
	echo "--- daemon stderr"; tail -20 "$T/daemon.err"; cat "$T/state/status.json" | head -5; echo "--- notify"; tail -5 "$T/notify.log"
	fail "timed out waiting for: $what"
}
active() { [ "$(state "[.grants[] | select(.parent_arn == .license_arn and (.status == \"ACTIVE\" or .status == \"WORKFLOW_COMPLETED\"))] | length")" = "$1" ]; }

wait_for 10 READY grep -q 'READY=1' "$T/notify.log"
wait_for 15 "2 active grants" active 2
wait_for 5 STATUS grep -q 'STATUS=in sync' "$T/notify.log"
wait_for 5 WATCHDOG grep -q 'WATCHDOG=1' "$T/notify.log"
[ -s "$T/state/status.json" ] || fail "no status.json"
STATE_DIRECTORY=$T/state expect_exit 0 "$LMGRANTD_BIN" status
assert_contains "$T/out" "last pass:"
STATE_DIRECTORY=$T/state expect_exit 0 "$LMGRANTD_BIN" status -o json
assert_eq "$(jq -r .result "$T/out")" in_sync "status result"
assert_contains "$T/metrics.prom" 'lmgrantd_passes_total{result="ok"}'
assert_contains "$T/metrics.prom" 'lmgrantd_grants{model="claude",status="ACTIVE"}'
assert_contains "$T/metrics.prom" 'lmgrantd_api_calls_total{operation="CreateGrant",error=""} 2'
assert_contains "$T/metrics.prom" 'lmgrantd_actions_total{action="activate",result="ok"} 2'
grep -q 'lmgrantd_last_success_timestamp_seconds [1-9]' "$T/metrics.prom" || fail "no last success timestamp"

# A valid new config: one more account.
sed -i 's/accounts: \["444444444444"\]/accounts: ["444444444444", "666666666666"]/' "$T/c.yaml"
kill -HUP "$DAEMON"
wait_for 15 "3 active grants after reload" active 3
grep -q 'RELOADING=1' "$T/notify.log" || fail "no RELOADING=1"

# An invalid config: rejected, the old one stays, nothing is deleted.
cp "$T/c.yaml" "$T/good.yaml"
printf 'version: 1\nmodels:\n  claude:\n    produkt: x\n' >"$T/c.yaml"
kill -HUP "$DAEMON"
wait_for 5 "rejection logged" grep -q 'rejected' "$T/daemon.err"
grep -q '4:5' "$T/daemon.err" || fail "rejection does not name line:column"
sleep 2.5
assert_eq "$(emu calls --count --op DeleteGrant)" 0 "deletes after an invalid reload"
kill -0 "$DAEMON" || fail "daemon exited on an invalid config"

# A long interval, then SIGUSR1 runs a pass at once.
sed 's/interval: 1s/interval: 1h/' "$T/good.yaml" >"$T/c.yaml"
kill -HUP "$DAEMON"
sleep 1.5
before=$(jq .pass "$T/state/status.json")
pass_after() { [ "$(jq .pass "$T/state/status.json")" -gt "$1" ]; }
sleep 1.5
assert_eq "$(jq .pass "$T/state/status.json")" "$before" "passes with a 1h interval"
kill -USR1 "$DAEMON"
wait_for 10 "a pass after SIGUSR1" pass_after "$before"

# Idle: no CPU over 5 s of sleep (watchdog pings only).
cpu() { awk '{print $14 + $15}' "/proc/$DAEMON/stat"; }
c0=$(cpu); sleep 5; c1=$(cpu)
[ $((c1 - c0)) -le 5 ] || fail "idle daemon used $((c1 - c0)) ticks of CPU in 5 s"

start=$(date +%s%N)
kill -TERM "$DAEMON"
rc=0; wait "$DAEMON" || rc=$?
elapsed=$(( ($(date +%s%N) - start) / 1000000 ))
assert_eq "$rc" 0 "exit status on SIGTERM"
[ "$elapsed" -lt 5000 ] || fail "took ${elapsed} ms to stop"
grep -q 'STOPPING=1' "$T/notify.log" || fail "no STOPPING=1"
echo "ok (stopped in ${elapsed} ms)"
