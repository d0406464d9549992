# Scenario 2: apply on a converged state makes zero write calls.
source "$(dirname "$0")/lib.sh"
start_emulator "$DEMO_FIXTURE"
write_config c.yaml <<'YAML'
version: 1
models:
  claude:
    product: prod-4pmewlybdftbs
    ous: [Workloads]
    accounts: ["666666666666"]
YAML
expect_exit 0 lmg -c "$T/c.yaml" apply
emu advance >/dev/null
expect_exit 0 lmg -c "$T/c.yaml" apply
emu advance >/dev/null
emu reset-calls >/dev/null
expect_exit 0 lmg -c "$T/c.yaml" apply
assert_eq "$(writes)" 0 "writes on a converged state"
assert_contains "$T/out" "In sync"
expect_exit 0 lmg -c "$T/c.yaml" plan
assert_eq "$(writes)" 0 "writes"
echo ok
