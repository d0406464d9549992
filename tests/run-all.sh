#!/usr/bin/env bash
# Runs every test lmgrantd has: the Check unit tests, the emulator's own
# tests, and the system tests that run the real binary against the
# emulator. Ends with one line "N passed, N failed, N skipped" and a
# non-zero exit status when anything failed. Skips are counted, not hidden:
# a unittest skip, or a system test that exits 77 (automake's convention).
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
PYTHON=${PYTHON:-python3}
export LMGRANTD_BIN="$PWD/$BUILD/lmgrantd"
export LMGRANTD_TESTS_DIR="$PWD/tests"
passed=0
failed=0
skipped=0
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
out=$("$PYTHON" -m unittest discover -v -s contrib/aws-emulator/tests -t contrib/aws-emulator 2>&1); rc=$?
ran=$(echo "$out" | sed -nE 's/^Ran ([0-9]+) tests?.*/\1/p')
result=$(echo "$out" | sed -nE 's/^(OK|FAILED) \((.*)\)$/\2/p')
sum=$(echo "$result" | grep -oE '(failures|errors|unexpected successes)=[0-9]+' | cut -d= -f2 | paste -sd+)
bad=$(( ${sum:-0} ))
skips=$(echo "$result" | grep -oE 'skipped=[0-9]+' | cut -d= -f2)
skips=${skips:-0}
echo "$out" | grep -E "^(Ran |OK|FAILED)"
[ "$skips" -eq 0 ] || echo "$out" | grep -E "skipped '" | head -20
if [ -z "$ran" ]; then
	echo "$out" | tail -30
	note_fail 1 "emulator tests (did not run)"
else
	passed=$((passed + ran - bad - skips))
	skipped=$((skipped + skips))
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
	bash "$t" >"$log" 2>&1; rc=$?
	if [ $rc -eq 0 ]; then
		echo "ok   $name ($(( $(date +%s) - start ))s)"
		passed=$((passed + 1))
	elif [ $rc -eq 77 ]; then
		echo "skip $name: $(tail -1 "$log")"
		skipped=$((skipped + 1))
	else
		echo "FAIL $name ($(( $(date +%s) - start ))s); last lines of $log:"
		tail -25 "$log" | sed 's/^/    /'
		note_fail 1 "$name"
	fi
done

if [ "$failed" -gt 0 ]; then
	echo "failed: ${failed_names[*]}"
fi
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
