# Issue 5, fault 7: trusted access for License Manager is disabled in
# Organizations. CreateGrant for an OU fails with AWS's ValidationException
# text; lmgrantd tries it once (a validation error is not retried) and its
# error line ends with a one-line hint saying what to enable. An account
# grant on another license, which needs no trusted access, is made. Once trusted access is
# enabled the next pass converges.
source "$(dirname "$0")/lib.sh"
start_emulator "$DEMO_FIXTURE"
write_config c.yaml <<'YAML'
version: 1
max_tps: 50
models:
  claude:
    product: prod-4pmewlybdftbs
    ous: [Workloads/Prod]
  haiku:
    product: prod-5oba7y7jpji56
    accounts: ["666666666666"]
YAML
emu org-set '{"trusted_access": false}' >/dev/null
emu reset-calls >/dev/null
expect_exit 1 lmg -c "$T/c.yaml" apply
hint="hint: enable trusted access for AWS License Manager in AWS Organizations"
line=$(grep -F "CreateGrant: ValidationException" "$T/err" | grep -F "ou Workloads/Prod") ||
	{ cat "$T/err"; fail "no CreateGrant error for the OU"; }
echo "$line"
case "$line" in
*"Trusted Access"*"$hint"*) ;;
*) fail "the error line lacks AWS's message or the hint" ;;
esac
assert_contains "$T/out" "$hint"
assert_eq "$(emu calls | jq '[.[] | select(.operation == "CreateGrant" and (.request.Principals[0] | contains(":ou/")))] | length')" 1 \
	"CreateGrant attempts for the OU"
assert_eq "$(state '[.grants[] | select(.principal == "arn:aws:iam::666666666666:root")] | length')" 1 "account grant"

emu org-set '{"trusted_access": true}' >/dev/null
apply_until_in_sync 3 "$T/c.yaml"
assert_eq "$(grants_in WORKFLOW_COMPLETED)" 1 "OU grant once trusted access is on"
echo ok
