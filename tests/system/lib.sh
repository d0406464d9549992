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

cleanup() {
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

# start_emulator FIXTURE [emulator options...]
start_emulator() {
	local fixture=$1
	shift
	rm -f "$T/port"
	"$PYTHON" "$EMU_DIR/emulator.py" --fixture "$fixture" --port 0 --port-file "$T/port" \
		--log "$T/emulator.log" "$@" 2>>"$T/emulator.stderr" &
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
