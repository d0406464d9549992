# Issue 12 / SPEC 4.1: answers that contradict themselves, and licenses
# that cannot be granted, lead to no write on that license.
source "$(dirname "$0")/lib.sh"
start_emulator "$DEMO_FIXTURE"
claude=$(state '.licenses[] | select(.product_sku=="prod-4pmewlybdftbs") | .arn')
cohere=$(state '.licenses[] | select(.product_sku=="prod-tukx4z3hrewle") | .arn')
write_config c.yaml <<'YAML'
version: 1
models:
  claude:
    product: prod-4pmewlybdftbs
    accounts: ["222222222222"]
YAML
# An undeclared grant on the managed license that prune would delete.
add_grant "$claude" 555555555555 ACTIVE >/dev/null

grant_item() { # LICENSE ACCOUNT N
	jq -nc --arg l "$1" --arg a "$2" --arg n "$3" '{GrantArn: ("arn:aws:license-manager::111111111111:grant:g-" + ($n | tonumber | tostring | ("0" * (32 - length)) + .)),
		GrantName: "x", ParentArn: $l, LicenseArn: $l, GranteePrincipalArn: ("arn:aws:iam::" + $a + ":root"),
		HomeRegion: "us-east-1", GrantStatus: "ACTIVE", Version: "1", GrantedOperations: ["CheckoutLicense"]}'
}
answer_with() { # FILE: every ListDistributedGrants answers its contents
	jq -c --rawfile b "$1" -n '{fail_rules: [{operation: "ListDistributedGrants", nth: 1, times: 0, status: 200, body: $b}]}' >"$T/rule.json"
	curl -sf -X POST --data-binary @"$T/rule.json" "http://127.0.0.1:$(cat "$T/port")/_emu/config" >/dev/null ||
		fail "cannot set the fail rule"
}
no_writes_then_reset() {
	assert_eq "$(writes)" 0 "writes after $1"
	emu config '{"fail_rules": []}' >/dev/null
	emu reset-calls >/dev/null
}

# 1. A listed item of another license (the cohere license, not in the file).
jq -nc --argjson g "$(grant_item "$cohere" 444444444444 7)" '{Grants: [$g]}' >"$T/foreign.json"
answer_with "$T/foreign.json"
emu reset-calls >/dev/null
expect_exit 1 lmg -c "$T/c.yaml" apply
assert_contains "$T/err" "InvalidResponse"
assert_contains "$T/err" "belongs to license $cohere"
no_writes_then_reset "a foreign LicenseArn"

# 2. More than 4,000 grants for one license (AWS allows 2,000).
jq -nc --arg l "$claude" '{Grants: [range(4001) | {GrantArn: ("arn:aws:license-manager::111111111111:grant:g-" + (tostring | ("0" * (32 - length)) + .)),
	GrantName: "x", ParentArn: $l, LicenseArn: $l, GranteePrincipalArn: "arn:aws:iam::222222222222:root",
	HomeRegion: "us-east-1", GrantStatus: "ACTIVE", Version: "1", GrantedOperations: ["CheckoutLicense"]}]}' >"$T/big.json"
answer_with "$T/big.json"
expect_exit 1 lmg -c "$T/c.yaml" apply
assert_contains "$T/err" "more than 4000 items"
no_writes_then_reset "4,001 grants"

# 3. A license that is not AVAILABLE: the model is blocked, no call made for it.
emu license-set "$(jq -nc --arg a "$claude" '{arn: $a, status: "EXPIRED"}')" >/dev/null
expect_exit 1 lmg -c "$T/c.yaml" apply
assert_contains "$T/out" "is EXPIRED, not AVAILABLE"
assert_eq "$(emu calls | jq --arg l "$claude" '[.[] | select(.operation == "ListDistributedGrants" and .request.Filters[0].Values[0] == $l)] | length')" 0 "reads of a blocked license"
no_writes_then_reset "an EXPIRED license"
emu license-set "$(jq -nc --arg a "$claude" '{arn: $a, status: "AVAILABLE"}')" >/dev/null

# 4. Operations the issuer does not allow (the default list has CreateToken).
emu license-set "$(jq -nc --arg a "$claude" '{arn: $a, allowed_operations: ["CreateGrant", "CheckoutLicense"]}')" >/dev/null
expect_exit 1 lmg -c "$T/c.yaml" apply
assert_contains "$T/out" "does not allow CheckInLicense, ExtendConsumptionLicense, ListPurchasedLicenses, CreateToken"
no_writes_then_reset "operations not allowed"
emu license-set "$(jq -nc --arg a "$claude" '{arn: $a, allowed_operations: ["CheckoutLicense"]}')" >/dev/null
expect_exit 1 lmg -c "$T/c.yaml" apply
assert_contains "$T/out" "does not allow CreateGrant"
no_writes_then_reset "no CreateGrant"
emu license-set "$(jq -nc --arg a "$claude" '{arn: $a, allowed_operations: ["CreateGrant", "CheckoutLicense", "CheckInLicense", "ExtendConsumptionLicense", "ListPurchasedLicenses", "CreateToken"]}')" >/dev/null

# 5. Sub-grants listed by ListDistributedGrants are never planned.
write_config ou.yaml <<'YAML'
version: 1
models:
  claude:
    product: prod-4pmewlybdftbs
    ous: [Workloads/Prod]
YAML
emu config '{"list_subgrants": true}' >/dev/null
apply_until_in_sync 6 "$T/ou.yaml"
assert_eq "$(emu calls | jq '[.[] | select(.operation == "ListDistributedGrants")] | length > 0')" true "listings"
assert_eq "$(state '[.grants[] | select(.sub_grant and .status == "ACTIVE")] | length')" 2 "sub-grants untouched"
# Only the undeclared hand-made grant was deleted.
assert_eq "$(emu calls --count --op DeleteGrant)" 1 "deletes"
echo ok
