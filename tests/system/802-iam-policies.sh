# Issue 13: the IAM policies in contrib/iam/ are enough, and the emulator
# holds lmgrantd to them (the test loads the shipped files themselves, so a
# code change that calls an action a policy lacks fails here): plan and
# doctor under lmgrantd-readonly.json, apply and run under
# lmgrantd-daemon.json, the grantee's accept and activation under
# grantee-role-policy.json. Not one call is denied. The read-only key cannot
# write.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/iam-lib.sh"
export AWS_EC2_METADATA_DISABLED=true
# 222222222222 must accept its grants: lmgrantd assumes its grantee role.
jq '(.accounts[] | select(.id == "222222222222")).requires_accept = true' "$POLICY_FIXTURE" >"$T/f.json"
start_emulator "$T/f.json"
write_config c.yaml <<'YAML'
version: 1
interval: 1s
max_tps: 50
activation:
  grantee_role: LicenseGrantActivator
models:
  claude:
    product: prod-4pmewlybdftbs
    ous: [Workloads/Dev]
    accounts: ["222222222222"]
  haiku:
    product: prod-5oba7y7jpji56
    organization: true
YAML
# A grant lmgrantd does not declare, to be pruned.
add_grant "$(state '.licenses[0].arn')" 444444444444 ACTIVE >/dev/null

emu reset-calls >/dev/null
as "$RO_KEY" "$RO_SECRET" expect_exit 2 lmg -c "$T/c.yaml" plan
as "$RO_KEY" "$RO_SECRET" expect_exit 0 lmg -c "$T/c.yaml" doctor
assert_eq "$(denied_calls)" 0 "calls denied under the read-only policy (plan, doctor)"
assert_eq "$(writes)" 0 "writes"
# The read-only key may not write: the policy is enforced.
as "$RO_KEY" "$RO_SECRET" expect_exit 1 lmg -c "$T/c.yaml" apply
assert_contains "$T/err" "is not authorized to perform: license-manager:CreateGrant"
assert_eq "$(state '[.grants[] | select(.sub_grant | not)] | length')" 1 "grants after a read-only apply"

emu reset-calls >/dev/null
as "$DAEMON_KEY" "$DAEMON_SECRET" apply_until_in_sync 5 "$T/c.yaml"
assert_eq "$(denied_calls)" 0 "calls denied under the daemon and grantee policies (apply)"
for op in CreateGrant CreateGrantVersion DeleteGrant AssumeRole AcceptGrant ListReceivedGrantsForOrganization; do
	[ "$(emu calls --count --op "$op")" -ge 1 ] || fail "apply never called $op: the test does not cover it"
done
assert_eq "$(grants_in ACTIVE)" 1 "account grant accepted and activated"
assert_eq "$(grants_in WORKFLOW_COMPLETED)" 2 "OU and organization grants"
assert_eq "$(grants_in DELETED)" 1 "pruned grant"

# In sync: plan and doctor under the read-only policy read the sub-grants too.
emu reset-calls >/dev/null
as "$RO_KEY" "$RO_SECRET" expect_exit 0 lmg -c "$T/c.yaml" plan
[ "$(emu calls --count --op ListReceivedGrantsForOrganization)" -ge 1 ] || fail "plan read no sub-grants"
if "$LMGRANTD_BIN" --help 2>/dev/null | grep -q "^  access"; then
	as "$RO_KEY" "$RO_SECRET" expect_exit 0 lmg -c "$T/c.yaml" access
fi
assert_eq "$(denied_calls)" 0 "calls denied under the read-only policy (plan in sync)"

# The daemon under the daemon policy: an OU grant deleted by hand is made
# and activated again, the activation meeting a version that moved
# (answered by GetGrant), without a denied call.
emu reset-calls >/dev/null
emu config '{"fail_rules": [{"operation": "CreateGrantVersion", "nth": 1, "times": 1, "concurrent_write": true}]}' >/dev/null
gone=$(state '[.grants[] | select((.sub_grant | not) and .status == "WORKFLOW_COMPLETED" and (.principal | contains(":ou/")))][0].arn')
emu grant-set "{\"arn\": \"$gone\", \"status\": \"DELETED\"}" >/dev/null
as "$DAEMON_KEY" "$DAEMON_SECRET" start_daemon "$T/c.yaml"
active_again() { [ "$(grants_in WORKFLOW_COMPLETED)" = 2 ] && [ "$(daemon_pass)" -ge 3 ]; }
wait_for 20 "the deleted OU grant to be made and activated again" active_again
stop_daemon
[ "$(emu calls --count --op GetGrant)" -ge 1 ] || fail "the version mismatch was not answered by GetGrant"
assert_eq "$(denied_calls)" 0 "calls denied under the daemon policy (run)"

# A policy without an action lmgrantd needs fails the same flow: the
# emulator enforces the list (here: no ListReceivedGrantsForOrganization).
jq --arg k "$DAEMON_KEY" '(.credentials[] | select(.access_key_id == $k) | .policy.Statement[0].Action) |=
	map(select(. != "license-manager:ListReceivedGrantsForOrganization"))' "$T/f.json" >"$T/less.json"
kill "$EMU_PID"; wait "$EMU_PID" 2>/dev/null || true
start_emulator "$T/less.json"
add_grant "$(state '.licenses[0].arn')" 444444444444 ACTIVE >/dev/null
emu reset-calls >/dev/null
for _ in 1 2 3 4; do
	as "$DAEMON_KEY" "$DAEMON_SECRET" lmg -c "$T/c.yaml" apply >"$T/out" 2>"$T/err" || true
	[ "$(denied_calls)" -ge 1 ] && break
done
[ "$(denied_calls)" -ge 1 ] || fail "a policy without ListReceivedGrantsForOrganization was not refused"
assert_contains "$T/err" "license-manager:ListReceivedGrantsForOrganization is denied"
assert_no_iam_secrets "$T/out" "$T/err" "$T/daemon.err" "$T/emulator.log"
echo ok
