# SPEC §5: mode: observe and suspend. A daemon over 3 passes makes no
# write, journals each planned action (LMGRANTD_RESULT=planned) and says so
# in STATUS=, status and the metrics; after resume the next pass converges.
# An apply in mode: observe plans and journals but changes nothing either.
source "$(dirname "$0")/lib.sh"
start_emulator "$DEMO_FIXTURE"
write_config c.yaml <<'YAML'
version: 1
mode: observe
interval: 1s
models:
  claude:
    product: prod-4pmewlybdftbs
    accounts: ["222222222222", "333333333333"]
YAML

# apply under mode: observe: exit 0, the plan printed, no write.
expect_exit 0 lmg -c "$T/c.yaml" apply
assert_contains "$T/out" "+ create"
assert_contains "$T/out" "mode: observe: nothing was changed"
assert_eq "$(grep -c 'result=planned' "$T/err")" 3 "planned entries (2 creates + summary)"
assert_eq "$(writes)" 0 "writes of an observe apply"

"$PYTHON" "$ROOT/tests/system/notify-listener.py" "$T/notify.sock" "$T/notify.log" &
LISTENER=$!
trap 'kill $LISTENER 2>/dev/null || true; cleanup' EXIT
for _ in $(seq 50); do [ -S "$T/notify.sock" ] && break; sleep 0.1; done
export NOTIFY_SOCKET=$T/notify.sock
passes_at_least() { [ "$(daemon_pass)" -ge "$1" ]; }

# --- observe: 3 passes, 0 writes ---
start_daemon "$T/c.yaml" --metrics "$T/metrics.prom"
wait_for 20 "3 passes" passes_at_least 3
assert_eq "$(writes)" 0 "writes in mode: observe"
assert_eq "$(grep -c 'action=create result=planned' "$T/daemon.err")" "$(( $(grep -c 'pass [0-9]*: mode: observe' "$T/daemon.err") * 2 ))" "each planned create journaled every pass"
grep -q 'STATUS=mode observe: 2 changes planned, none made' "$T/notify.log" || { tail "$T/notify.log"; fail "STATUS= does not say observe"; }
assert_eq "$(jq -r .mode "$T/state/status.json")" observe "status.json mode"
assert_eq "$(jq -r .result "$T/state/status.json")" planned "status.json result"
assert_contains "$T/metrics.prom" "lmgrantd_suspended 1"
STATE_DIRECTORY=$T/state expect_exit 0 "$LMGRANTD_BIN" status
assert_contains "$T/out" "mode observe"
stop_daemon

# --- suspend: enforce mode, but suspended ---
sed -i '/^mode: observe$/d' "$T/c.yaml"
STATE_DIRECTORY=$T/state expect_exit 0 "$LMGRANTD_BIN" suspend --reason "change freeze INC-42"
[ -f "$T/state/suspended" ] || fail "no suspended file"
rm -f "$T/state/status.json"
: >"$T/daemon.err"
start_daemon "$T/c.yaml" --metrics "$T/metrics.prom"
wait_for 20 "3 passes" passes_at_least 3
assert_eq "$(writes)" 0 "writes while suspended"
[ "$(grep -c 'action=create result=planned' "$T/daemon.err")" -ge 6 ] || fail "planned creates not journaled each pass"
grep -q 'STATUS=suspended: change freeze INC-42; 2 changes planned, none made' "$T/notify.log" || fail "STATUS= does not say suspended"
assert_eq "$(jq -r .suspended "$T/state/status.json")" "change freeze INC-42" "status.json suspended"
assert_eq "$(jq -r .mode "$T/state/status.json")" enforce "status.json mode"
assert_contains "$T/metrics.prom" "lmgrantd_suspended 1"
STATE_DIRECTORY=$T/state expect_exit 0 "$LMGRANTD_BIN" status
assert_contains "$T/out" "suspended:  change freeze INC-42"

# --- resume: the next pass converges ---
STATE_DIRECTORY=$T/state expect_exit 0 "$LMGRANTD_BIN" resume
[ ! -e "$T/state/suspended" ] || fail "suspended file left after resume"
created() { [ "$(state '[.grants[] | select(.sub_grant | not) | select(.status != "DELETED")] | length')" = 2 ]; }
wait_for 15 "grants created after resume" created
emu advance >/dev/null
wait_for 15 "in sync after resume" sh -c "jq -e '.result == \"in_sync\" and .suspended == null' '$T/state/status.json'"
assert_eq "$(grants_in ACTIVE)" 2 "active grants after resume"
assert_contains "$T/metrics.prom" "lmgrantd_suspended 0"
stop_daemon
STATE_DIRECTORY=$T/state expect_exit 0 "$LMGRANTD_BIN" resume
assert_contains "$T/out" "was not suspended"
echo ok
