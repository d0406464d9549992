# EC2 instance metadata, IMDSv2 only, against a stub on 127.0.0.1
# (AWS_EC2_METADATA_SERVICE_ENDPOINT): token PUT first, every GET with the
# token (the stub answers 401 without one); the instance role's temporary
# credentials sign the calls; a profile wins over IMDS; credential_source =
# Ec2InstanceMetadata assumes a role with them; AWS_EC2_METADATA_DISABLED
# skips IMDS; an endpoint that does not answer fails fast.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/creds-lib.sh"
start_emulator "$CREDS_FIXTURE"
clean_creds_env

# The instance role's credentials: real temporary ones from the emulator.
assumed_role_document "$ROLE_OPS" instance >"$T/imds-creds.json"
IMDS_KEY=$(jq -r .AccessKeyId "$T/imds-creds.json")
IMDS_SECRET=$(jq -r .SecretAccessKey "$T/imds-creds.json")
IMDS_TOKEN=$(jq -r .Token "$T/imds-creds.json")
"$PYTHON" "$ROOT/tests/system/imds-stub.py" --port-file "$T/imds.port" --role lmgrantd-instance \
	--creds "$T/imds-creds.json" --log "$T/imds.log" 2>"$T/imds.stderr" &
IMDS_PID=$!
trap 'kill $IMDS_PID 2>/dev/null || true; cleanup' EXIT
for _ in $(seq 50); do [ -s "$T/imds.port" ] && break; sleep 0.1; done
[ -s "$T/imds.port" ] || fail "IMDS stub did not start"
IMDS=http://127.0.0.1:$(cat "$T/imds.port")

# The stub is IMDSv2-only: no token, no answer.
assert_eq "$(curl -s -o /dev/null -w '%{http_code}' "$IMDS/latest/meta-data/iam/security-credentials/")" 401 "GET without a token"
assert_eq "$(curl -s -o /dev/null -w '%{http_code}' -X PUT "$IMDS/latest/api/token")" 400 "PUT without a TTL"
# The stub logs a request after answering it: wait for both lines, or the
# second could land after the log is emptied below.
for _ in $(seq 50); do [ "$(wc -l <"$T/imds.log")" -ge 2 ] && break; sleep 0.1; done
: >"$T/imds.log"

unset AWS_EC2_METADATA_DISABLED
export AWS_EC2_METADATA_SERVICE_ENDPOINT=$IMDS/
expect_exit 0 lmg -c "$T/c.yaml" whoami
assert_contains "$T/out" "arn:aws:sts::111111111111:assumed-role/LmgrantdOps/instance"
assert_contains "$T/out" "credentials from:   EC2 instance metadata (role lmgrantd-instance)"
assert_eq "$(cut -d' ' -f1-4 "$T/imds.log" | tr '\n' ';')" \
	"PUT /latest/api/token 200 token=no;GET /latest/meta-data/iam/security-credentials/ 200 token=yes;GET /latest/meta-data/iam/security-credentials/lmgrantd-instance 200 token=yes;" \
	"IMDSv2 requests"
emu reset-calls >/dev/null
expect_exit 0 lmg -c "$T/c.yaml" apply
assert_eq "$(keys_seen)" "$IMDS_KEY" "keys used by apply"
assert_no_secrets "$T/out" "$T/err" "$T/imds.log" -- "$IMDS_SECRET" "$IMDS_TOKEN"

# IMDS is never asked through a proxy (the emulator is exempted by
# no_proxy, "localhost" is not: only lmgrantd's own rule keeps it direct).
http_proxy=http://127.0.0.1:1 no_proxy=127.0.0.1 \
	AWS_EC2_METADATA_SERVICE_ENDPOINT=http://localhost:$(cat "$T/imds.port") \
	expect_exit 0 lmg -c "$T/c.yaml" whoami
assert_contains "$T/out" "credentials from:   EC2 instance metadata (role lmgrantd-instance)"

# A profile comes before instance metadata: the stub is not asked.
: >"$T/imds.log"
write_aws "$HOME/.aws/credentials" <<EOF
[default]
aws_access_key_id = $CI_KEY
aws_secret_access_key = $CI_SECRET
EOF
expect_exit 0 lmg -c "$T/c.yaml" whoami
assert_contains "$T/out" "arn:aws:iam::111111111111:user/ci"
[ ! -s "$T/imds.log" ] || fail "IMDS asked although a profile has keys"
rm "$HOME/.aws/credentials"

# credential_source = Ec2InstanceMetadata: the instance role's keys assume
# another role.
write_aws "$HOME/.aws/config" <<EOF
[profile hop]
role_arn = $ROLE_HOP
credential_source = Ec2InstanceMetadata
EOF
emu reset-calls >/dev/null
AWS_PROFILE=hop expect_exit 0 lmg -c "$T/c.yaml" whoami
assert_contains "$T/out" "arn:aws:sts::111111111111:assumed-role/LmgrantdHop/lmgrantd"
assert_contains "$T/out" "profile hop (role $ROLE_HOP) <- EC2 instance metadata (role lmgrantd-instance)"
assert_eq "$(keys_seen AssumeRole)" "$IMDS_KEY" "AssumeRole signed by the instance role"

# Disabled: IMDS is not asked at all.
: >"$T/imds.log"
AWS_EC2_METADATA_DISABLED=true expect_exit 1 lmg -c "$T/c.yaml" whoami
assert_contains "$T/err" "instance metadata: disabled by AWS_EC2_METADATA_DISABLED"
[ ! -s "$T/imds.log" ] || fail "IMDS asked although disabled"

# An endpoint that accepts connections and never answers (a host whose
# metadata service hangs), and one where nothing listens: both fail fast.
kill "$IMDS_PID"
wait "$IMDS_PID" 2>/dev/null || true
"$PYTHON" -c 'import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(8)
print(s.getsockname()[1], flush=True); time.sleep(120)' >"$T/hang.port" &
IMDS_PID=$!
for _ in $(seq 50); do [ -s "$T/hang.port" ] && break; sleep 0.1; done
for port in "$(cat "$T/hang.port")" "$(cat "$T/imds.port")"; do
	export AWS_EC2_METADATA_SERVICE_ENDPOINT=http://127.0.0.1:$port
	start=$(date +%s%N)
	expect_exit 1 lmg -c "$T/c.yaml" whoami
	elapsed=$(( ($(date +%s%N) - start) / 1000000 ))
	assert_contains "$T/err" "instance metadata: no answer to the token request within 1000 ms"
	[ "$elapsed" -lt $((4000 * LMGRANTD_WAIT_SCALE)) ] || fail "IMDS at port $port took ${elapsed} ms to fail"
done
assert_no_secrets "$T/out" "$T/err" -- "$IMDS_SECRET" "$IMDS_TOKEN"
echo ok
