# Scenario 5: a matching live grant is adopted; a DELETED tombstone leads
# to a new grant; a REJECTED grant is reported and not recreated; two live
# grants for one principal -> the extra one is deleted.
source "$(dirname "$0")/lib.sh"
start_emulator "$DEMO_FIXTURE"
claude=$(state '.licenses[] | select(.product_sku=="prod-4pmewlybdftbs") | .arn')
add() {
	add_grant "$claude" "$1" "$2"
}
adopted=$(add 222222222222 ACTIVE)
tomb=$(add 333333333333 DELETED)
rejected=$(add 444444444444 REJECTED)
dup_keep=$(add 555555555555 ACTIVE)
dup_extra=$(add 555555555555 DISABLED)
write_config c.yaml <<'YAML'
version: 1
models:
  claude:
    product: prod-4pmewlybdftbs
    accounts: ["222222222222", "333333333333", "444444444444", "555555555555"]
    operations: [CheckoutLicense]
YAML
emu reset-calls >/dev/null
expect_exit 2 lmg -c "$T/c.yaml" plan
assert_contains "$T/out" "! blocked"
assert_contains "$T/out" "rejected"
expect_exit 0 lmg -c "$T/c.yaml" apply
# The rejected grant is an entry of its own (a warning; it does not fail the pass).
assert_contains "$T/err" "claude: create for account 444444444444 skipped: rejected by the grantee; not recreated [action=create result=skipped"
assert_eq "$(emu calls --count --op CreateGrant)" 1 "creates (only for the tombstoned account)"
assert_eq "$(emu calls | jq -r '.[] | select(.operation=="CreateGrant") | .request.Principals[0]')" "arn:aws:iam::333333333333:root" "created for"
assert_eq "$(emu calls --count --op DeleteGrant)" 1 "deletes"
assert_eq "$(emu calls | jq -r '.[] | select(.operation=="DeleteGrant") | .request.GrantArn')" "$dup_extra" "deleted duplicate"
assert_eq "$(state ".grants[] | select(.arn==\"$adopted\") | .status")" ACTIVE "adopted grant"
assert_eq "$(state ".grants[] | select(.arn==\"$dup_keep\") | .status")" ACTIVE "kept duplicate"
assert_eq "$(state ".grants[] | select(.arn==\"$rejected\") | .status")" REJECTED "rejected grant"
assert_eq "$(state '[.grants[] | select(.principal=="arn:aws:iam::444444444444:root")] | length')" 1 "no new grant for the rejecting account"
assert_eq "$(state ".grants[] | select(.arn==\"$tomb\") | .status")" DELETED "tombstone"
echo ok
