# Issue 5, fault 4: ListDistributedGrants fails on the third page of one
# license (every retry of that page too). The license's state is unknown:
# it gets no action at all that pass (no create, and no delete of the
# undeclared grant already seen on page 1, although prune is on); the
# other license proceeds; the pass exits 1 naming the failed read. The
# next pass, without the fault, converges the first license too.
source "$(dirname "$0")/lib.sh"
start_emulator "$DEMO_FIXTURE" --page-size 3
claude=$(state '.licenses[] | select(.product_sku=="prod-4pmewlybdftbs") | .arn')
haiku=$(state '.licenses[] | select(.product_sku=="prod-5oba7y7jpji56") | .arn')
add() { add_grant "$1" "$2" "$3" old; } # add LICENSE ACCOUNT STATUS
# claude: an undeclared ACTIVE grant first (page 1), then eight tombstones:
# four pages of three.
stale=$(add "$claude" 666666666666 ACTIVE)
for a in 333333333333 444444444444 555555555555 666666666666 333333333333 444444444444 555555555555 666666666666; do
	add "$claude" "$a" DELETED >/dev/null
done
# haiku: one page; an undeclared grant to delete, a declared account to create.
old=$(add "$haiku" 333333333333 ACTIVE)
write_config c.yaml <<'YAML'
version: 1
max_tps: 20
retry:
  max_attempts: 3
models:
  claude:
    product: prod-4pmewlybdftbs
    accounts: ["222222222222"]
    operations: [CheckoutLicense]
  haiku:
    product: prod-5oba7y7jpji56
    accounts: ["222222222222"]
    operations: [CheckoutLicense]
YAML
# The two licenses are read side by side: calls 1 and 2 are the first page
# of each (every answer takes 200 ms, so both are asked for before either
# is back, even under valgrind); haiku has no more. Calls 4-6 are claude's
# third page and its two retries.
emu config '{"latency_ms": 200, "fail_rules": [{"operation": "ListDistributedGrants", "nth": 4, "times": 3, "status": 500}]}' >/dev/null
emu reset-calls >/dev/null
expect_exit 1 lmg -c "$T/c.yaml" apply
emu config '{"latency_ms": null, "fail_rules": null}' >/dev/null

lists=$(emu calls | jq -c --arg l "$claude" '[.[] | select(.operation == "ListDistributedGrants"
	and .request.Filters[0].Values[0] == $l) | {token: (.request.NextToken != null), status}]')
assert_eq "$(echo "$lists" | jq -c '[.[] | .status]')" "[200,200,500,500,500]" "claude's page reads"
assert_eq "$(echo "$lists" | jq '[.[2:][] | select(.token)] | length')" 3 "failed reads carry a NextToken"
assert_contains "$T/err" "ListDistributedGrants"
assert_contains "$T/err" "$claude"
grep -q "blocked.*claude\|claude.*state unknown" "$T/out" || { cat "$T/out"; fail "plan output does not report claude as unknown"; }
# Nothing written on claude: no create, no delete, no version.
on_claude=$(emu calls | jq --arg l "$claude" --arg g "$stale" '[.[] | select(.write and
	(.request.LicenseArn == $l or .request.GrantArn == $g))] | length')
assert_eq "$on_claude" 0 "writes on the license whose listing failed"
assert_eq "$(state ".grants[] | select(.arn == \"$stale\") | .status")" ACTIVE "undeclared grant seen on page 1"
# haiku went ahead: its create and its delete.
assert_eq "$(emu calls | jq --arg l "$haiku" '[.[] | select(.operation == "CreateGrant" and .request.LicenseArn == $l and .status == 200)] | length')" 1 "haiku create"
assert_eq "$(state ".grants[] | select(.arn == \"$old\") | .status")" DELETED "haiku's undeclared grant"

# Without the fault the next pass converges claude too.
emu reset-calls >/dev/null
expect_exit 0 lmg -c "$T/c.yaml" apply
assert_eq "$(state ".grants[] | select(.arn == \"$stale\") | .status")" DELETED "claude's undeclared grant, next pass"
assert_eq "$(emu calls | jq --arg l "$claude" '[.[] | select(.operation == "CreateGrant" and .request.LicenseArn == $l and .status == 200)] | length')" 1 "claude create, next pass"
echo ok
