# SPEC §5: a second apply waits up to 60 s for the pass lock, then exits 1
# naming the holder, having made no AWS call. (Sleeps about a minute; it
# costs no CPU.)
source "$(dirname "$0")/lib.sh"
start_emulator "$DEMO_FIXTURE"
write_config c.yaml <<'YAML'
version: 1
models:
  claude:
    product: prod-4pmewlybdftbs
    accounts: ["222222222222"]
YAML
mkdir -p "$T/state"
export STATE_DIRECTORY=$T/state
echo "pid 4242 (run)" >"$T/state/lock"
flock -x "$T/state/lock" sleep 90 &
HOLDER=$!
trap 'kill $HOLDER 2>/dev/null || true; cleanup' EXIT
sleep 0.3
emu reset-calls >/dev/null
start=$(date +%s)
expect_exit 1 lmg -c "$T/c.yaml" apply
elapsed=$(( $(date +%s) - start ))
[ "$elapsed" -ge 59 ] && [ "$elapsed" -le 75 ] || fail "gave up after $elapsed s, not 60"
assert_contains "$T/err" "waiting for the pass of pid 4242 (run) to end"
assert_contains "$T/err" "pid 4242 (run) holds the pass lock $T/state/lock; gave up after 60 s"
assert_eq "$(emu calls --count)" 0 "AWS calls of the apply that gave up"
kill $HOLDER; wait $HOLDER 2>/dev/null || true
# Free again: the next apply runs at once.
expect_exit 0 lmg -c "$T/c.yaml" apply

# Root's apply and suspend in a daemon's state directory (owned by its
# dynamic user) leave files that user can use: the lock and the suspension
# go to the directory's owner.
if [ "$(id -u)" = 0 ]; then
	rm -f "$T/state/lock"
	chown 65534:65534 "$T/state"
	expect_exit 0 lmg -c "$T/c.yaml" apply
	assert_eq "$(stat -c %u "$T/state/lock")" 65534 "owner of the lock root's apply created"
	expect_exit 0 "$LMGRANTD_BIN" suspend --reason test
	assert_eq "$(stat -c %u "$T/state/suspended")" 65534 "owner of the suspension"
	expect_exit 0 "$LMGRANTD_BIN" resume
fi
echo ok
