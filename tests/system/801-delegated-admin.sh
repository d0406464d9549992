# Issue 13: lmgrantd run as the organization's License Manager delegated
# administrator (account 666666666666, which holds the subscriptions), with
# the shipped policies: whoami says so, doctor passes, and the whole
# converge flow (plan, apply until in sync, the daemon) works with its keys;
# OU principals carry the management account's id. An AccessDenied hint
# names the action and does not send it to the management account.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/iam-lib.sh"
export AWS_EC2_METADATA_DISABLED=true
start_emulator "$DA_FIXTURE"
write_config c.yaml <<'YAML'
version: 1
interval: 1s
max_tps: 50
models:
  claude:
    product: prod-4pmewlybdftbs
    ous: [Workloads/Prod]
    accounts: ["444444444444"]
  haiku:
    product: prod-5oba7y7jpji56
    ous: [Sandbox]
YAML

as "$DA_RO_KEY" "$DA_RO_SECRET" expect_exit 0 lmg -c "$T/c.yaml" whoami
cat "$T/out"
assert_contains "$T/out" "account:            666666666666"
assert_contains "$T/out" "management account: no (organization o-exampleorg1, management account 111111111111)"
assert_contains "$T/out" "role:               delegated administrator for License Manager"
# The management account's keys: the licenses are not its own.
expect_exit 0 lmg -c "$T/c.yaml" whoami
assert_contains "$T/out" "role:               management account"

emu reset-calls >/dev/null
as "$DA_RO_KEY" "$DA_RO_SECRET" expect_exit 0 lmg -c "$T/c.yaml" doctor
cat "$T/out"
assert_contains "$T/out" "ok   caller  account 666666666666 is License Manager's delegated administrator of o-exampleorg1 (management account 111111111111)"
[ "$(grep -c '^ok' "$T/out")" = 9 ] || fail "not every check ok"
as "$DA_RO_KEY" "$DA_RO_SECRET" expect_exit 2 lmg -c "$T/c.yaml" plan
assert_eq "$(denied_calls)" 0 "calls denied to the delegated administrator's read-only key"

emu reset-calls >/dev/null
as "$DA_KEY" "$DA_SECRET" apply_until_in_sync 4 "$T/c.yaml"
assert_eq "$(denied_calls)" 0 "calls denied to the delegated administrator's daemon key"
assert_eq "$(emu calls | jq -r '[.[].access_key_id] | unique | join(" ")')" "$DA_KEY" "keys used"
assert_eq "$(grants_in WORKFLOW_COMPLETED)" 2 "OU grants"
assert_eq "$(grants_in ACTIVE)" 1 "account grant"
assert_eq "$(state '[.grants[] | select(.sub_grant | not) | .principal | select(startswith("arn:aws:organizations::"))
	| select(startswith("arn:aws:organizations::111111111111:ou/o-exampleorg1/") | not)] | length')" 0 \
	"OU principals with another account id than the management account's"
assert_eq "$(state '[.grants[] | select(.sub_grant and .status == "ACTIVE")] | length')" 3 "active sub-grants"

# The daemon, as the delegated administrator: passes stay in sync, a grant
# deleted by hand comes back.
as "$DA_KEY" "$DA_SECRET" start_daemon "$T/c.yaml"
wait_for 10 "first pass" bash -c "[ \$(jq -r '.pass // 0' '$T/state/status.json' 2>/dev/null || echo 0) -ge 1 ]"
gone=$(state '[.grants[] | select((.sub_grant | not) and .status == "ACTIVE")][0].arn')
emu grant-set "{\"arn\": \"$gone\", \"status\": \"DELETED\"}" >/dev/null
active_again() { [ "$(grants_in ACTIVE)" = 1 ]; }
wait_for 15 "the deleted grant to be replaced and activated" active_again
stop_daemon
assert_eq "$(denied_calls)" 0 "calls denied to the daemon"

# Without TagResource in its policy, CreateGrant with the managed-by tag is
# refused; the hint names the action and not the management account.
jq --arg k "$DA_KEY" '(.credentials[] | select(.access_key_id == $k) | .policy.Statement[1].Action) |=
	map(select(. != "license-manager:TagResource"))' "$DA_FIXTURE" >"$T/notag.json"
kill "$EMU_PID"; wait "$EMU_PID" 2>/dev/null || true
start_emulator "$T/notag.json"
as "$DA_KEY" "$DA_SECRET" expect_exit 1 lmg -c "$T/c.yaml" apply
grep -F "CreateGrant: AccessDeniedException" "$T/err" | head -1
assert_contains "$T/err" "is not authorized to perform: license-manager:TagResource"
assert_contains "$T/err" "hint: license-manager:TagResource is denied: the IAM policy"
if grep -F "CreateGrant: AccessDeniedException" "$T/err" | grep -q "management account"; then
	fail "the AccessDenied hint sends the delegated administrator to the management account"
fi
assert_no_iam_secrets "$T/out" "$T/err" "$T/daemon.err" "$T/emulator.log"
echo ok
