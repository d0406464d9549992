# apply on a terminal (issue 17): one line per change (the row on stdout,
# not also a long event line on stderr) and, while it reads licenses
# slowly, a progress line that is erased before the rows. Not on a
# terminal, stderr keeps every event (scripts and logs rely on it).
source "$(dirname "$0")/lib.sh"
start_emulator "$DEMO_FIXTURE" --latency-ms 150
write_config c.yaml <<'EOF'
version: 1
models:
  sonnet:
    product: prod-4pmewlybdftbs
    accounts: ["222222222222", "333333333333"]
  haiku:
    product: prod-5oba7y7jpji56
    accounts: ["222222222222"]
  cohere:
    product: prod-tukx4z3hrewle
    accounts: ["333333333333"]
EOF

# on_pty OUT COMMAND...: runs it with stdin, stdout and stderr on one
# pseudo-terminal; everything it writes goes to OUT; returns its status.
on_pty() {
	local out=$1
	shift
	"$PYTHON" - "$out" "$@" <<'PY'
import os, pty, sys
out = open(sys.argv[1], "wb")
pid, fd = pty.fork()
if pid == 0:
    os.execv(sys.argv[2], sys.argv[2:])
while True:
    try:
        data = os.read(fd, 4096)
    except OSError:
        break
    if not data:
        break
    out.write(data)
_, status = os.waitpid(pid, 0)
sys.exit(os.waitstatus_to_exitcode(status))
PY
}

rc=0
on_pty "$T/tty" "$LMGRANTD_BIN" -c "$T/c.yaml" apply || rc=$?
assert_eq "$rc" 0 "apply on a terminal"
tr -d '\r' <"$T/tty" >"$T/tty.txt"
# One line per change: each created grant's target appears once.
for account in "account 222222222222" "account 333333333333"; do
	n=$(grep -c "create .*$account" "$T/tty.txt" || true)
	assert_eq "$n" 2 "lines creating for $account"
done
grep -q '\[action=create' "$T/tty.txt" && { cat "$T/tty.txt"; fail "a change was also logged as an event line on the terminal"; }
grep -q 'action=pass' "$T/tty.txt" && { cat "$T/tty.txt"; fail "the pass summary event repeats the count line"; }
assert_contains "$T/tty.txt" "Apply: 4 created"
# The progress line, then erased (CR, erase to end of line) before the rows.
assert_contains "$T/tty.txt" "reading licenses: 3 of 3"
grep -q $'reading licenses: 3 of 3\r\033\\[K' "$T/tty" || { cat -v "$T/tty"; fail "progress line not erased"; }

# Not a terminal: every event stays on stderr, and no progress line.
expect_exit 0 lmg -c "$T/c.yaml" apply
grep -q "reading licenses" "$T/err" && fail "progress line without a terminal"
grep -q 'action=pass' "$T/err" || { cat "$T/err"; fail "without a terminal the pass summary event is missing from stderr"; }
echo ok
