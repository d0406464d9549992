# Scenario 1: from no grants, plan lists the creates (exit 2), apply
# creates exactly them, the next apply activates them with the configured
# override, and plan is then in sync (exit 0).
source "$(dirname "$0")/lib.sh"
start_emulator "$DEMO_FIXTURE"
write_config c.yaml <<'YAML'
version: 1
activation:
  override: ALL_GRANTS_PERMITTED_BY_ISSUER
models:
  claude:
    product: prod-4pmewlybdftbs
    ous: [Workloads/Prod, ou-ab12-dev00001]
    accounts: ["444444444444"]
  cohere:
    product: prod-tukx4z3hrewle
    organization: true
YAML

expect_exit 2 lmg -c "$T/c.yaml" plan
assert_eq "$(grep -c '^+ create' "$T/out")" 4 "creates listed"
assert_contains "$T/out" "Plan: 4 to create"
assert_eq "$(writes)" 0 "writes made by plan"

expect_exit 0 lmg -c "$T/c.yaml" apply
assert_eq "$(writes)" 4 "writes made by apply"
claude=$(state '.licenses[] | select(.product_sku=="prod-4pmewlybdftbs") | .arn')
top='[.grants[] | select(.parent_arn == .license_arn)]'
assert_eq "$(state "$top | length")" 4 "grants"
assert_eq "$(state "$top | map(.principal) | sort | join(\" \")")" \
	"arn:aws:iam::444444444444:root arn:aws:organizations::111111111111:organization/o-exampleorg1 arn:aws:organizations::111111111111:ou/o-exampleorg1/ou-ab12-dev00001 arn:aws:organizations::111111111111:ou/o-exampleorg1/ou-ab12-prod0001" \
	"principals"
assert_eq "$(state "$top | map(select(.license_arn == \"$claude\")) | length")" 3 "claude grants"
assert_eq "$(state "$top | map(.home_region) | unique | join(\",\")")" "us-east-1" "home region"
assert_eq "$(state "$top | map(.name) | unique | sort | join(\",\")")" "lmgrantd:claude,lmgrantd:cohere" "names"
assert_eq "$(state "$top | map(.operations | sort | join(\",\")) | unique | join(\";\")")" \
	"CheckInLicense,CheckoutLicense,CreateToken,ExtendConsumptionLicense,ListPurchasedLicenses" "operations"
assert_eq "$(state "$top | map(.tags | tostring) | unique | length")" 1 "one tag set"
assert_eq "$(state "$top | map(.tags | tostring | test(\"managed-by\") and test(\"lmgrantd\")) | all")" true "tag managed-by=lmgrantd"

emu advance >/dev/null
assert_eq "$(state "$top | map(.status) | unique | join(\",\")")" "DISABLED" "status after workflow"
emu reset-calls >/dev/null
expect_exit 0 lmg -c "$T/c.yaml" apply
assert_eq "$(grep -c '^^ activate' "$T/out")" 4 "activations"
assert_eq "$(writes)" 4 "activation writes"
assert_eq "$(emu calls | jq '[.[] | select(.operation=="CreateGrantVersion") | .request.Options.ActivationOverrideBehavior] | unique | join(",")' -r)" \
	"ALL_GRANTS_PERMITTED_BY_ISSUER" "override sent"
emu advance >/dev/null
assert_eq "$(state "$top | map(.status) | sort | unique | join(\",\")")" "ACTIVE,WORKFLOW_COMPLETED" "status after activation"

expect_exit 0 lmg -c "$T/c.yaml" plan
assert_contains "$T/out" "In sync"
echo "ok"
