# Issue 12 / SPEC 4.3: an account with its own Marketplace subscription
# under a declared OU ends active through the OU grant (a subscription
# gives way to a distributed grant), with one activation, not one a pass.
source "$(dirname "$0")/lib.sh"
start_emulator "$DEMO_FIXTURE"
emu subscription-add 222222222222 prod-4pmewlybdftbs >/dev/null
write_config c.yaml <<'YAML'
version: 1
interval: 1s
models:
  claude:
    product: prod-4pmewlybdftbs
    ous: [Workloads/Prod]
YAML
start_daemon "$T/c.yaml"
wait_for 60 "5 daemon passes" passes_at_least 5
stop_daemon
ou=$(state '[.grants[] | select((.sub_grant | not) and (.principal | test("ou-ab12-prod0001")))][0].arn')
assert_eq "$(state "[.grants[] | select(.parent_arn == \"$ou\" and .status == \"ACTIVE\")] | length")" 2 "active sub-grants"
assert_eq "$(state '.subscriptions[] | select(.account == "222222222222") | .status')" REPLACED "subscription"
assert_eq "$(emu calls | jq '[.[] | select(.operation == "CreateGrantVersion" and .request.Status == "ACTIVE")] | length')" 1 "activations"
expect_exit 0 lmg -c "$T/c.yaml" plan
assert_contains "$T/out" "In sync"
echo ok
