# Helpers of the set-up tests (80x-*.sh), sourced after lib.sh: keys that
# carry the IAM policies lmgrantd ships (contrib/iam/*.json, loaded as they
# are, so that code calling an action a shipped policy lacks fails a test),
# and an organization whose License Manager delegated administrator holds
# the subscriptions.

IAM_DIR=$ROOT/contrib/iam
RO_KEY=AKIAEMULATORREADONLY
RO_SECRET=readonlySecretKey/ForTestsOnly0000000011
DAEMON_KEY=AKIAEMULATORDAEMON12
DAEMON_SECRET=daemonSecretKey/ForTestsOnly000000000012
DA=666666666666
DA_KEY=AKIAEMULATORDELEGA13
DA_SECRET=delegSecretKey/ForTestsOnly0000000000013
DA_RO_KEY=AKIAEMULATORDELEGR14
DA_RO_SECRET=delegroSecretKey/ForTestsOnly00000000014
IAM_SECRETS=("$RO_SECRET" "$DAEMON_SECRET" "$DA_SECRET" "$DA_RO_SECRET" IQoJemulator)

# The demo organization plus the read-only and daemon keys of the
# management account; the grantee roles carry the grantee policy.
POLICY_FIXTURE=$T/policy-fixture.json
jq --slurpfile ro "$IAM_DIR/lmgrantd-readonly.json" --slurpfile daemon "$IAM_DIR/lmgrantd-daemon.json" \
	--slurpfile grantee "$IAM_DIR/grantee-role-policy.json" \
	--arg rok "$RO_KEY" --arg ros "$RO_SECRET" --arg dk "$DAEMON_KEY" --arg ds "$DAEMON_SECRET" '
	.credentials += [
		{access_key_id: $rok, secret_access_key: $ros, account: "111111111111", user: "lmgrantd-ci", policy: $ro[0]},
		{access_key_id: $dk, secret_access_key: $ds, account: "111111111111", user: "lmgrantd", policy: $daemon[0]}]
	| .roles |= map(. + {policy: $grantee[0]})
	' "$DEMO_FIXTURE" >"$POLICY_FIXTURE"

# The same organization with account 666666666666 (shared-services) as
# License Manager's delegated administrator: it holds every subscription
# (the licenses' beneficiary) and has a daemon key and a read-only key.
DA_FIXTURE=$T/da-fixture.json
jq --arg da "$DA" --arg dk "$DA_KEY" --arg ds "$DA_SECRET" --arg rk "$DA_RO_KEY" --arg rs "$DA_RO_SECRET" \
	--slurpfile ro "$IAM_DIR/lmgrantd-readonly.json" --slurpfile daemon "$IAM_DIR/lmgrantd-daemon.json" '
	.delegated_administrators = [{account: $da, service_principal: "license-manager.amazonaws.com"}]
	| .licenses |= map(.beneficiary = $da)
	| .credentials += [
		{access_key_id: $dk, secret_access_key: $ds, account: $da, user: "lmgrantd", policy: $daemon[0]},
		{access_key_id: $rk, secret_access_key: $rs, account: $da, user: "lmgrantd-ci", policy: $ro[0]}]
	' "$POLICY_FIXTURE" >"$DA_FIXTURE"

# as KEY SECRET command...: runs the command with only these keys.
as() {
	local key=$1 secret=$2
	shift 2
	AWS_ACCESS_KEY_ID=$key AWS_SECRET_ACCESS_KEY=$secret "$@"
}

# AccessDenied answers the emulator gave since the last reset-calls.
denied_calls() {
	emu calls | jq '[.[] | select(.error == "AccessDeniedException" or .error == "AccessDenied")] | length'
}

# assert_no_iam_secrets FILE... [-- EXTRA_SECRET...]: none of the secrets
# above (nor the extra ones) in the files.
assert_no_iam_secrets() {
	local files=() s f
	while [ $# -gt 0 ] && [ "$1" != "--" ]; do files+=("$1"); shift; done
	[ $# -gt 0 ] && shift
	for s in "${IAM_SECRETS[@]}" "$@"; do
		[ -n "$s" ] || continue
		for f in "${files[@]}"; do
			[ -e "$f" ] || continue
			grep -aqF -- "$s" "$f" && fail "a secret (${s:0:6}...) appears in $f"
		done
	done
	return 0
}
