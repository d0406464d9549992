# whoami (SPEC §1): account, ARN and user id from STS GetCallerIdentity,
# the credential source, and whether the account is the organization's
# management account (DescribeOrganization): yes; no (no organization);
# unknown when Organizations will not say (exit 1); and the role (issue 13):
# management account, delegated administrator (ListDelegatedAdministrators),
# not in an organization, or unknown (exit 1). Nothing secret.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/creds-lib.sh"
start_emulator "$CREDS_FIXTURE"

expect_exit 0 lmg -c "$T/c.yaml" whoami
cat >"$T/want" <<EOF
account:            111111111111
arn:                arn:aws:iam::111111111111:user/ops
credentials from:   environment
management account: yes (organization o-exampleorg1, management account 111111111111)
role:               management account
EOF
assert_eq "$(grep -v '^user id:' "$T/out")" "$(cat "$T/want")" "whoami output"
grep -qE '^user id:            AIDA[A-Z0-9]+$' "$T/out" || fail "no user id line"
assert_eq "$(emu calls | jq -r '[.[].operation] | join(" ")')" "GetCallerIdentity DescribeOrganization" "calls made"
assert_no_secrets "$T/out" "$T/err"

# A member account (another account's key): it may describe the
# organization but not list the delegated administrators, so its role
# cannot be told.
export AWS_ACCESS_KEY_ID=$DEV_KEY AWS_SECRET_ACCESS_KEY=$DEV_SECRET
expect_exit 1 lmg -c "$T/c.yaml" whoami
assert_contains "$T/out" "account:            333333333333"
assert_contains "$T/out" "management account: no (organization o-exampleorg1, management account 111111111111)"
assert_contains "$T/out" "role:               unknown (ListDelegatedAdministrators: AccessDeniedException"
# ... unless Organizations will not describe it either.
emu config '{"fail_rules": [{"operation": "DescribeOrganization", "nth": 1, "times": 1, "status": 400,
	"type": "AccessDeniedException", "message": "You don'"'"'t have permissions to access this resource."}]}' >/dev/null
expect_exit 1 lmg -c "$T/c.yaml" whoami
assert_contains "$T/out" "management account: unknown (DescribeOrganization: AccessDeniedException"

# Credentials the emulator does not know: the STS error, exit 1.
export AWS_ACCESS_KEY_ID=AKIAUNKNOWN000000000 AWS_SECRET_ACCESS_KEY=$CI_SECRET
expect_exit 1 lmg -c "$T/c.yaml" whoami
assert_contains "$T/err" "GetCallerIdentity: InvalidClientTokenId"
[ ! -s "$T/out" ] || fail "whoami printed an identity it does not have"
assert_no_secrets "$T/out" "$T/err"

# An account outside any organization.
kill "$EMU_PID"; wait "$EMU_PID" 2>/dev/null || true
jq '.organization = null' "$CREDS_FIXTURE" >"$T/no-org.json"
start_emulator "$T/no-org.json"
expect_exit 0 lmg -c "$T/c.yaml" whoami
assert_contains "$T/out" "management account: no (the account is not in an organization)"
assert_contains "$T/out" "role:               not in an organization"
echo ok
