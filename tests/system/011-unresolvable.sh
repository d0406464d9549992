# An unknown OU path or product is a clear error and no write for that
# model, even with prune on; the other models converge; exit 1.
source "$(dirname "$0")/lib.sh"
start_emulator "$DEMO_FIXTURE"
claude=$(state '.licenses[] | select(.product_sku=="prod-4pmewlybdftbs") | .arn')
g=$(add_grant "$claude" 333333333333 ACTIVE old)
write_config c.yaml <<'YAML'
version: 1
models:
  claude:
    product: prod-4pmewlybdftbs
    ous: [Workloads/Nope]
  unknown-product:
    product: prod-zzzzzzzzzzzzz
    accounts: ["222222222222"]
  cohere:
    product: prod-tukx4z3hrewle
    accounts: ["222222222222"]
YAML
emu reset-calls >/dev/null
expect_exit 1 lmg -c "$T/c.yaml" apply
assert_contains "$T/out" "unknown OU path 'Workloads/Nope'"
assert_contains "$T/out" "$T/c.yaml:5:11"
assert_contains "$T/out" "no received license for product prod-zzzzzzzzzzzzz"
# Each unresolvable model is a failure entry of its own, with the reason.
assert_contains "$T/err" "error: claude: model cannot be resolved: $T/c.yaml:5:11"
assert_contains "$T/err" "unknown OU path 'Workloads/Nope'"
grep -q "error: unknown-product: model cannot be resolved: .*prod-zzzzzzzzzzzzz.*\[action=pass result=failed model=unknown-product" "$T/err" ||
	{ cat "$T/err"; fail "no failure entry for unknown-product"; }
assert_eq "$(writes)" 1 "writes (only cohere's create)"
assert_eq "$(emu calls | jq -r '[.[] | select(.write)][0].request.Principals[0]')" "arn:aws:iam::222222222222:root" "cohere grant"
assert_eq "$(state ".grants[] | select(.arn==\"$g\") | .status")" ACTIVE "grant on the unresolved model's license kept"
echo ok
