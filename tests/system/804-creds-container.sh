# Issue 13: container credentials (ECS task role, EKS Pod Identity), served
# by a stub on 127.0.0.1 (AWS_CONTAINER_CREDENTIALS_FULL_URI; the relative
# URI always means 169.254.170.2, which a test cannot serve). The
# authorization token comes from AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE
# (re-read every time) or AWS_CONTAINER_AUTHORIZATION_TOKEN. The task role's
# credentials converge the demo under the daemon policy, and the daemon
# fetches new ones before they expire. A wrong token, a full URI to a host
# the SDKs do not allow and a stub that is down are errors; the chain's
# order puts a profile first and the container before instance metadata.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/iam-lib.sh"
TASK_ROLE=arn:aws:iam::111111111111:role/LmgrantdTask
jq --arg r "$TASK_ROLE" --slurpfile daemon "$IAM_DIR/lmgrantd-daemon.json" '
	.roles += [{arn: $r, trusted_accounts: ["111111111111"], policy: $daemon[0]}]' "$POLICY_FIXTURE" >"$T/f.json"
start_emulator "$T/f.json"
export AWS_EC2_METADATA_DISABLED=true

# task_document NAME: the task role's credentials (assumed by the admin at
# the emulator) as the endpoint serves them; the stub says they expire 303 s
# after each request, so that lmgrantd renews them 3 s after fetching them.
task_document() {
	"$PYTHON" - "$TASK_ROLE" "$1" <<'PY'
import datetime, json, os, sys
import boto3
sts = boto3.client("sts", endpoint_url=os.environ["AWS_ENDPOINT_URL_STS"], region_name="us-east-1")
c = sts.assume_role(RoleArn=sys.argv[1], RoleSessionName=sys.argv[2])["Credentials"]
exp = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=302)
print(json.dumps({"AccessKeyId": c["AccessKeyId"], "SecretAccessKey": c["SecretAccessKey"],
                  "Token": c["SessionToken"], "RoleArn": sys.argv[1],
                  "Expiration": exp.strftime("%Y-%m-%dT%H:%M:%SZ")}))
PY
}
task_document task1 >"$T/creds1.json"
task_document task2 >"$T/creds2.json"
cp "$T/creds1.json" "$T/creds.json"
KEY1=$(jq -r .AccessKeyId "$T/creds1.json")
KEY2=$(jq -r .AccessKeyId "$T/creds2.json")
SECRETS_HERE=("$(jq -r .SecretAccessKey "$T/creds1.json")" "$(jq -r .SecretAccessKey "$T/creds2.json")")
AUTH=container-auth-token-0123456789abcdef
printf '%s\n' "$AUTH" >"$T/auth"
chmod 600 "$T/auth"
"$PYTHON" "$ROOT/tests/system/container-stub.py" --port-file "$T/stub.port" --path /v1/credentials \
	--token-file "$T/auth" --creds "$T/creds.json" --log "$T/stub.log" --expires-in 303 2>"$T/stub.stderr" &
STUB_PID=$!
trap 'kill $STUB_PID 2>/dev/null || true; cleanup' EXIT
for _ in $(seq 50); do [ -s "$T/stub.port" ] && break; sleep 0.1; done
[ -s "$T/stub.port" ] || fail "container credentials stub did not start"
URL=http://127.0.0.1:$(cat "$T/stub.port")/v1/credentials
unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY
export AWS_CONTAINER_CREDENTIALS_FULL_URI=$URL AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE=$T/auth
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

expect_exit 0 lmg -c "$T/c.yaml" whoami
cat "$T/out"
assert_contains "$T/out" "arn:aws:sts::111111111111:assumed-role/LmgrantdTask/task1"
assert_contains "$T/out" "credentials from:   container credentials ($URL)"
assert_eq "$(cat "$T/stub.log")" "GET /v1/credentials 200 auth=yes" "requests to the endpoint"

emu reset-calls >/dev/null
apply_until_in_sync 4 "$T/c.yaml"
assert_eq "$(grants_in WORKFLOW_COMPLETED)" 1 "OU grant"
assert_eq "$(grants_in ACTIVE)" 1 "account grant"
assert_eq "$(denied_calls)" 0 "calls denied under the daemon policy"
assert_eq "$(emu calls | jq -r '[.[].access_key_id] | unique | join(" ")')" "$KEY1" "keys used by apply"

# The daemon: new credentials before the old ones expire.
: >"$T/stub.log"
emu reset-calls >/dev/null
start_daemon "$T/c.yaml"
sleep 1
cp "$T/creds2.json" "$T/creds.json"
rotated() { [ "$(emu calls | jq --arg k "$KEY2" '[.[] | select(.access_key_id == $k)] | length')" -ge 1 ] &&
	[ "$(daemon_pass)" -ge 3 ]; }
wait_for 20 "the daemon to use the renewed credentials" rotated
stop_daemon
[ "$(grep -c ' 200 ' "$T/stub.log")" -ge 2 ] || fail "the endpoint was asked $(grep -c ' 200 ' "$T/stub.log") time(s)"
assert_eq "$(emu calls | jq '[.[] | select(.error == "ExpiredTokenException")] | length')" 0 "calls refused as expired"

# The token from the variable instead of the file; a wrong token.
AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE= AWS_CONTAINER_AUTHORIZATION_TOKEN=$AUTH \
	expect_exit 0 lmg -c "$T/c.yaml" whoami
AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE= AWS_CONTAINER_AUTHORIZATION_TOKEN=wrong-token \
	expect_exit 1 lmg -c "$T/c.yaml" whoami
assert_contains "$T/err" "container credentials: $URL answered HTTP 403"
# A full URI the SDKs refuse: nothing is asked.
: >"$T/stub.log"
AWS_CONTAINER_CREDENTIALS_FULL_URI=http://169.254.169.254/v1/credentials expect_exit 1 lmg -c "$T/c.yaml" whoami
assert_contains "$T/err" "AWS_CONTAINER_CREDENTIALS_FULL_URI must be http:// to a loopback address"
[ ! -s "$T/stub.log" ] || fail "a refused URI was asked"
# A profile comes first.
mkdir -p "$HOME/.aws"
printf '[default]\naws_access_key_id = %s\naws_secret_access_key = %s\n' "$DAEMON_KEY" "$DAEMON_SECRET" >"$HOME/.aws/credentials"
chmod 600 "$HOME/.aws/credentials"
expect_exit 0 lmg -c "$T/c.yaml" whoami
assert_contains "$T/out" "arn:aws:iam::111111111111:user/lmgrantd"
[ ! -s "$T/stub.log" ] || fail "the endpoint was asked although a profile has keys"
rm "$HOME/.aws/credentials"
# The endpoint is down: a quick error, instance metadata is not tried.
kill "$STUB_PID"; wait "$STUB_PID" 2>/dev/null || true
unset AWS_EC2_METADATA_DISABLED
export AWS_EC2_METADATA_SERVICE_ENDPOINT=http://127.0.0.1:1
expect_exit 1 lmg -c "$T/c.yaml" whoami
assert_contains "$T/err" "container credentials: no answer from $URL"
if grep -q "instance metadata: no answer" "$T/err"; then fail "instance metadata tried after a broken container source"; fi
assert_no_iam_secrets "$T/out" "$T/err" "$T/daemon.err" "$T/emulator.log" "$T/stub.log" -- "${SECRETS_HERE[@]}" "$AUTH"
echo ok
