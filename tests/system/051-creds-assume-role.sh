# Role profiles: role_arn + source_profile (STS AssumeRole with the source
# profile's keys; every later call signed by the assumed ASIA key with its
# session token), role chaining, role_session_name, external_id,
# duration_seconds, and a role that cannot be assumed (a clear error, no
# secret, exit 1).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/creds-lib.sh"
start_emulator "$CREDS_FIXTURE"
clean_creds_env

write_aws "$HOME/.aws/credentials" <<EOF
[base]
aws_access_key_id = $CI_KEY
aws_secret_access_key = $CI_SECRET
EOF
write_aws "$HOME/.aws/config" <<EOF
[profile ops]
role_arn = $ROLE_OPS
source_profile = base
duration_seconds = 7200
[profile chained]
role_arn = $ROLE_HOP
source_profile = ops
role_session_name = chained-session
[profile ext]
role_arn = $ROLE_EXT
source_profile = base
external_id = ext-4711
[profile wrong-ext]
role_arn = $ROLE_EXT
source_profile = base
external_id = ext-0000
[profile untrusted]
role_arn = arn:aws:iam::222222222222:role/NoSuchRole
source_profile = base
EOF
asia_of() { # the temporary key the emulator issued for role $1, session $2
	state "[.credentials[] | select(.role_arn == \"$1\" and .session_name == \"$2\") | .access_key_id] | join(\" \")"
}

# One role: AssumeRole signed with the source profile's key, everything
# else with the assumed key (which the emulator only accepts together with
# its session token).
export AWS_PROFILE=ops
expect_exit 0 lmg -c "$T/c.yaml" apply
ops_key=$(asia_of "$ROLE_OPS" lmgrantd)
[[ "$ops_key" == ASIA* ]] || fail "no ASIA key issued for $ROLE_OPS (got '$ops_key')"
assert_eq "$(keys_seen AssumeRole)" "$CI_KEY" "AssumeRole signed by"
assert_eq "$(emu calls | jq -r '[.[] | select(.operation != "AssumeRole") | .access_key_id] | unique | join(" ")')" \
	"$ops_key" "every other call signed by"
assert_eq "$(emu calls | jq -r '[.[] | select(.operation == "CreateGrant")] | length')" 1 "grants created"
assert_eq "$(emu calls | jq -r '[.[] | select(.operation == "AssumeRole") | .request.DurationSeconds] | join(" ")')" \
	7200 "duration_seconds"
assert_eq "$(emu calls | jq '[.[] | select(.operation == "AssumeRole")] | length')" 1 "AssumeRole calls in one run"
expect_exit 0 lmg -c "$T/c.yaml" whoami
assert_contains "$T/out" "arn:                arn:aws:sts::111111111111:assumed-role/LmgrantdOps/lmgrantd"
assert_contains "$T/out" "credentials from:   profile ops (role $ROLE_OPS) <- profile base ($HOME/.aws/credentials)"
assert_contains "$T/out" "management account: yes"

# Role chaining: base -> LmgrantdOps -> LmgrantdHop, the second AssumeRole
# signed by the first one's temporary key.
emu reset-calls >/dev/null
export AWS_PROFILE=chained
expect_exit 0 lmg -c "$T/c.yaml" whoami
assert_contains "$T/out" "arn:aws:sts::111111111111:assumed-role/LmgrantdHop/chained-session"
assert_contains "$T/out" "profile chained (role $ROLE_HOP) <- profile ops (role $ROLE_OPS) <- profile base"
emu calls | jq -r '.[] | select(.operation == "AssumeRole") | "\(.request.RoleArn) \(.access_key_id)"' >"$T/assumes"
assert_eq "$(wc -l <"$T/assumes")" 2 "AssumeRole calls for a chain of two"
assert_eq "$(sed -n 1p "$T/assumes")" "$ROLE_OPS $CI_KEY" "first hop"
second=$(sed -n 2p "$T/assumes")
[[ "$second" == "$ROLE_HOP ASIA"* ]] || fail "second hop not signed by a temporary key: $second"

# external_id is sent.
export AWS_PROFILE=ext
expect_exit 0 lmg -c "$T/c.yaml" whoami
assert_contains "$T/out" "assumed-role/LmgrantdExt/lmgrantd"

# A role that cannot be assumed: an error naming the profile and role.
for p in wrong-ext untrusted; do
	export AWS_PROFILE=$p
	expect_exit 1 lmg -c "$T/c.yaml" whoami
	assert_contains "$T/err" "profile $p: assuming"
	assert_contains "$T/err" "AssumeRole: AccessDenied"
	assert_no_secrets "$T/out" "$T/err"
	expect_exit 1 lmg -c "$T/c.yaml" apply
	assert_contains "$T/err" "AccessDenied"
	assert_no_secrets "$T/out" "$T/err"
done
assert_no_secrets "$T/emulator.log" "$T/emulator.stderr"
echo ok
