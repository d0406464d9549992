# Shared helpers for the system tests: each test sources this, starts the
# emulator on a fixture, runs the real lmgrantd against it and asserts on
# the emulator's state. Nothing leaves 127.0.0.1.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
LMGRANTD_BIN=${LMGRANTD_BIN:-$ROOT/build/lmgrantd}
PYTHON=${PYTHON:-python3}
EMU_DIR=$ROOT/contrib/aws-emulator
T=$(mktemp -d /tmp/lmgrantd-test.XXXXXX)
EMU_PID=""
DAEMON=""

# LMGRANTD_WRAP: a command line every lmgrantd these tests start runs
# under, e.g. "valgrind --error-exitcode=99" (make valgrind). Waits for the
# daemon are stretched by LMGRANTD_WAIT_SCALE (default 1, 5 when wrapped).
if [ -n "${LMGRANTD_WRAP:-}" ]; then
	printf '#!/bin/sh\nexec %s %q "$@"\n' "$LMGRANTD_WRAP" "$LMGRANTD_BIN" >"$T/lmgrantd-wrapped"
	chmod 755 "$T/lmgrantd-wrapped"
	LMGRANTD_BIN=$T/lmgrantd-wrapped
	LMGRANTD_WAIT_SCALE=${LMGRANTD_WAIT_SCALE:-5}
fi
LMGRANTD_WAIT_SCALE=${LMGRANTD_WAIT_SCALE:-1}

cleanup() {
	if [ -n "$DAEMON" ]; then
		kill "$DAEMON" 2>/dev/null || true
		wait "$DAEMON" 2>/dev/null || true
	fi
	if [ -n "$EMU_PID" ]; then
		kill "$EMU_PID" 2>/dev/null || true
		wait "$EMU_PID" 2>/dev/null || true
	fi
	rm -rf "$T"
}
trap cleanup EXIT

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

# start_emulator FIXTURE [emulator options...]; EMU_PORT=N picks the port
# (a restart on the port the running lmgrantd knows). LMGRANTD_EMULATOR_ARGS
# adds options to every emulator (make tsan: --latency-ms, so that the
# daemon's workers overlap).
start_emulator() {
	local fixture=$1
	shift
	rm -f "$T/port"
	"$PYTHON" "$EMU_DIR/emulator.py" --fixture "$fixture" --port "${EMU_PORT:-0}" --port-file "$T/port" \
		--log "$T/emulator.log" ${LMGRANTD_EMULATOR_ARGS:-} "$@" 2>>"$T/emulator.stderr" &
	EMU_PID=$!
	for _ in $(seq 100); do
		[ -s "$T/port" ] && break
		kill -0 "$EMU_PID" 2>/dev/null || { cat "$T/emulator.stderr" >&2; fail "emulator died"; }
		sleep 0.1
	done
	[ -s "$T/port" ] || fail "emulator did not start"
	local url="http://127.0.0.1:$(cat "$T/port")"
	export AWS_ENDPOINT_URL_LICENSE_MANAGER=$url
	export AWS_ENDPOINT_URL_ORGANIZATIONS=$url
	export AWS_ENDPOINT_URL_STS=$url
	export AWS_ACCESS_KEY_ID=AKIAEMULATORADMIN001
	export AWS_SECRET_ACCESS_KEY=emulatorSecretKey/ForTestsOnly0000000001
	unset AWS_SESSION_TOKEN AWS_PROFILE AWS_ENDPOINT_URL AWS_CONFIG_FILE AWS_SHARED_CREDENTIALS_FILE
	export HOME=$T/home
	mkdir -p "$HOME"
	# apply keeps what it did (activations, failed workflows) in the state
	# directory: each test has its own, never /var/lib/lmgrantd.
	export STATE_DIRECTORY=$T/state
	mkdir -p "$STATE_DIRECTORY"
}

emu() {
	"$PYTHON" "$EMU_DIR/emuctl.py" --port-file "$T/port" "$@"
}

# The emulator's state, filtered by a jq expression.
state() {
	emu state | jq -r "$1"
}

# Number of write calls served since the last reset.
writes() {
	emu calls --count --writes
}

lmg() {
	"$LMGRANTD_BIN" --log stderr "$@"
}

# expect_exit CODE command... : runs it, output to $T/out and $T/err.
expect_exit() {
	local want=$1 got=0
	shift
	"$@" >"$T/out" 2>"$T/err" || got=$?
	if [ "$got" != "$want" ]; then
		echo "--- stdout"; cat "$T/out"; echo "--- stderr"; cat "$T/err"
		fail "$* exited $got, expected $want"
	fi
}

assert_eq() {
	[ "$1" = "$2" ] || fail "${3:-value}: got '$1', expected '$2'"
}

assert_contains() {
	grep -qF -- "$2" "$1" || { echo "--- $1"; cat "$1"; fail "'$2' not found in $1"; }
}

# write_config NAME <<EOF ... : a config file in $T, mode 0600.
write_config() {
	cat >"$T/$1"
	chmod 600 "$T/$1"
}

DEMO_FIXTURE=$EMU_DIR/fixtures/demo.json
ORG_PRINCIPAL_PREFIX="arn:aws:organizations::111111111111"

# wait_for SECONDS DESCRIPTION COMMAND... : polls COMMAND every 0.1 s.
wait_for() {
	local secs=$1 what=$2
	shift 2
	for _ in $(seq $((secs * LMGRANTD_WAIT_SCALE * 10))); do
		if "$@" >/dev/null 2>&1; then return 0; fi
		sleep 0.1
	done
	[ -f "$T/daemon.err" ] && { echo "--- daemon stderr"; tail -30 "$T/daemon.err"; }
	fail "timed out waiting for: $what"
}

# start_daemon CONFIG [run options...]: `lmgrantd run` in the background,
# stderr to $T/daemon.err, state in $T/state; its pid in DAEMON.
start_daemon() {
	local config=$1
	shift
	mkdir -p "$T/state"
	STATE_DIRECTORY=$T/state "$LMGRANTD_BIN" --log stderr -c "$config" run "$@" 2>>"$T/daemon.err" &
	DAEMON=$!
}

# stop_daemon: SIGTERM, then its exit status must be 0.
stop_daemon() {
	local rc=0
	kill -TERM "$DAEMON"
	wait "$DAEMON" || rc=$?
	DAEMON=""
	assert_eq "$rc" 0 "daemon exit status"
}

# The pass number status.json records (0 before the first pass).
daemon_pass() {
	jq -r '.pass // 0' "$T/state/status.json" 2>/dev/null || echo 0
}

# True once the daemon has recorded pass $1 (for wait_for).
passes_at_least() { [ "$(daemon_pass)" -ge "$1" ]; }

# Largest number of top-level grants (tombstones included) that one
# principal ever had on one license: 1 means no duplicate ever existed.
max_grants_per_principal() {
	state '[.grants[] | select(.sub_grant | not)] | group_by(.license_arn + " " + .principal)
		| map(length) | max // 0'
}

# Top-level grants in status $1 (e.g. ACTIVE), on license $2 when given.
grants_in() {
	state "[.grants[] | select((.sub_grant | not) and .status == \"$1\"
		and (\"${2:-}\" == \"\" or .license_arn == \"${2:-}\"))] | length"
}

# apply_until_in_sync MAX CONFIG: runs `apply` up to MAX times, until one
# finds nothing to do (exit 0, "In sync"); PASSES is how many it took.
# Fails after MAX. Every pass's output is appended to $T/passes.log.
apply_until_in_sync() {
	local max=$1 config=$2 rc
	PASSES=0
	while [ "$PASSES" -lt "$max" ]; do
		PASSES=$((PASSES + 1))
		rc=0
		lmg -c "$config" apply >"$T/out" 2>"$T/err" || rc=$?
		{ echo "== pass $PASSES: exit $rc"; cat "$T/out" "$T/err"; } >>"$T/passes.log"
		if [ "$rc" = 0 ] && grep -q '^In sync' "$T/out"; then
			return 0
		fi
	done
	tail -40 "$T/passes.log"
	fail "not in sync after $max passes"
}

# state_as_fixture FIXTURE: the emulator's state as a fixture (FIXTURE's
# licenses, credentials and roles; the organization and the grants as they
# are now, sub-grants being made again at load), so that an emulator
# restarted on it starts where the old one stopped.
state_as_fixture() {
	emu state | jq --slurpfile fx "$1" '$fx[0] + {
		organization: .organization, ous: .ous, accounts: .accounts,
		grants: [.grants[] | select(.sub_grant | not) | {arn, name, license_arn, principal,
			status, version, operations, home_region, tags, options}]}'
}

# add_grant LICENSE_ARN ACCOUNT STATUS [NAME]: a pre-existing account grant
# (operations [CheckoutLicense], home region us-east-1); prints its ARN.
add_grant() {
	emu grant-add "$(jq -nc --arg l "$1" --arg a "$2" --arg s "$3" --arg n "${4:-by-hand}" \
		'{license_arn: $l, principal: "arn:aws:iam::\($a):root", status: $s,
		  operations: ["CheckoutLicense"], name: $n, home_region: "us-east-1"}')" | jq -r .arn
}
