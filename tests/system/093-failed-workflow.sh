# Issue 12 / SPEC 4.2: a principal whose workflow fails. Over 6 daemon
# passes at most 2 CreateGrant for it, and an error entry with AWS's
# StatusReason every pass; the model's other account converges.
source "$(dirname "$0")/lib.sh"
start_emulator "$DEMO_FIXTURE"
reason="The grant failed to distribute: the service-linked role is missing in 444444444444"
emu workflow-fail arn:aws:iam::444444444444:root "$reason" >/dev/null
write_config c.yaml <<'YAML'
version: 1
interval: 1s
models:
  claude:
    product: prod-4pmewlybdftbs
    accounts: ["444444444444", "666666666666"]
YAML
start_daemon "$T/c.yaml"
wait_for 60 "7 daemon passes" passes_at_least 7
stop_daemon
creates=$(emu calls | jq '[.[] | select(.operation == "CreateGrant" and .request.Principals[0] == "arn:aws:iam::444444444444:root")] | length')
[ "$creates" -ge 1 ] && [ "$creates" -le 2 ] || fail "CreateGrant for 444444444444: $creates"
assert_eq "$(state '[.grants[] | select(.principal == "arn:aws:iam::444444444444:root" and .status == "FAILED_WORKFLOW")] | length')" "$creates" "failed grants"
assert_eq "$(state '[.grants[] | select(.principal == "arn:aws:iam::666666666666:root" and .status == "ACTIVE")] | length')" 1 "the other account"
# Passes 2.. each report the failure at error priority, with the reason.
n=$(grep -c "error: .*FAILED_WORKFLOW.*service-linked role is missing" "$T/daemon.err")
[ "$n" -ge 5 ] || { tail -20 "$T/daemon.err"; fail "error entries with the StatusReason: $n"; }
grep "pass 6:" "$T/daemon.err" | grep -q failed || fail "pass 6 not failed"
expect_exit 1 lmg -c "$T/c.yaml" plan
assert_contains "$T/out" "service-linked role is missing"
echo ok
