# Issue 5, fault 6: credentials AWS refuses. (1) Temporary credentials
# expire: the first call fails with ExpiredTokenException, the error names
# the operation and says what to do, and nothing is retried - one call per
# pass, also from `lmgrantd run`. (2) AccessDenied on a write: each
# CreateGrant is tried once (no retry storm), the error names the
# operation. (3) AccessDenied on an Organizations read: one call, the
# error names it, no write on a model with an OU.
source "$(dirname "$0")/lib.sh"
# The demo organization, plus a role lmgrantd's session comes from.
jq '.roles += [{"arn": "arn:aws:iam::111111111111:role/lmgrantd", "trusted_accounts": ["111111111111"]}]' \
	"$DEMO_FIXTURE" >"$T/f.json"
start_emulator "$T/f.json"
write_config c.yaml <<'YAML'
version: 1
interval: 1s
max_tps: 50
models:
  claude:
    product: prod-4pmewlybdftbs
    accounts: ["222222222222", "333333333333"]
  haiku:
    product: prod-5oba7y7jpji56
    accounts: ["222222222222"]
YAML

# (1) A session from AssumeRole (signed by botocore), then expired.
session=$("$PYTHON" - "$AWS_ENDPOINT_URL_STS" <<'PY'
import json, sys, boto3
sts = boto3.client("sts", endpoint_url=sys.argv[1], region_name="us-east-1")
c = sts.assume_role(RoleArn="arn:aws:iam::111111111111:role/lmgrantd", RoleSessionName="lmgrantd-test")["Credentials"]
print(json.dumps({"id": c["AccessKeyId"], "secret": c["SecretAccessKey"], "token": c["SessionToken"]}))
PY
)
as_session() {
	AWS_ACCESS_KEY_ID=$(echo "$session" | jq -r .id) AWS_SECRET_ACCESS_KEY=$(echo "$session" | jq -r .secret) \
		AWS_SESSION_TOKEN=$(echo "$session" | jq -r .token) "$@"
}
as_session expect_exit 2 lmg -c "$T/c.yaml" plan   # the session works
emu expire-creds "$(echo "$session" | jq -r .id)" >/dev/null
emu reset-calls >/dev/null
as_session expect_exit 1 lmg -c "$T/c.yaml" apply
assert_contains "$T/err" "ListReceivedLicenses: ExpiredTokenException"
assert_contains "$T/err" "hint: the temporary credentials have expired"
assert_eq "$(emu calls --count)" 1 "calls with expired credentials"
# The daemon: one call per pass, no more.
emu reset-calls >/dev/null
as_session start_daemon "$T/c.yaml"
passes_done() { [ "$(daemon_pass)" -ge 3 ]; }
wait_for 15 "three passes" passes_done
stop_daemon
passes=$(daemon_pass)
calls=$(emu calls --count)
echo "daemon: $passes passes, $calls calls"
[ "$calls" -le $((passes + 1)) ] || fail "$calls calls in $passes passes with expired credentials"
assert_eq "$(emu calls | jq -r '[.[] | .error] | unique | join(",")')" ExpiredTokenException "errors seen"

# (2) Every CreateGrant is denied: each create is attempted exactly once.
emu config '{"fail_rules": [{"operation": "CreateGrant", "times": 0, "status": 400,
	"type": "AccessDeniedException", "message": "User: arn:aws:iam::111111111111:user/ops is not authorized to perform: license-manager:CreateGrant"}]}' >/dev/null
emu reset-calls >/dev/null
expect_exit 1 lmg -c "$T/c.yaml" apply
assert_contains "$T/err" "CreateGrant: AccessDeniedException: User: arn:aws:iam::111111111111:user/ops is not authorized"
creates=$(emu calls --count --op CreateGrant)
tokens=$(emu calls | jq '[.[] | select(.operation == "CreateGrant") | .request.ClientToken] | unique | length')
echo "denied creates: $creates calls, $tokens distinct requests"
[ "$creates" -ge 2 ] || fail "expected a denied create on each license, got $creates calls"
assert_eq "$creates" "$tokens" "CreateGrant attempts per request"
assert_eq "$(emu calls --count --op CreateGrant)" "$(emu calls | jq '[.[] | select(.error == "AccessDeniedException")] | length')" \
	"denied calls"

# (3) Organizations refuses the read: one call, and no write on a license
# whose model needs the organization (an OU).
write_config ou.yaml <<'YAML'
version: 1
max_tps: 50
models:
  claude:
    product: prod-4pmewlybdftbs
    ous: [Workloads/Prod]
    accounts: ["666666666666"]
YAML
emu config '{"fail_rules": [{"operation": "DescribeOrganization", "times": 0, "status": 400,
	"type": "AccessDeniedException", "message": "You don'"'"'t have permissions to access this resource."}]}' >/dev/null
emu reset-calls >/dev/null
expect_exit 1 lmg -c "$T/ou.yaml" apply
assert_contains "$T/err" "DescribeOrganization: AccessDeniedException"
assert_eq "$(emu calls --count --op DescribeOrganization)" 1 "DescribeOrganization attempts"
assert_eq "$(writes)" 0 "writes without the organization"
echo ok
