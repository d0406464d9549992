# Issue 13: set-up hints that are right. A clock ahead of AWS's ("Signature
# not yet current") gets the clock hint, not "wrong secret key"; a clock
# behind gets it too; trusted access names both enable-aws-service-access
# commands (License Manager's and Marketplace's), not the console's link
# setting. (The denied action in an AccessDenied hint: 801.)
source "$(dirname "$0")/lib.sh"
export AWS_EC2_METADATA_DISABLED=true
start_emulator "$DEMO_FIXTURE"
write_config c.yaml <<'YAML'
version: 1
max_tps: 50
retry:
  max_attempts: 1
models:
  claude:
    product: prod-4pmewlybdftbs
    ous: [Workloads/Prod]
YAML

# The emulator's clock an hour behind: lmgrantd's looks an hour ahead.
emu config '{"clock_offset": -3600}' >/dev/null
expect_exit 1 lmg -c "$T/c.yaml" plan
# Issue 18: no decision reads AWS's message, so a signature refused for a
# clock ahead, a clock behind or a wrong key gets the one hint that names
# both causes, clock first.
clock_hint="hint: the system clock is off (ahead or behind) by more than 5 minutes, or the secret access key does not belong to the access key id"
assert_contains "$T/err" "InvalidSignatureException: Signature not yet current"
assert_contains "$T/err" "$clock_hint"
expect_exit 1 lmg -c "$T/c.yaml" whoami
assert_contains "$T/err" "SignatureDoesNotMatch: Signature not yet current"
assert_contains "$T/err" "$clock_hint"
emu config '{"clock_offset": 3600}' >/dev/null
expect_exit 1 lmg -c "$T/c.yaml" plan
assert_contains "$T/err" "$clock_hint"
emu config '{"clock_offset": null}' >/dev/null
AWS_SECRET_ACCESS_KEY=wrongSecretKey/ForTestsOnly000000000000 expect_exit 1 lmg -c "$T/c.yaml" plan
assert_contains "$T/err" "$clock_hint"

# Trusted access off: CreateGrant's error names both commands.
emu org-set '{"trusted_access": false}' >/dev/null
expect_exit 1 lmg -c "$T/c.yaml" apply
assert_contains "$T/err" "hint: enable trusted access for AWS License Manager in AWS Organizations: from the management account run \`aws organizations enable-aws-service-access --service-principal license-manager.amazonaws.com\` and \`aws organizations enable-aws-service-access --service-principal license-management.marketplace.amazonaws.com\`"
if grep -q "Link AWS Organizations accounts" "$T/err"; then fail "the hint still sends people to the console's link setting"; fi
echo ok
