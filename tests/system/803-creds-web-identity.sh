# Issue 13: web identity credentials (EKS/IRSA, CI OIDC). With only
# AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN (+ AWS_ROLE_SESSION_NAME),
# lmgrantd exchanges the token file's contents for the role's credentials
# (STS AssumeRoleWithWebIdentity, unsigned: there is nothing to sign with)
# and converges the demo under the daemon policy; the daemon refreshes them
# before they expire, re-reading the token file (the platform rotates it). A
# profile's web_identity_token_file + role_arn works too. A wrong token, a
# world-writable token file and half the variables are errors; the token
# never appears in output or logs.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/iam-lib.sh"
WEB_ROLE=arn:aws:iam::111111111111:role/LmgrantdWeb
TOKEN1=eyJhbGciOiJSUzI1NiJ9.token-one-for-lmgrantd.c2lnbmF0dXJl
TOKEN2=eyJhbGciOiJSUzI1NiJ9.token-two-for-lmgrantd.c2lnbmF0dXJl
# The role carries the daemon policy; its credentials live 302 s, so that
# lmgrantd (refreshing 300 s before expiry) renews them 2 s after issue.
jq --arg r "$WEB_ROLE" --arg t1 "$TOKEN1" --arg t2 "$TOKEN2" --slurpfile daemon "$IAM_DIR/lmgrantd-daemon.json" '
	.roles += [{arn: $r, trusted_accounts: [], policy: $daemon[0]}]
	| .web_identities = [
		{token: $t1, role_arn: $r, subject: "system:serviceaccount:lmgrantd:lmgrantd", expires_in: 302},
		{token: $t2, role_arn: $r, subject: "system:serviceaccount:lmgrantd:lmgrantd", expires_in: 302}]
	' "$POLICY_FIXTURE" >"$T/f.json"
start_emulator "$T/f.json"
unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY
export AWS_EC2_METADATA_DISABLED=true
write_config c.yaml <<'YAML'
version: 1
interval: 1s
max_tps: 50
models:
  claude:
    product: prod-4pmewlybdftbs
    ous: [Workloads/Prod]
    accounts: ["444444444444"]
YAML
printf '%s\n' "$TOKEN1" >"$T/token"
chmod 600 "$T/token"
export AWS_WEB_IDENTITY_TOKEN_FILE=$T/token AWS_ROLE_ARN=$WEB_ROLE AWS_ROLE_SESSION_NAME=ci-run

emu reset-calls >/dev/null
expect_exit 0 lmg -c "$T/c.yaml" whoami
cat "$T/out"
assert_contains "$T/out" "arn:                arn:aws:sts::111111111111:assumed-role/LmgrantdWeb/ci-run"
assert_contains "$T/out" "credentials from:   web identity (role $WEB_ROLE, token file $T/token)"
assert_eq "$(emu calls | jq -r '[.[] | select(.operation == "AssumeRoleWithWebIdentity") | .access_key_id] | map(. // "unsigned") | unique | join(" ")')" \
	unsigned "AssumeRoleWithWebIdentity requests"

apply_until_in_sync 4 "$T/c.yaml"
assert_eq "$(grants_in WORKFLOW_COMPLETED)" 1 "OU grant"
assert_eq "$(grants_in ACTIVE)" 1 "account grant"
assert_eq "$(denied_calls)" 0 "calls denied under the daemon policy"

# The daemon renews the credentials before they expire, with the token
# the file holds then.
emu reset-calls >/dev/null
start_daemon "$T/c.yaml"
sleep 1
printf '%s\n' "$TOKEN2" >"$T/token"
renewed() { [ "$(emu calls --count --op AssumeRoleWithWebIdentity)" -ge 3 ] && [ "$(daemon_pass)" -ge 4 ]; }
wait_for 20 "credentials renewed twice" renewed
stop_daemon
keys=$(emu calls | jq '[.[] | select(.operation != "AssumeRoleWithWebIdentity") | .access_key_id] | unique | length')
[ "$keys" -ge 2 ] || fail "the daemon signed with $keys set(s) of credentials; expected renewed ones"
assert_eq "$(emu calls | jq '[.[] | select(.error == "ExpiredTokenException" or .error == "ExpiredToken")] | length')" 0 \
	"calls refused as expired"
assert_eq "$(emu calls | jq '[.[] | select(.operation == "AssumeRoleWithWebIdentity" and .status != 200)] | length')" 0 \
	"failed token exchanges"
assert_eq "$(emu calls | jq -r '[.[] | select(.operation == "AssumeRoleWithWebIdentity") | .request.WebIdentityToken] | unique | join(" ")')" \
	"***" "tokens in the call log (masked)"

# A profile's web_identity_token_file + role_arn.
unset AWS_WEB_IDENTITY_TOKEN_FILE AWS_ROLE_ARN AWS_ROLE_SESSION_NAME
mkdir -p "$HOME/.aws"
printf '[profile oidc]\nrole_arn = %s\nweb_identity_token_file = %s\nrole_session_name = from-profile\n' \
	"$WEB_ROLE" "$T/token" >"$HOME/.aws/config"
chmod 600 "$HOME/.aws/config"
AWS_PROFILE=oidc expect_exit 0 lmg -c "$T/c.yaml" whoami
assert_contains "$T/out" "assumed-role/LmgrantdWeb/from-profile"
assert_contains "$T/out" "credentials from:   profile oidc (web identity, role $WEB_ROLE, token file $T/token)"
expect_exit 0 lmg --profile oidc -c "$T/c.yaml" whoami
assert_contains "$T/out" "assumed-role/LmgrantdWeb/from-profile"

# Errors: a token STS refuses, a world-writable token file, half the pair.
export AWS_WEB_IDENTITY_TOKEN_FILE=$T/token AWS_ROLE_ARN=$WEB_ROLE
printf 'not-a-known-token\n' >"$T/token"
expect_exit 1 lmg -c "$T/c.yaml" whoami
assert_contains "$T/err" "web identity: assuming $WEB_ROLE failed: AssumeRoleWithWebIdentity: InvalidIdentityToken"
printf '%s\n' "$TOKEN1" >"$T/token"
chmod 666 "$T/token"
expect_exit 1 lmg -c "$T/c.yaml" whoami
assert_contains "$T/err" "web identity token file $T/token is world-writable; refusing it"
chmod 600 "$T/token"
AWS_ROLE_ARN= expect_exit 1 lmg -c "$T/c.yaml" whoami
assert_contains "$T/err" "AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN must be set together"
assert_no_iam_secrets "$T/out" "$T/err" "$T/daemon.err" "$T/emulator.log" -- "$TOKEN1" "$TOKEN2" not-a-known-token
echo ok
