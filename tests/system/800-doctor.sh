# Issue 13: `lmgrantd doctor` (SPEC 8) on the demo organization, under the
# read-only policy it ships (contrib/iam/lmgrantd-readonly.json): all ok and
# exit 0; with Marketplace trusted access disabled that check FAILs naming
# the service principal and the command, exit 1, and nothing is written;
# License Manager's trusted access and a consolidated-billing organization
# fail their checks; license and target problems and a member account's
# keys fail theirs; -o json has SPEC 8's shape.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/iam-lib.sh"
export AWS_EC2_METADATA_DISABLED=true
start_emulator "$POLICY_FIXTURE"
export AWS_ACCESS_KEY_ID=$RO_KEY AWS_SECRET_ACCESS_KEY=$RO_SECRET
write_config c.yaml <<'YAML'
version: 1
models:
  claude:
    product: prod-4pmewlybdftbs
    ous: [Workloads/Prod]
    accounts: ["444444444444"]
  haiku:
    product: prod-5oba7y7jpji56
    organization: true
YAML

emu reset-calls >/dev/null
expect_exit 0 lmg -c "$T/c.yaml" doctor
cat "$T/out"
assert_eq "$(cut -c1-5 "$T/out" | sort | uniq -c | awk '{print $1, $2}' | tr '\n' ';')" "9 ok;" "results"
assert_eq "$(awk '{print $2}' "$T/out" | tr '\n' ' ')" \
	"credentials caller organization-all-features trusted-access-license-manager trusted-access-marketplace license:claude targets:claude license:haiku targets:haiku " \
	"check names in order"
assert_contains "$T/out" "ok   caller  account 111111111111 is the management account of o-exampleorg1"
assert_eq "$(denied_calls)" 0 "calls the read-only policy denied"
assert_eq "$(writes)" 0 "writes made by doctor"
assert_eq "$(emu calls | jq -r '[.[].operation] | unique | join(" ")')" \
	"DescribeOrganization GetCallerIdentity ListAWSServiceAccessForOrganization ListAccountsForParent ListOrganizationalUnitsForParent ListReceivedLicenses ListRoots" \
	"operations doctor calls"

expect_exit 0 lmg -c "$T/c.yaml" doctor -o json
jq -e '.checks | length == 9 and all(.[]; (keys == ["detail", "fix", "name", "result"]) and .result == "ok" and .fix == null)' \
	"$T/out" >/dev/null || { cat "$T/out"; fail "doctor -o json shape"; }

# Marketplace trusted access disabled.
emu org-set '{"trusted_access_marketplace": false}' >/dev/null
emu reset-calls >/dev/null
expect_exit 1 lmg -c "$T/c.yaml" doctor
cat "$T/out"
assert_contains "$T/out" "FAIL trusted-access-marketplace  trusted access for license-management.marketplace.amazonaws.com is not enabled"
assert_contains "$T/out" "fix: from the management account: \`aws organizations enable-aws-service-access --service-principal license-management.marketplace.amazonaws.com\`"
assert_contains "$T/out" "ok   trusted-access-license-manager"
assert_eq "$(grep -c '^FAIL' "$T/out")" 1 "failed checks"
assert_eq "$(writes)" 0 "writes made by a failing doctor"
expect_exit 1 lmg -c "$T/c.yaml" doctor -o json
assert_eq "$(jq -r '.checks[] | select(.result == "fail") | .name' "$T/out")" trusted-access-marketplace "failed check (json)"
emu org-set '{"trusted_access_marketplace": true}' >/dev/null

# License Manager's trusted access disabled; then a consolidated-billing
# organization.
emu org-set '{"trusted_access": false}' >/dev/null
expect_exit 1 lmg -c "$T/c.yaml" doctor
assert_contains "$T/out" "FAIL trusted-access-license-manager"
assert_contains "$T/out" "--service-principal license-manager.amazonaws.com"
emu org-set '{"trusted_access": true, "feature_set": "CONSOLIDATED_BILLING"}' >/dev/null
expect_exit 1 lmg -c "$T/c.yaml" doctor
assert_contains "$T/out" "FAIL organization-all-features  organization o-exampleorg1 has feature set CONSOLIDATED_BILLING"
assert_contains "$T/out" "aws organizations enable-all-features"
assert_eq "$(grep -c '^FAIL' "$T/out")" 1 "failed checks"
emu org-set '{"feature_set": "ALL"}' >/dev/null

# A model whose product has no license, an unknown OU, an account inside a
# declared OU, an operation the license does not allow.
write_config bad.yaml <<'YAML'
version: 1
models:
  claude:
    product: prod-4pmewlybdftbs
    ous: [Workloads/Nope]
  haiku:
    product: prod-5oba7y7jpji56
    ous: [Workloads]
    accounts: ["222222222222"]
  nothing:
    product: prod-zzzzzzzzzzzz
    accounts: ["333333333333"]
YAML
expect_exit 1 lmg -c "$T/bad.yaml" doctor
cat "$T/out"
assert_contains "$T/out" "FAIL targets:claude  ou Workloads/Nope does not exist in organization o-exampleorg1"
assert_contains "$T/out" "FAIL targets:haiku  account 222222222222 lies inside ou Workloads"
assert_contains "$T/out" "FAIL license:nothing  account 111111111111 has received no license for prod-zzzzzzzzzzzz"
assert_contains "$T/out" "subscribe to the model in AWS Marketplace"
assert_contains "$T/out" "ok   license:claude"
assert_eq "$(writes)" 0 "writes"

# A license in another home region, one that may not be granted.
jq '.licenses[0].home_region = "eu-west-1" | .licenses[1].allowed_operations = ["CheckoutLicense"]' \
	"$POLICY_FIXTURE" >"$T/f2.json"
kill "$EMU_PID"; wait "$EMU_PID" 2>/dev/null || true
start_emulator "$T/f2.json"
export AWS_ACCESS_KEY_ID=$RO_KEY AWS_SECRET_ACCESS_KEY=$RO_SECRET
expect_exit 1 lmg -c "$T/c.yaml" doctor
cat "$T/out"
assert_contains "$T/out" "has home region eu-west-1; the configuration says region: us-east-1"
assert_contains "$T/out" "fix: set \`region: eu-west-1\` in the configuration"
assert_contains "$T/out" "FAIL license:haiku  account 111111111111 may not grant"

# A member account's keys: neither management account nor delegated
# administrator.
jq '.credentials += [{access_key_id: "AKIAEMULATORMEMBER15", secret_access_key: "memberSecretKey/ForTestsOnly000000000015",
	account: "333333333333", user: "dev"}]' "$POLICY_FIXTURE" >"$T/f3.json"
kill "$EMU_PID"; wait "$EMU_PID" 2>/dev/null || true
start_emulator "$T/f3.json"
as AKIAEMULATORMEMBER15 memberSecretKey/ForTestsOnly000000000015 expect_exit 1 lmg -c "$T/c.yaml" doctor
cat "$T/out"
assert_contains "$T/out" "FAIL caller  account 333333333333 is neither the management account (111111111111) nor License Manager's delegated administrator"
assert_contains "$T/out" "register-delegated-administrator --account-id 333333333333 --service-principal license-manager.amazonaws.com"
# No credentials at all.
env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY "$LMGRANTD_BIN" --log stderr -c "$T/c.yaml" doctor >"$T/out" 2>"$T/err" && fail "doctor without credentials exited 0"
assert_contains "$T/out" "FAIL credentials  GetCallerIdentity: NoCredentials: no usable AWS credentials"
assert_no_iam_secrets "$T/out" "$T/err" "$T/emulator.log"
echo ok
