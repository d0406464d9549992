# Scenario 4: more planned deletes than max_deletes -> no delete at all,
# exit 1, and the reason printed.
source "$(dirname "$0")/lib.sh"
start_emulator "$DEMO_FIXTURE"
claude=$(state '.licenses[] | select(.product_sku=="prod-4pmewlybdftbs") | .arn')
for a in 222222222222 333333333333 444444444444; do
	add_grant "$claude" "$a" ACTIVE old >/dev/null
done
write_config c.yaml <<'YAML'
version: 1
max_deletes: 2
models:
  claude:
    product: prod-4pmewlybdftbs
    accounts: ["555555555555"]
    operations: [CheckoutLicense]
YAML
emu reset-calls >/dev/null
expect_exit 1 lmg -c "$T/c.yaml" plan
assert_contains "$T/out" "max_deletes"
expect_exit 1 lmg -c "$T/c.yaml" apply
assert_contains "$T/out" "Safety valve"
assert_contains "$T/err" "safety valve"
assert_eq "$(emu calls --count --op DeleteGrant)" 0 "DeleteGrant calls"
assert_eq "$(state '[.grants[] | select(.status=="DELETED")] | length')" 0 "deleted grants"
# The declared account still gets its grant: make before break.
assert_eq "$(state '[.grants[] | select(.principal=="arn:aws:iam::555555555555:root")] | length')" 1 "created grant"

sed -i 's/max_deletes: 2/max_deletes: 3/' "$T/c.yaml"
expect_exit 0 lmg -c "$T/c.yaml" apply
assert_eq "$(emu calls --count --op DeleteGrant)" 3 "DeleteGrant calls at the limit"
echo ok
