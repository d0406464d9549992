# Scenario 6: an account moved into a declared OU after activation gets a
# DISABLED sub-grant; the OU grant is activated again.
source "$(dirname "$0")/lib.sh"
start_emulator "$DEMO_FIXTURE"
write_config c.yaml <<'YAML'
version: 1
models:
  claude:
    product: prod-4pmewlybdftbs
    ous: [Workloads/Prod]
YAML
expect_exit 0 lmg -c "$T/c.yaml" apply
emu advance >/dev/null
expect_exit 0 lmg -c "$T/c.yaml" apply
emu advance >/dev/null
ou_grant=$(state '.grants[] | select(.principal | endswith("ou-ab12-prod0001")) | .arn')
assert_eq "$(state ".grants[] | select(.arn==\"$ou_grant\") | .status")" WORKFLOW_COMPLETED "OU grant"
expect_exit 0 lmg -c "$T/c.yaml" plan

emu account-move 666666666666 ou-ab12-prod0001 >/dev/null
assert_eq "$(state ".grants[] | select(.parent_arn==\"$ou_grant\" and .principal==\"arn:aws:iam::666666666666:root\") | .status")" DISABLED "moved account's sub-grant"
expect_exit 2 lmg -c "$T/c.yaml" plan
assert_contains "$T/out" "^ activate"
emu reset-calls >/dev/null
expect_exit 0 lmg -c "$T/c.yaml" apply
assert_eq "$(emu calls | jq -r '[.[] | select(.write)] | map(.operation + " " + .request.GrantArn + " " + .request.Status) | join(";")')" \
	"CreateGrantVersion $ou_grant ACTIVE" "re-activation"
emu advance >/dev/null
assert_eq "$(state ".grants[] | select(.parent_arn==\"$ou_grant\" and .principal==\"arn:aws:iam::666666666666:root\") | .status")" ACTIVE "sub-grant after re-activation"
expect_exit 0 lmg -c "$T/c.yaml" plan
echo ok
