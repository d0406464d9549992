# Helpers of the credential tests (05x-*.sh), sourced after lib.sh: a
# fixture with more keys and roles than the demo one, an environment that
# holds only the credentials a test sets up, and the check that no secret
# reached stdout, stderr or a log.

ADMIN_KEY=AKIAEMULATORADMIN001
ADMIN_SECRET=emulatorSecretKey/ForTestsOnly0000000001
CI_KEY=AKIAEMULATORCI000002
CI_SECRET=ciSecretKey/ForTestsOnly00000000000000002
VAULT_KEY=AKIAEMULATORVAULT003
VAULT_SECRET=vaultSecretKey/ForTestsOnly000000000003
VAULT2_KEY=AKIAEMULATORVAULT004
VAULT2_SECRET=vaultSecretKey/ForTestsOnly000000000004
DEV_KEY=AKIAEMULATORDEV00005
DEV_SECRET=devSecretKey/ForTestsOnly0000000000000005
# (Every session token the emulator issues starts with IQoJemulator.)
SECRETS=("$ADMIN_SECRET" "$CI_SECRET" "$VAULT_SECRET" "$VAULT2_SECRET" "$DEV_SECRET" IQoJemulator)
ROLE_OPS=arn:aws:iam::111111111111:role/LmgrantdOps
ROLE_HOP=arn:aws:iam::111111111111:role/LmgrantdHop
ROLE_EXT=arn:aws:iam::111111111111:role/LmgrantdExt
CREDS_FIXTURE=$T/creds-fixture.json

# The demo organization plus: keys of users ci, vault, vault2 (management
# account) and dev (a member account); roles in the management account,
# one of them with an external id.
jq --arg ci "$CI_SECRET" --arg v "$VAULT_SECRET" --arg v2 "$VAULT2_SECRET" --arg dev "$DEV_SECRET" \
	--arg ops "$ROLE_OPS" --arg hop "$ROLE_HOP" --arg ext "$ROLE_EXT" '
	.credentials += [
		{access_key_id: "AKIAEMULATORCI000002", secret_access_key: $ci, account: "111111111111", user: "ci"},
		{access_key_id: "AKIAEMULATORVAULT003", secret_access_key: $v, account: "111111111111", user: "vault"},
		{access_key_id: "AKIAEMULATORVAULT004", secret_access_key: $v2, account: "111111111111", user: "vault2"},
		{access_key_id: "AKIAEMULATORDEV00005", secret_access_key: $dev, account: "333333333333", user: "dev"}]
	| .roles += [
		{arn: $ops, trusted_accounts: ["111111111111"], max_session_duration: 43200},
		{arn: $hop, trusted_accounts: ["111111111111"]},
		{arn: $ext, trusted_accounts: ["111111111111"], external_id: "ext-4711"}]
	' "$DEMO_FIXTURE" >"$CREDS_FIXTURE"

# After start_emulator: no credentials but those the test sets up, and no
# instance metadata unless the test asks for it.
clean_creds_env() {
	unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_PROFILE \
		AWS_SHARED_CREDENTIALS_FILE AWS_CONFIG_FILE CREDENTIALS_DIRECTORY AWS_REGION \
		AWS_DEFAULT_REGION AWS_EC2_METADATA_SERVICE_ENDPOINT
	export AWS_EC2_METADATA_DISABLED=true
	mkdir -p "$HOME/.aws"
	chmod 700 "$HOME/.aws"
}

# write_aws FILE <<EOF : a credentials/config file, mode 0600.
write_aws() {
	cat >"$1"
	chmod 600 "$1"
}

# A config with one model, enough for whoami, plan and apply.
write_config c.yaml <<'YAML'
version: 1
models:
  claude:
    product: prod-4pmewlybdftbs
    accounts: ["444444444444"]
YAML

# The access keys the emulator saw, sorted, space-separated; optionally
# only for one operation.
keys_seen() {
	if [ $# -gt 0 ]; then
		emu calls | jq -r --arg op "$1" '[.[] | select(.operation == $op) | .access_key_id] | unique | join(" ")'
	else
		emu calls | jq -r '[.[].access_key_id] | unique | join(" ")'
	fi
}

# assert_no_secrets FILE... [-- EXTRA_SECRET...]: no known secret in the files.
assert_no_secrets() {
	local files=() extra=() s f
	while [ $# -gt 0 ] && [ "$1" != "--" ]; do files+=("$1"); shift; done
	[ $# -gt 0 ] && shift
	extra=("$@")
	for s in "${SECRETS[@]}" "${extra[@]}"; do
		[ -n "$s" ] || continue
		for f in "${files[@]}"; do
			[ -e "$f" ] || continue
			if grep -aqF -- "$s" "$f"; then
				fail "a secret (${s:0:6}...) appears in $f"
			fi
		done
	done
}

# Temporary credentials of role ARN (assumed by the admin through the
# emulator's STS), as an instance metadata document: prints the JSON.
assumed_role_document() {
	"$PYTHON" - "$1" "$2" <<'PY'
import json, os, sys
import boto3
sts = boto3.client("sts", endpoint_url=os.environ["AWS_ENDPOINT_URL_STS"], region_name="us-east-1",
                   aws_access_key_id="AKIAEMULATORADMIN001",
                   aws_secret_access_key="emulatorSecretKey/ForTestsOnly0000000001")
c = sts.assume_role(RoleArn=sys.argv[1], RoleSessionName=sys.argv[2])["Credentials"]
print(json.dumps({"Code": "Success", "LastUpdated": "2025-01-01T00:00:00Z", "Type": "AWS-HMAC",
                  "AccessKeyId": c["AccessKeyId"], "SecretAccessKey": c["SecretAccessKey"],
                  "Token": c["SessionToken"],
                  "Expiration": c["Expiration"].strftime("%Y-%m-%dT%H:%M:%SZ")}))
PY
}

# issuing_process PATH EXPIRES_IN HOOK: writes at PATH a credential_process
# that assumes $ROLE_OPS at the emulator (as user vault), runs the Python
# HOOK, adds the new key id to the list in $T/issued and prints the
# credentials with an Expiration EXPIRES_IN seconds ahead. HOOK sees
# `issued` (the key ids handed out before), `c` (the new credentials) and
# `expire(key_id)`, which makes the emulator refuse a key from then on.
issuing_process() {
	local path=$1 expires_in=$2 hook=$3
	cat >"$path" <<PY
#!$(command -v "$PYTHON")
import datetime, json, os, subprocess, sys
os.environ["AWS_CONFIG_FILE"] = os.devnull   # boto3 must not read lmgrantd's profile
import boto3

def expire(key_id):
    subprocess.run(["$PYTHON", "$EMU_DIR/emuctl.py", "--port-file", "$T/port", "expire-creds", key_id],
                   check=True, stdout=subprocess.DEVNULL)

issued_file = "$T/issued"
issued = open(issued_file).read().split() if os.path.exists(issued_file) else []
sts = boto3.client("sts", endpoint_url="$AWS_ENDPOINT_URL_STS", region_name="us-east-1",
                   aws_access_key_id="$VAULT_KEY", aws_secret_access_key="$VAULT_SECRET")
c = sts.assume_role(RoleArn="$ROLE_OPS", RoleSessionName="run%d" % (len(issued) + 1),
                    DurationSeconds=3600)["Credentials"]
$hook
open(issued_file, "w").write(" ".join(issued + [c["AccessKeyId"]]))
expires = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=$expires_in)
json.dump({"Version": 1, "AccessKeyId": c["AccessKeyId"], "SecretAccessKey": c["SecretAccessKey"],
           "SessionToken": c["SessionToken"], "Expiration": expires.strftime("%Y-%m-%dT%H:%M:%SZ")},
          sys.stdout)
PY
	chmod 755 "$path"
}
