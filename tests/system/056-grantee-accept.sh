# The grantee side (SPEC §4.4): account grants that end their workflow in
# PENDING_ACCEPT. With activation.grantee_role, lmgrantd assumes
# arn:aws:iam::<account>:role/<grantee_role> (session "lmgrantd", one
# AssumeRole per account however many grants wait there), calls
# AcceptGrant and then CreateGrantVersion Status=ACTIVE with the override,
# both signed by the assumed role's key. An account whose role cannot be
# assumed fails alone: the license's other actions still run. Without
# grantee_role the grants are reported as waiting.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/creds-lib.sh"
jq '(.accounts[] | select(.id == "222222222222" or .id == "444444444444")).requires_accept = true' \
	"$CREDS_FIXTURE" >"$T/accept.json"
start_emulator "$T/accept.json"
GRANTEE_ROLE=arn:aws:iam::222222222222:role/LicenseGrantActivator
write_config g.yaml <<'YAML'
version: 1
max_tps: 50
activation:
  override: ALL_GRANTS_PERMITTED_BY_ISSUER
  grantee_role: LicenseGrantActivator
models:
  claude:
    product: prod-4pmewlybdftbs
    ous: [ou-ab12-dev00001]
    accounts: ["222222222222", "444444444444"]
  cohere:
    product: prod-tukx4z3hrewle
    accounts: ["222222222222"]
YAML
sed '/grantee_role/d' "$T/g.yaml" >"$T/nog.yaml"
chmod 600 "$T/nog.yaml"
grant_of() { # grant_of PRINCIPAL_ACCOUNT PRODUCT_SKU -> field $3
	state "[.licenses[] | select(.product_sku == \"$2\") | .arn] as \$l | .grants[]
	       | select(.principal == \"arn:aws:iam::$1:root\" and (.license_arn | IN(\$l[])) and .parent_arn == .license_arn) | .$3"
}

expect_exit 0 lmg -c "$T/g.yaml" apply
emu advance >/dev/null
assert_eq "$(grant_of 222222222222 prod-4pmewlybdftbs status)" PENDING_ACCEPT "claude grant of 2222 after its workflow"
assert_eq "$(grant_of 444444444444 prod-4pmewlybdftbs status)" PENDING_ACCEPT "claude grant of 4444 after its workflow"

# Without grantee_role: waiting for the accounts.
expect_exit 2 lmg -c "$T/nog.yaml" plan
assert_contains "$T/out" "waiting for account 222222222222 to accept the grant"
assert_contains "$T/out" "0 to accept"
expect_exit 2 lmg -c "$T/g.yaml" plan
assert_contains "$T/out" "Plan: 0 to create, 0 to update, 3 to accept, 1 to activate"

emu reset-calls >/dev/null
expect_exit 1 lmg -c "$T/g.yaml" apply
emu calls >"$T/calls.json"
calls() { jq -r "$1" "$T/calls.json"; }

# One AssumeRole per account, signed by lmgrantd's own key, session lmgrantd.
assert_eq "$(calls '[.[] | select(.operation == "AssumeRole") | "\(.request.RoleArn) \(.request.RoleSessionName) \(.access_key_id)"] | sort | join(";")')" \
	"$GRANTEE_ROLE lmgrantd $ADMIN_KEY;arn:aws:iam::444444444444:role/LicenseGrantActivator lmgrantd $ADMIN_KEY" \
	"AssumeRole calls"
grantee_key=$(state "[.credentials[] | select(.role_arn == \"$GRANTEE_ROLE\" and .session_name == \"lmgrantd\") | .access_key_id] | join(\" \")")
[[ "$grantee_key" == ASIA* ]] || fail "no session issued for $GRANTEE_ROLE"
# AcceptGrant and the activation of both 2222 grants: as the grantee, the
# activation at the version AcceptGrant answered (1 created, 2 when the
# workflow ended in PENDING_ACCEPT, 3 accepted).
for sku in prod-4pmewlybdftbs prod-tukx4z3hrewle; do
	arn=$(grant_of 222222222222 $sku arn)
	assert_eq "$(calls "[.[] | select(.request.GrantArn == \"$arn\") | \"\(.operation) \(.access_key_id) \(.status)\"] | join(\";\")")" \
		"AcceptGrant $grantee_key 200;CreateGrantVersion $grantee_key 200" "calls on $sku grant of 2222"
	assert_eq "$(calls "[.[] | select(.request.GrantArn == \"$arn\" and .operation == \"CreateGrantVersion\") | \"\(.request.Status) \(.request.Options.ActivationOverrideBehavior) \(.request.SourceVersion)\"] | join(\";\")")" \
		"ACTIVE ALL_GRANTS_PERMITTED_BY_ISSUER 3" "activation of $sku grant of 2222"
done
# 4444: reported for that account only ...
assert_contains "$T/err" "claude: accept for account 444444444444 failed: AssumeRole: AccessDenied"
assert_contains "$T/err" "error=AccessDenied"
assert_contains "$T/out" "Apply: 0 created, 0 updated, 2 accepted, 1 activated, 0 deleted; 1 failed"
assert_eq "$(calls "[.[] | select(.operation == \"AcceptGrant\" and .request.GrantArn == \"$(grant_of 444444444444 prod-4pmewlybdftbs arn)\")] | length")" \
	0 "AcceptGrant for 4444"
# ... and the same license's OU grant was still activated (by lmgrantd).
ou_arn=$(state '.grants[] | select(.principal | endswith("ou-ab12-dev00001")) | .arn')
assert_eq "$(calls "[.[] | select(.request.GrantArn == \"$ou_arn\") | \"\(.operation) \(.access_key_id)\"] | join(\";\")")" \
	"CreateGrantVersion $ADMIN_KEY" "activation of the OU grant"

emu advance >/dev/null
assert_eq "$(grant_of 222222222222 prod-4pmewlybdftbs status)" ACTIVE "claude grant of 2222"
assert_eq "$(grant_of 222222222222 prod-tukx4z3hrewle status)" ACTIVE "cohere grant of 2222"
assert_eq "$(grant_of 444444444444 prod-4pmewlybdftbs status)" PENDING_ACCEPT "claude grant of 4444"
expect_exit 2 lmg -c "$T/g.yaml" plan
assert_contains "$T/out" "Plan: 0 to create, 0 to update, 1 to accept, 0 to activate"
assert_no_secrets "$T/out" "$T/err" "$T/emulator.log"

# The daemon keeps the grantee's session across passes: grants of 2222
# that start waiting again in two later passes are accepted with one
# AssumeRole.
sed -i 's/^version: 1$/version: 1\ninterval: 1s/' "$T/g.yaml"
emu reset-calls >/dev/null
accepted() { [ "$(emu calls | jq "[.[] | select(.operation == \"AcceptGrant\" and .status == 200)] | length")" -ge "$1" ]; }
passes_above() { [ "$(daemon_pass)" -gt "$1" ]; }
start_daemon "$T/g.yaml"
n=0
for sku in prod-4pmewlybdftbs prod-tukx4z3hrewle; do
	wait_for 10 "a pass" passes_above "$(daemon_pass)"
	emu grant-set "{\"arn\": \"$(grant_of 222222222222 $sku arn)\", \"status\": \"PENDING_ACCEPT\"}" >/dev/null
	n=$((n + 1))
	wait_for 10 "the daemon accepting the $sku grant" accepted $n
done
wait_for 10 "the end of that pass" passes_above "$(daemon_pass)"
stop_daemon
emu calls >"$T/calls.json"
assert_eq "$(calls "[.[] | select(.operation == \"AssumeRole\" and .request.RoleArn == \"$GRANTEE_ROLE\")] | length")" \
	1 "AssumeRole calls for 2222 over the daemon's passes"
assert_eq "$(calls '[.[] | select(.operation == "AcceptGrant" and .status == 200) | .access_key_id] | unique | length')" \
	1 "session keys used for the accepts"
assert_eq "$(calls '[.[] | select(.operation == "AcceptGrant" and .status == 200) | .access_key_id][0]')" \
	"$(state "[.credentials[] | select(.role_arn == \"$GRANTEE_ROLE\") | .access_key_id] | last")" "the daemon's session"
assert_no_secrets "$T/daemon.err" "$T/emulator.log"
echo ok
