# Scenario 7: a changed operations list -> one CreateGrantVersion with
# the new list.
source "$(dirname "$0")/lib.sh"
start_emulator "$DEMO_FIXTURE"
write_config c.yaml <<'YAML'
version: 1
models:
  claude:
    product: prod-4pmewlybdftbs
    accounts: ["222222222222"]
    operations: [CheckoutLicense, CheckInLicense]
YAML
expect_exit 0 lmg -c "$T/c.yaml" apply
emu advance >/dev/null
expect_exit 0 lmg -c "$T/c.yaml" apply
emu advance >/dev/null
sed -i 's/operations: .*/operations: [CheckoutLicense, CheckInLicense, ExtendConsumptionLicense]/' "$T/c.yaml"
emu reset-calls >/dev/null
expect_exit 2 lmg -c "$T/c.yaml" plan
assert_contains "$T/out" "~ update"
expect_exit 0 lmg -c "$T/c.yaml" apply
assert_eq "$(writes)" 1 "writes"
assert_eq "$(emu calls | jq -r '[.[] | select(.write)][0] | .operation + " " + (.request.AllowedOperations | sort | join(","))')" \
	"CreateGrantVersion CheckInLicense,CheckoutLicense,ExtendConsumptionLicense" "update call"
assert_eq "$(state '.grants[] | select(.principal=="arn:aws:iam::222222222222:root") | .operations | sort | join(",")')" \
	"CheckInLicense,CheckoutLicense,ExtendConsumptionLicense" "live operations"
expect_exit 0 lmg -c "$T/c.yaml" plan
echo ok
