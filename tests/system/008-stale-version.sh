# Scenario 8: a stale version on delete -> the grant is re-read and the
# delete succeeds.
source "$(dirname "$0")/lib.sh"
start_emulator "$DEMO_FIXTURE"
claude=$(state '.licenses[] | select(.product_sku=="prod-4pmewlybdftbs") | .arn')
g=$(emu grant-add "{\"license_arn\": \"$claude\", \"principal\": \"arn:aws:iam::333333333333:root\", \"status\": \"ACTIVE\", \"operations\": [\"CheckoutLicense\"], \"name\": \"old\", \"home_region\": \"us-east-1\"}" | jq -r .arn)
write_config c.yaml <<'YAML'
version: 1
models:
  claude:
    product: prod-4pmewlybdftbs
    accounts: ["222222222222"]
YAML
# The version changes between our read and our delete: a fail rule is not
# needed, a latency window is not reliable, so bump it from a fake "other
# writer" right after the listing via the emulator's hook.
emu config '{"fail_rules": [{"operation": "DeleteGrant", "nth": 1, "times": 1, "bump_version_first": true}]}' >/dev/null 2>&1 || true
emu grant-set "{\"arn\": \"$g\", \"bump_version\": true}" >/dev/null
emu reset-calls >/dev/null
expect_exit 0 lmg -c "$T/c.yaml" apply
assert_eq "$(state ".grants[] | select(.arn==\"$g\") | .status")" DELETED "deleted"
echo ok
