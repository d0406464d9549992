# A failed Organizations read fails the pass (exit 1, SPEC §1) even when
# account-only models can still converge without it.
source "$(dirname "$0")/lib.sh"
start_emulator "$DEMO_FIXTURE"
write_config c.yaml <<'YAML'
version: 1
models:
  claude:
    product: prod-4pmewlybdftbs
    accounts: ["222222222222"]
YAML
emu config '{"fail_rules": [{"operation": "DescribeOrganization", "nth": 1, "times": 0, "status": 400, "type": "AccessDeniedException"}]}' >/dev/null
expect_exit 1 lmg -c "$T/c.yaml" apply
assert_contains "$T/err" "DescribeOrganization"
assert_eq "$(state '[.grants[] | select(.principal=="arn:aws:iam::222222222222:root")] | length')" 1 "account grant still made"
echo ok
