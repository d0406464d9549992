# The daemon reads the organization once and reuses it for the next passes
# (a large organization costs two calls per OU, and changes rarely); a pass
# asked for with SIGUSR1, a reload (SIGHUP) and every one-shot plan/apply
# read it again. A failed read is not kept, and a target that does not
# resolve against the kept one makes the pass read it again.
source "$(dirname "$0")/lib.sh"
start_emulator "$DEMO_FIXTURE"
write_config c.yaml <<'YAML'
version: 1
interval: 1s
max_tps: 100
models:
  claude:
    product: prod-4pmewlybdftbs
    ous: [Workloads/Prod]
    accounts: ["444444444444"]
YAML
org_reads() { emu calls --count --op DescribeOrganization; }
passes_at_least() { [ "$(daemon_pass)" -ge "$1" ]; }
reads_at_least() { [ "$(org_reads)" -ge "$1" ]; }

emu reset-calls >/dev/null
start_daemon "$T/c.yaml"
wait_for 20 "4 passes" passes_at_least 4
assert_eq "$(org_reads)" 1 "organization reads in $(daemon_pass) passes"
# Every pass still read the grants: only the organization is reused.
[ "$(emu calls --count --op ListDistributedGrants)" -ge 4 ] || fail "grants not read every pass"

kill -USR1 "$DAEMON"
wait_for 10 "a read after SIGUSR1" reads_at_least 2
kill -HUP "$DAEMON"
wait_for 10 "a read after SIGHUP" reads_at_least 3
passes=$(daemon_pass)
wait_for 10 "two more passes" passes_at_least $((passes + 2))
assert_eq "$(org_reads)" 3 "organization reads after SIGUSR1 and SIGHUP"

# A failed read is not kept: the next passes read again until one works.
emu config '{"fail_rules": [{"operation": "ListRoots", "times": 2, "status": 400,
	"type": "AccessDeniedException", "message": "denied"}]}' >/dev/null
kill -USR1 "$DAEMON"
wait_for 15 "reads through the failures" reads_at_least 6
passes=$(daemon_pass)
wait_for 10 "two more passes" passes_at_least $((passes + 2))
assert_eq "$(org_reads)" 6 "organization reads: 2 failed, then 1 kept"
stop_daemon
assert_eq "$(grep -c 'reading the organization failed' "$T/daemon.err")" 2 "failed organization reads"

# A target that does not resolve against the cached organization (an
# account not in it yet) makes the pass read it again: once the account
# has joined, the next pass grants it.
write_config join.yaml <<'YAML'
version: 1
interval: 1s
max_tps: 100
models:
  claude:
    product: prod-4pmewlybdftbs
    ous: [Workloads/Prod]
    accounts: ["444444444444", "777777777777"]
YAML
grants_of() { state "[.grants[] | select(.principal == \"arn:aws:iam::$1:root\" and .status != \"DELETED\")] | length"; }
granted() { [ "$(grants_of 777777777777)" = 1 ]; }
rm -f "$T/state/status.json"   # the pass count starts again with this daemon
start_daemon "$T/join.yaml"
wait_for 20 "3 passes" passes_at_least 3
assert_eq "$(grants_of 777777777777)" 0 "grants of an account outside the organization"
grep -q "error: claude: model cannot be resolved: .*account 777777777777 is not in organization" "$T/daemon.err" ||
	{ cat "$T/daemon.err"; fail "the unknown account is not reported"; }
emu reset-calls >/dev/null
emu account-add 777777777777 r-ab12 >/dev/null
wait_for 10 "a grant for the account that joined" granted
stop_daemon
[ "$(org_reads)" -le 3 ] || fail "$(org_reads) organization reads to pick up the account"

# One-shot commands always read.
emu reset-calls >/dev/null
expect_exit 0 lmg -c "$T/c.yaml" apply
expect_exit 0 lmg -c "$T/c.yaml" plan
assert_eq "$(org_reads)" 2 "organization reads of apply + plan"
echo ok
