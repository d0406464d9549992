# Scenario 3: removing an account deletes exactly its grant; with
# prune: false nothing is deleted; licenses absent from the file are
# never touched.
source "$(dirname "$0")/lib.sh"
start_emulator "$DEMO_FIXTURE"
haiku=$(state '.licenses[] | select(.product_sku=="prod-5oba7y7jpji56") | .arn')
add_grant "$haiku" 222222222222 ACTIVE >/dev/null
write_config c.yaml <<'YAML'
version: 1
models:
  claude:
    product: prod-4pmewlybdftbs
    accounts: ["222222222222", "333333333333"]
YAML
expect_exit 0 lmg -c "$T/c.yaml" apply
emu advance >/dev/null
expect_exit 0 lmg -c "$T/c.yaml" apply
emu advance >/dev/null
gone=$(state '.grants[] | select(.principal=="arn:aws:iam::333333333333:root" and .status!="DELETED") | .arn')

write_config c.yaml <<'YAML'
version: 1
prune: false
models:
  claude:
    product: prod-4pmewlybdftbs
    accounts: ["222222222222"]
YAML
emu reset-calls >/dev/null
expect_exit 0 lmg -c "$T/c.yaml" apply
assert_eq "$(writes)" 0 "writes with prune: false"

sed -i 's/prune: false/prune: true/' "$T/c.yaml"
expect_exit 2 lmg -c "$T/c.yaml" plan
assert_eq "$(grep -c '^- delete' "$T/out")" 1 "deletes planned"
expect_exit 0 lmg -c "$T/c.yaml" apply
assert_eq "$(writes)" 1 "writes"
assert_eq "$(emu calls | jq -r '[.[] | select(.write)] | .[0].operation')" DeleteGrant "the write"
assert_eq "$(state ".grants[] | select(.arn==\"$gone\") | .status")" DELETED "removed account's grant"
assert_eq "$(state '[.grants[] | select(.principal=="arn:aws:iam::222222222222:root" and .status=="ACTIVE")] | length')" 2 "kept grants (claude + untouched haiku)"
assert_eq "$(state ".grants[] | select(.license_arn==\"$haiku\") | .status")" ACTIVE "undeclared license untouched"
echo ok
