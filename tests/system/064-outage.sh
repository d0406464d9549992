# Issue 5, fault 5: the AWS endpoint goes away in the middle of a pass of
# `lmgrantd run` (the emulator is killed while grants are being created)
# and comes back a few seconds later with the state it had (restarted on
# the same port from a snapshot). The daemon keeps running through the
# failed passes, and the first pass after the outage converges: every
# declared grant exists once, none twice.
source "$(dirname "$0")/lib.sh"
"$PYTHON" "$EMU_DIR/genfixture.py" --licenses 1 --accounts 30 --ous 0 --seed 64 \
	--out "$T/f.json" 2>/dev/null
start_emulator "$T/f.json" --page-size 20
port=$(cat "$T/port")
accounts=$(jq -c '[.accounts[] | select(.id != "111111111111") | .id]' "$T/f.json")
printf 'version: 1\ninterval: 1s\nmax_tps: 5\nretry:\n  max_attempts: 3\nmodels:\n  m:\n    product: %s\n    accounts: %s\n' \
	"$(jq -r '.licenses[0].product_sku' "$T/f.json")" "$accounts" | write_config c.yaml
# Calls take 200 ms each and 5 are made a second: the first pass runs for
# about 6 s, long enough to cut it short even on a busy machine.
emu config '{"latency_ms": 200}' >/dev/null

start_daemon "$T/c.yaml"
creates_seen() { [ "$(emu calls --count --op CreateGrant)" -ge "$1" ]; }
wait_for 20 "the first creates" creates_seen 3
# Hold new requests back, let those in flight finish, keep the state, and
# kill the emulator: what it had committed is what the snapshot holds.
emu config '{"latency_ms": 10000}' >/dev/null
sleep 0.3
state_as_fixture "$T/f.json" >"$T/snapshot.json"
kill -KILL "$EMU_PID"
wait "$EMU_PID" 2>/dev/null || true
EMU_PID=""
before=$(jq '.grants | length' "$T/snapshot.json")
echo "killed the emulator with $before of 30 grants made"
[ "$before" -lt 30 ] || fail "the pass had finished before the outage"

# Down for 4 s: passes fail on connection errors; the daemon lives on.
failed_passes() { [ "$(grep -c 'pass [0-9]*: failed' "$T/daemon.err")" -ge "$1" ]; }
wait_for 10 "a failed pass" failed_passes 2
sleep 2
kill -0 "$DAEMON" || fail "the daemon exited during the outage"
grep -q "Couldn't connect\|connect\|Connection" "$T/daemon.err" || { tail "$T/daemon.err"; fail "no connection error logged"; }

EMU_PORT=$port start_emulator "$T/snapshot.json" --page-size 20
assert_eq "$(cat "$T/port")" "$port" "emulator port after the restart"
all_active() { [ "$(grants_in ACTIVE)" = 30 ]; }
wait_for 30 "30 active grants after the outage" all_active
in_sync() { [ "$(jq -r .result "$T/state/status.json")" = in_sync ]; }
wait_for 15 "a pass in sync" in_sync
kill -0 "$DAEMON" || fail "the daemon is gone"
stop_daemon
assert_eq "$(max_grants_per_principal)" 1 "grants per principal"
assert_eq "$(state '[.grants[] | select(.sub_grant | not)] | length')" 30 "grants"
echo "ok ($(grep -c 'pass [0-9]*: failed' "$T/daemon.err") failed passes during the outage)"
