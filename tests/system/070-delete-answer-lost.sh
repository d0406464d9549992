# A DeleteGrant whose answer is lost (connection dropped after the delete
# committed) is retried, meets "already deleted", re-reads the grant and
# counts as done: the pass succeeds instead of failing.
source "$(dirname "$0")/lib.sh"
start_emulator "$DEMO_FIXTURE"
claude=$(state '.licenses[] | select(.product_sku=="prod-4pmewlybdftbs") | .arn')
g=$(add_grant "$claude" 333333333333 ACTIVE old)
add_grant "$claude" 222222222222 ACTIVE keep >/dev/null
write_config c.yaml <<'YAML'
version: 1
models:
  claude:
    product: prod-4pmewlybdftbs
    accounts: ["222222222222"]
    operations: [CheckoutLicense]
YAML
emu config '{"drop_rate": 1.0}' >/dev/null
emu reset-calls >/dev/null
expect_exit 0 lmg -c "$T/c.yaml" apply
assert_eq "$(state ".grants[] | select(.arn==\"$g\") | .status")" DELETED "deleted"
assert_eq "$([ "$(emu calls --count --op DeleteGrant)" -ge 2 ] && echo yes)" yes "delete retried after the lost answer"
assert_eq "$(emu calls --count --op GetGrant)" 1 "re-read"
assert_contains "$T/err" "1 changes made, 0 failed"
echo ok
