# Issue 5, hostile answers 3: HTTP 200 with valid JSON whose members have
# the wrong type: a grant whose Version is a number, a "Licenses" that is
# a string, an Organizations NextToken that is a number (it would end the
# list early), a CreateGrant answer whose GrantArn is a number. Each is an
# error for what it concerns. Last, an Organizations NextToken that comes
# back unchanged: an error, not an endless list.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/bad-answer.sh"
grant='{"GrantArn": "arn:aws:license-manager::111111111111:grant:g-0123456789abcdef0123456789abcdef",
	"LicenseArn": "arn:aws:license-manager::294406891311:license:l-34f3fcef76f99f8b4d7ba61adbe400bf",
	"GranteePrincipalArn": "arn:aws:iam::666666666666:root", "GrantStatus": "ACTIVE", "Version": 2,
	"GrantedOperations": ["CheckoutLicense"]}'
bad_answers \
	"{\"Grants\": [$grant]}" \
	'{"Licenses": "none"}' \
	'{"Accounts": [], "NextToken": 12}' \
	'{"GrantArn": 7, "Status": "PENDING_WORKFLOW", "Version": "1"}'

echo "-- ListAccountsForParent hands back the token it was given"
emu config '{"fail_rules": [{"operation": "ListAccountsForParent", "nth": 2, "times": 0, "status": 200,
	"body": "{\"Accounts\": [], \"NextToken\": \"same\"}"}]}' >/dev/null
emu reset-calls >/dev/null
lmg() { timeout 60 "$LMGRANTD_BIN" --log stderr "$@"; }
expect_exit 1 lmg -c "$T/ou.yaml" apply
no_rules
assert_contains "$T/err" "NextToken repeats"
[ "$(emu calls --count --op ListAccountsForParent)" -le 4 ] || fail "the repeated token was followed"
assert_eq "$(writes)" 0 "writes"
echo ok
