# Issue 12 / SPEC 4.1: a license whose home region is not `region` is
# refused before any grant call (AWS would answer "Grant can only be
# created in resource home AWS region: us-east-1").
source "$(dirname "$0")/lib.sh"
start_emulator "$DEMO_FIXTURE" --region eu-west-1
write_config c.yaml <<'YAML'
version: 1
region: eu-west-1
models:
  claude:
    product: prod-4pmewlybdftbs
    accounts: ["222222222222"]
YAML
expect_exit 1 lmg -c "$T/c.yaml" apply
assert_contains "$T/out" "has home region us-east-1, but region is eu-west-1"
assert_eq "$(writes)" 0 "writes"
assert_eq "$(emu calls --count --op ListDistributedGrants)" 0 "grant reads of the license"
echo ok
