# Issue 16 item 4: status.json and the metrics file are written through a
# new temporary file (random name, O_CREAT|O_EXCL|O_NOFOLLOW) and renamed.
# Symlinks planted at the old predictable temporary names (PATH.tmp.<pid>,
# for the daemon's real pid) and at the metrics path itself, pointing at
# files root must not overwrite, leave those files untouched.
source "$(dirname "$0")/lib.sh"
start_emulator "$DEMO_FIXTURE"
export AWS_EC2_METADATA_DISABLED=true
write_config c.yaml <<'YAML'
version: 1
interval: 1h
models:
  claude:
    product: prod-4pmewlybdftbs
    accounts: ["444444444444"]
YAML
mkdir -p "$T/state" "$T/textfile"
for v in victim1 victim2 victim3; do echo "precious $v" >"$T/$v"; done

# The shell plants the links for its own pid, then becomes lmgrantd (exec
# keeps the pid), so the names are exactly those the old code would open.
STATE_DIRECTORY=$T/state "$BASH" -c '
	ln -s "$1/victim1" "$1/state/status.json.tmp.$$"
	ln -s "$1/victim2" "$1/textfile/lmgrantd.prom.tmp.$$"
	ln -s "$1/victim3" "$1/textfile/lmgrantd.prom"
	exec "$2" --log stderr -c "$1/c.yaml" run --metrics "$1/textfile/lmgrantd.prom"' _ "$T" "$LMGRANTD_BIN" \
	2>>"$T/daemon.err" &
DAEMON=$!
first_pass_done() { [ "$(daemon_pass)" -ge 1 ]; }
wait_for 20 "the first pass" first_pass_done
wait_for 5 "the metrics file" grep -q '^lmgrantd_passes_total' "$T/textfile/lmgrantd.prom"
stop_daemon

for v in victim1 victim2 victim3; do
	assert_eq "$(cat "$T/$v")" "precious $v" "$v through a planted symlink"
done
[ -f "$T/state/status.json" ] && [ ! -L "$T/state/status.json" ] || fail "status.json is not a regular file"
[ -f "$T/textfile/lmgrantd.prom" ] && [ ! -L "$T/textfile/lmgrantd.prom" ] ||
	fail "the metrics path is still the planted symlink"
# No temporary file left behind (the planted links are still there, unused).
leftover=$(find "$T/state" "$T/textfile" -name '.*' -type f | wc -l)
assert_eq "$leftover" 0 "temporary files left behind"
assert_eq "$(find "$T/state" "$T/textfile" -type l | wc -l)" 2 "planted links left alone"

# Every file lmgrantd creates in those directories (whatever its name) is
# created O_CREAT|O_EXCL|O_NOFOLLOW, never O_TRUNC: strace, when installed,
# lists each open with O_CREAT during a pass.
if command -v strace >/dev/null; then
	rm -rf "$T/state" && mkdir -p "$T/state"
	STATE_DIRECTORY=$T/state strace -f -qq -e trace=open,openat,creat -o "$T/strace" \
		"$LMGRANTD_BIN" --log stderr -c "$T/c.yaml" run --metrics "$T/textfile/lmgrantd.prom" 2>>"$T/daemon.err" &
	DAEMON=$!
	wait_for 20 "the first pass under strace" first_pass_done
	# strace blocks SIGTERM for itself (-o FILE PROG): stop lmgrantd, its child.
	kill -TERM $(cat "/proc/$DAEMON/task/$DAEMON/children")
	wait "$DAEMON" || true
	DAEMON=""
	grep -E "\"$T/(state|textfile)/" "$T/strace" | grep -E 'O_CREAT|creat\(' >"$T/creates" || true
	[ "$(grep -c 'status.json' "$T/creates")" -ge 1 ] || { cat "$T/strace"; fail "no status.json temporary file seen"; }
	[ "$(grep -c 'lmgrantd.prom' "$T/creates")" -ge 1 ] || { cat "$T/strace"; fail "no metrics temporary file seen"; }
	if grep -vE 'O_CREAT\|O_EXCL\|O_NOFOLLOW' "$T/creates" | grep -q .; then
		cat "$T/creates"; fail "a file was created without O_EXCL|O_NOFOLLOW"
	fi
	grep -q O_TRUNC "$T/creates" && { cat "$T/creates"; fail "a file was opened with O_TRUNC"; }
fi
echo ok
