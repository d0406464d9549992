# SPEC §4.3 orphans: removing a model from the file deletes exactly the
# grants lmgrantd made on its license (GrantName lmgrantd:<model>), under
# prune and the max_deletes valve (which counts them); a grant made by
# hand on that license survives, and prune: false deletes nothing.
source "$(dirname "$0")/lib.sh"
start_emulator "$DEMO_FIXTURE"
haiku=$(state '.licenses[] | select(.product_sku=="prod-5oba7y7jpji56") | .arn')
write_config c.yaml <<'YAML'
version: 1
models:
  claude:
    product: prod-4pmewlybdftbs
    accounts: ["222222222222"]
  haiku:
    product: prod-5oba7y7jpji56
    accounts: ["222222222222", "333333333333"]
YAML
apply_until_in_sync 4 "$T/c.yaml"
assert_eq "$(grants_in ACTIVE "$haiku")" 2 "haiku grants made by lmgrantd"
byhand=$(add_grant "$haiku" 444444444444 ACTIVE)
# A grant whose name only looks similar is not lmgrantd's either.
lookalike=$(add_grant "$haiku" 555555555555 ACTIVE "lmgrantd-like")

# haiku leaves the file.
write_config c.yaml <<'YAML'
version: 1
max_deletes: 1
models:
  claude:
    product: prod-4pmewlybdftbs
    accounts: ["222222222222"]
YAML
# The valve counts the orphans: two deletes > max_deletes 1, so none.
expect_exit 1 lmg -c "$T/c.yaml" plan
assert_eq "$(grep -c '^- delete' "$T/out")" 2 "orphan deletes planned"
assert_contains "$T/out" "withheld"
assert_contains "$T/out" "orphan: made for model haiku"
emu reset-calls >/dev/null
expect_exit 1 lmg -c "$T/c.yaml" apply
assert_eq "$(writes)" 0 "writes with the valve tripped"

# prune: false leaves orphans alone, and does not even read their license.
sed -i 's/max_deletes: 1/prune: false/' "$T/c.yaml"
emu reset-calls >/dev/null
expect_exit 0 lmg -c "$T/c.yaml" apply
assert_eq "$(writes)" 0 "writes with prune: false"

sed -i 's/prune: false/max_deletes: 2/' "$T/c.yaml"
# A pass that cannot read the organization revokes nothing.
emu config '{"fail_rules": [{"operation": "DescribeOrganization", "nth": 1, "times": 0, "status": 400, "type": "AccessDeniedException"}]}' >/dev/null
emu reset-calls >/dev/null
expect_exit 1 lmg -c "$T/c.yaml" apply
assert_eq "$(emu calls --count --op DeleteGrant)" 0 "orphan deletes without the organization"
emu config '{"fail_rules": null}' >/dev/null
expect_exit 2 lmg -c "$T/c.yaml" plan -o json
assert_eq "$(jq -r '[.actions[] | select(.action=="delete") | .license_arn] | unique | join(",")' "$T/out")" "$haiku" "orphan deletes are on haiku's license"
assert_eq "$(jq -r '[.actions[] | select(.action=="delete") | .model] | unique | join(",")' "$T/out")" "" "orphans have no model"
emu reset-calls >/dev/null
expect_exit 0 lmg -c "$T/c.yaml" apply
assert_eq "$(writes)" 2 "writes"
assert_eq "$(emu calls | jq -r '[.[] | select(.write) | .operation] | unique | join(",")')" DeleteGrant "the writes"
assert_eq "$(state "[.grants[] | select(.license_arn==\"$haiku\" and (.sub_grant | not) and .status==\"ACTIVE\") | .arn] | sort | join(\",\")")" \
	"$(printf '%s\n' "$byhand" "$lookalike" | sort | paste -sd,)" "grants left on haiku's license"
assert_eq "$(grants_in ACTIVE "$(state '.licenses[] | select(.product_sku=="prod-4pmewlybdftbs") | .arn')")" 1 "claude's grant untouched"
expect_exit 0 lmg -c "$T/c.yaml" plan
assert_contains "$T/out" "In sync"
echo ok
