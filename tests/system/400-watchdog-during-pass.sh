# The systemd watchdog is fed while a pass runs on the worker pool: with
# every AWS call slowed down, the main thread waits in the pass for longer
# than the watchdog interval, and the pings come from the workers (through
# http's heartbeat), one per half interval, not one per worker.
source "$(dirname "$0")/lib.sh"
start_emulator "$DEMO_FIXTURE" --latency-ms 300
write_config c.yaml <<'YAML'
version: 1
interval: 1h
max_tps: 100
models:
  claude:
    product: prod-4pmewlybdftbs
    ous: [Workloads/Prod]
    accounts: ["444444444444", "666666666666"]
YAML
"$PYTHON" "$ROOT/tests/system/notify-listener.py" "$T/notify.sock" "$T/notify.log" &
LISTENER=$!
trap 'kill $LISTENER 2>/dev/null || true; cleanup' EXIT
for _ in $(seq 50); do [ -S "$T/notify.sock" ] && break; sleep 0.1; done
mkdir -p "$T/state"
NOTIFY_SOCKET=$T/notify.sock WATCHDOG_USEC=800000 STATE_DIRECTORY=$T/state \
	"$LMGRANTD_BIN" --log stderr -c "$T/c.yaml" run 2>"$T/daemon.err" &
DAEMON=$!
wait_for 60 "the first pass" grep -q 'STATUS=' "$T/notify.log"
started=$(grep -n 'READY=1' "$T/notify.log" | head -1 | cut -d: -f1)
ended=$(grep -n 'STATUS=' "$T/notify.log" | head -1 | cut -d: -f1)
pings=$(sed -n "${started},${ended}p" "$T/notify.log" | grep -c 'WATCHDOG=1' || true)
calls=$(emu calls --count)
# At least ~calls * 0.3 s / workers of pass time; one ping per 0.4 s.
[ "$calls" -ge 10 ] || fail "only $calls calls: the pass is too short to test"
[ "$pings" -ge 2 ] || fail "$pings watchdog pings during a pass of $calls calls at 300 ms each"
# Not one per worker or per request: at most one per half interval
# (0.4 s), counted generously.
secs=$(( (calls * 300 + 999) / 1000 + 2 ))
[ "$pings" -le $(( secs * 3 + 2 )) ] || fail "$pings pings in at most $secs s"
echo "pass of $calls calls: $pings watchdog pings"
stop_daemon
