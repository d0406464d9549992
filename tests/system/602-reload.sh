# SPEC §5: `lmgrantd reload` (the unit's ExecReload=) validates the file,
# signals the daemon and waits for its answer: exit 1 with the
# file:line:column errors when the daemon rejected it, 0 when it loaded it;
# STATUS= says which, and lmgrantd_config_last_reload_successful follows.
# The unit reloads with it, not with /bin/kill.
source "$(dirname "$0")/lib.sh"
UNIT=$ROOT/systemd/lmgrantd.service
grep -q '^ExecReload=/usr/local/bin/lmgrantd .*reload --pid \$MAINPID$' "$UNIT" || fail "ExecReload does not run lmgrantd reload --pid \$MAINPID"
if grep -q '^Exec.*/bin/kill' "$UNIT"; then fail "the unit still uses /bin/kill"; fi

start_emulator "$DEMO_FIXTURE"
write_config c.yaml <<'YAML'
version: 1
interval: 1h
models:
  claude:
    product: prod-4pmewlybdftbs
    accounts: ["222222222222"]
YAML
cp "$T/c.yaml" "$T/good.yaml"
mkdir -p "$T/state"
export STATE_DIRECTORY=$T/state

# No daemon: nothing to reload.
expect_exit 1 lmg -c "$T/c.yaml" reload
assert_contains "$T/err" "lmgrantd.pid"

"$PYTHON" "$ROOT/tests/system/notify-listener.py" "$T/notify.sock" "$T/notify.log" &
LISTENER=$!
trap 'kill $LISTENER 2>/dev/null || true; cleanup' EXIT
for _ in $(seq 50); do [ -S "$T/notify.sock" ] && break; sleep 0.1; done
NOTIFY_SOCKET=$T/notify.sock start_daemon "$T/c.yaml" --metrics "$T/metrics.prom"
wait_for 10 "first pass" test -s "$T/state/status.json"
wait_for 5 "pid file" test -s "$T/state/lmgrantd.pid"
assert_eq "$(cat "$T/state/lmgrantd.pid")" "$DAEMON" "pid file"
assert_contains "$T/metrics.prom" "lmgrantd_config_last_reload_successful 1"
assert_contains "$T/metrics.prom" "lmgrantd_config_info{sha256=\"$(sha256sum "$T/c.yaml" | cut -d' ' -f1)\",revision=\"\"} 1"

# A broken file: exit 1, the error with its line and column, STATUS= says rejected.
printf 'version: 1\nmodels:\n  claude:\n    produkt: x\n' >"$T/c.yaml"
expect_exit 1 lmg -c "$T/c.yaml" reload
assert_contains "$T/err" "c.yaml:4:5"
assert_contains "$T/err" "rejected"
grep -q "STATUS=config rejected: .*c.yaml:4:5" "$T/notify.log" || { tail -3 "$T/notify.log"; fail "STATUS= does not say rejected"; }
kill -0 "$DAEMON" || fail "the daemon exited on a rejected reload"
passes=$(daemon_pass)
kill -USR1 "$DAEMON"
pass_after() { [ "$(daemon_pass)" -gt "$1" ]; }
wait_for 10 "a pass" pass_after "$passes"
assert_contains "$T/metrics.prom" "lmgrantd_config_last_reload_successful 0"
assert_eq "$(jq -r '.models | keys | join(",")' "$T/state/status.json")" claude "the old config stays in force"

# A good one, with --pid as systemd passes it: exit 0, STATUS= says loaded.
sed 's/"222222222222"\]/"222222222222", "333333333333"]/' "$T/good.yaml" >"$T/c.yaml"
expect_exit 0 lmg -c "$T/c.yaml" reload --pid "$DAEMON"
assert_contains "$T/out" "loaded"
grep -q "STATUS=config loaded: 1 models" "$T/notify.log" || fail "STATUS= does not say loaded"
grants333() { [ "$(state '[.grants[] | select(.principal=="arn:aws:iam::333333333333:root")] | length')" -ge 1 ]; }
wait_for 10 "the new account's grant" grants333
wait_for 10 "metrics after the good reload" grep -q "lmgrantd_config_last_reload_successful 1" "$T/metrics.prom"

# A wrong --pid is refused without a signal to anyone.
if lmg -c "$T/c.yaml" reload --pid abc >"$T/out" 2>"$T/err"; then fail "reload --pid abc succeeded"; fi
assert_contains "$T/err" "--pid takes a process id"
stop_daemon
[ ! -e "$T/state/lmgrantd.pid" ] || fail "pid file left after exit"
echo ok
