#!/usr/bin/env bash
# Runs every test lmgrantd has: the Check unit tests, the emulator's own
# tests, and the system tests that run the real binary against the
# emulator. Ends with one line "N passed, N failed" and a non-zero exit
# status when anything failed.
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
PYTHON=${PYTHON:-python3}
export LMGRANTD_BIN="$PWD/$BUILD/lmgrantd"
export LMGRANTD_TESTS_DIR="$PWD/tests"
export LMGRANTD_SHARED=${LMGRANTD_SHARED:-$PWD/../shared}
passed=0
failed=0
failed_names=()

note_fail() { failed=$((failed + $1)); failed_names+=("$2"); }

echo "== unit tests (Check)"
for t in "$BUILD"/tests/check_*; do
	[ -x "$t" ] || continue
	out=$("$t" 2>&1); rc=$?
	echo "$out" | grep -E '^[0-9]+%: Checks' | sed "s|^|$(basename "$t"): |"
	line=$(echo "$out" | grep -E '^[0-9]+%: Checks' | tail -1)
	checks=$(echo "$line" | sed -nE 's/.*Checks: ([0-9]+).*/\1/p')
	fails=$(echo "$line" | sed -nE 's/.*Failures: ([0-9]+), Errors: ([0-9]+).*/\1+\2/p')
	fails=$((${fails:-0}))
	if [ -z "$checks" ]; then
		echo "$out" | tail -20
		note_fail 1 "$(basename "$t") (no summary, exit $rc)"
		continue
	fi
	passed=$((passed + checks - fails))
	if [ "$fails" -gt 0 ] || [ $rc -ne 0 ]; then
		echo "$out" | grep -vE '^[0-9]+%: Checks|:P:' | tail -40
		note_fail $((fails > 0 ? fails : 1)) "$(basename "$t")"
	fi
done

echo "== emulator tests (boto3)"
out=$("$PYTHON" -m unittest discover -s contrib/aws-emulator/tests -t contrib/aws-emulator 2>&1); rc=$?
ran=$(echo "$out" | sed -nE 's/^Ran ([0-9]+) tests?.*/\1/p')
sum=$(echo "$out" | sed -nE 's/^FAILED \((.*)\)/\1/p' | grep -oE '(failures|errors)=[0-9]+' | cut -d= -f2 | paste -sd+)
bad=$(( ${sum:-0} ))
echo "$out" | tail -3
if [ -z "$ran" ]; then
	echo "$out" | tail -30
	note_fail 1 "emulator tests (did not run)"
else
	passed=$((passed + ran - bad))
	if [ $rc -ne 0 ]; then
		echo "$out" | grep -E '^(FAIL|ERROR):' | head -40
		note_fail $((bad > 0 ? bad : 1)) "emulator tests"
	fi
fi

echo "== system tests"
for t in tests/system/[0-9]*-*.sh; do
	[ -f "$t" ] || continue
	name=$(basename "$t" .sh)
	log="$BUILD/system-$name.log"
	start=$(date +%s)
	if bash "$t" >"$log" 2>&1; then
		echo "ok   $name ($(( $(date +%s) - start ))s)"
		passed=$((passed + 1))
	else
		echo "FAIL $name ($(( $(date +%s) - start ))s); last lines of $log:"
		tail -25 "$log" | sed 's/^/    /'
		note_fail 1 "$name"
	fi
done

if [ "$failed" -gt 0 ]; then
	echo "failed: ${failed_names[*]}"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
