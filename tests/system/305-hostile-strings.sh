# Issue 16 item 3: AWS error messages, error types and listed ARNs carry
# ESC, CR, LF, BEL and OSC sequences (a forged message printed a fake
# "lmgrantd: created ALL grants OK" line and a fake "+ create" line). Every
# such string is escaped (\xNN, SPEC 6) and bounded before it reaches
# plan, apply, the stderr log lines or `status`.
source "$(dirname "$0")/lib.sh"
start_emulator "$DEMO_FIXTURE"
export AWS_EC2_METADATA_DISABLED=true
claude=$(state '.licenses[] | select(.product_sku=="prod-4pmewlybdftbs") | .arn')
write_config c.yaml <<'YAML'
version: 1
interval: 1h
models:
  claude:
    product: prod-4pmewlybdftbs
    accounts: ["222222222222"]
YAML

# Every listing answers with one undeclared grant whose GrantArn and
# principal ARN are hostile; every CreateGrant fails with a hostile type
# and message.
page=$(jq -nc --arg l "$claude" '{Grants: [{
	GrantArn: "arn:aws:license-manager::111111111111:grant:g-\u001b[2J\r\n+ create forged\u001b]0;owned\u0007",
	GranteePrincipalArn: "arn:aws:iam::333333333333:root\u001b[2K\r- delete forged",
	LicenseArn: $l, ParentArn: $l, GrantStatus: "ACTIVE", Version: "1", GrantName: "x",
	GrantedOperations: ["CheckoutLicense"], HomeRegion: "us-east-1"}]}')
message=$'boom\e[31m\r\nlmgrantd: created ALL grants OK\n+ create   fake  forged\e]0;owned\a'
emu config "$(jq -nc --arg b "$page" --arg m "$message" '{fail_rules: [
	{operation: "ListDistributedGrants", nth: 1, times: 0, status: 200, body: $b},
	{operation: "CreateGrant", nth: 1, times: 0, status: 400, type: "Validation\u001b[1mException",
	 message: $m}]}')" >/dev/null

# clean FILE...: no raw control character, no forged line.
clean() {
	local f
	for f in "$@"; do
		if LC_ALL=C grep -q $'[\e\r\a]' "$f"; then cat -v "$f"; fail "a raw control character in $f"; fi
		if grep -qE '^(lmgrantd: created ALL|[+-] +(create|delete) +(fake|forged))' "$f"; then
			cat -v "$f"; fail "a forged line in $f"
		fi
	done
}

expect_exit 2 lmg -c "$T/c.yaml" plan
clean "$T/out" "$T/err"
assert_contains "$T/out" '- delete   claude  arn:aws:iam::333333333333:root\x1b[2K\x0d- delete forged  (not declared'

expect_exit 1 lmg -c "$T/c.yaml" apply
clean "$T/out" "$T/err"
escaped='Validation\x1b[1mException: boom\x1b[31m\x0d\x0almgrantd: created ALL grants OK\x0a+ create   fake  forged\x1b]0;owned\x07'
assert_contains "$T/out" "-> failed: CreateGrant: $escaped"
assert_contains "$T/err" "failed: CreateGrant: $escaped"
assert_contains "$T/err" 'error=Validation\x1b[1mException'
assert_contains "$T/err" 'grant=arn:aws:license-manager::111111111111:grant:g-\x1b[2J\x0d\x0a+ create forged\x1b]0;owned\x07'

# The daemon's stderr lines and the `status` text it leaves behind.
start_daemon "$T/c.yaml"
first_pass_done() { [ "$(daemon_pass)" -ge 1 ]; }
wait_for 20 "the first pass" first_pass_done
stop_daemon
clean "$T/daemon.err"
assert_contains "$T/daemon.err" "failed: CreateGrant: $escaped"
# The pass failed: status exits 1 (SPEC 1).
STATE_DIRECTORY=$T/state expect_exit 1 lmg status
clean "$T/out" "$T/err"
assert_contains "$T/out" "last error: CreateGrant: $escaped"

# plan, when the listing itself fails with a hostile type and message: the
# blocked license's reason and the stderr line are escaped too.
emu config "$(jq -nc --arg m "$message" '{fail_rules: [{operation: "ListDistributedGrants", nth: 1,
	times: 0, status: 400, type: "Access\u001b[8mDeniedException", message: $m}]}')" >/dev/null
expect_exit 1 lmg -c "$T/c.yaml" plan
clean "$T/out" "$T/err"
assert_contains "$T/out" 'Access\x1b[8mDeniedException: boom\x1b[31m\x0d\x0almgrantd: created ALL grants OK'
assert_contains "$T/err" 'Access\x1b[8mDeniedException: boom\x1b[31m\x0d\x0almgrantd: created ALL grants OK'

# A message longer than the bound is cut, not printed whole.
long=$(printf 'A%.0s' $(seq 5000))
emu config "$(jq -nc --arg m "$long" '{fail_rules: [{operation: "CreateGrant", nth: 1, times: 0,
	status: 400, type: "ValidationException", message: $m}]}')" >/dev/null
expect_exit 1 lmg -c "$T/c.yaml" apply
assert_contains "$T/out" "AAA..."
[ "$(wc -c <"$T/out")" -lt 4000 ] || fail "a 5000-byte AWS message was printed whole"
echo ok
