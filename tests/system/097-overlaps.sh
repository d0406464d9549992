# Issue 12 / SPEC 2: overlapping targets are errors. check finds those it
# can see offline; plan finds the rest with the OU tree and blocks the
# models involved (no call on their licenses), the others go ahead.
source "$(dirname "$0")/lib.sh"
start_emulator "$DEMO_FIXTURE"
write_config offline.yaml <<'YAML'
version: 1
models:
  claude:
    product: prod-4pmewlybdftbs
    organization: true
    accounts: ["444444444444"]
YAML
expect_exit 1 lmg -c "$T/offline.yaml" check
assert_contains "$T/err" "offline.yaml:6:16: account 444444444444 overlaps organization: true (5:5)"
assert_eq "$(emu calls --count)" 0 "calls made by check"

write_config tree.yaml <<'YAML'
version: 1
models:
  claude:
    product: prod-4pmewlybdftbs
    ous: [Workloads]
    accounts: ["222222222222", "444444444444"]
  haiku:
    product: prod-5oba7y7jpji56
    accounts: ["444444444444"]
YAML
expect_exit 0 lmg -c "$T/tree.yaml" check
expect_exit 1 lmg -c "$T/tree.yaml" apply
assert_contains "$T/out" "targets overlap"
assert_contains "$T/out" "tree.yaml:5:11: ou Workloads and account 222222222222 both cover arn:aws:iam::222222222222:root"
claude=$(state '.licenses[] | select(.product_sku=="prod-4pmewlybdftbs") | .arn')
assert_eq "$(emu calls | jq --arg l "$claude" '[.[] | select(.write and (.request.LicenseArn == $l))] | length')" 0 "writes on the blocked license"
# The model without an overlap went ahead.
assert_eq "$(emu calls --count --op CreateGrant)" 1 "creates"
echo ok
