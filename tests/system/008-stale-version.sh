# Scenario 8: the grant's version changes between lmgrantd's read and its
# write (another writer); DeleteGrant and CreateGrantVersion fail with the
# stale-version error, lmgrantd re-reads the grant (GetGrant) and succeeds.
source "$(dirname "$0")/lib.sh"
start_emulator "$DEMO_FIXTURE"
claude=$(state '.licenses[] | select(.product_sku=="prod-4pmewlybdftbs") | .arn')
add() {
	add_grant "$claude" "$1" "$2" old
}
g=$(add 333333333333 ACTIVE)
d=$(add 222222222222 DISABLED)
write_config c.yaml <<'YAML'
version: 1
models:
  claude:
    product: prod-4pmewlybdftbs
    accounts: ["222222222222"]
    operations: [CheckoutLicense]
YAML
emu config '{"fail_rules": [{"operation": "DeleteGrant", "nth": 1, "times": 1, "concurrent_write": true},
	{"operation": "CreateGrantVersion", "nth": 1, "times": 1, "concurrent_write": true}]}' >/dev/null
emu reset-calls >/dev/null
expect_exit 0 lmg -c "$T/c.yaml" apply
assert_eq "$(state ".grants[] | select(.arn==\"$g\") | .status")" DELETED "deleted"
assert_eq "$(state ".grants[] | select(.arn==\"$d\") | .status")" ACTIVE "activated"
assert_eq "$(emu calls | jq -r '[.[] | select(.operation=="DeleteGrant") | .error // "ok"] | join(",")')" \
	"ValidationException,ok" "delete attempts"
assert_eq "$(emu calls | jq -r '[.[] | select(.operation=="CreateGrantVersion") | .error // "ok"] | join(",")')" \
	"ValidationException,ok" "activation attempts"
assert_eq "$(emu calls --count --op GetGrant)" 2 "re-reads"
echo ok
