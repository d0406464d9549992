# credential_process: run without a shell (words split like the AWS CLI,
# quotes honoured), its stderr passes through, its JSON answer is used; a
# non-zero exit, an expired answer or bad JSON is an error that names the
# profile and never repeats the output (it holds the secret).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/creds-lib.sh"
start_emulator "$CREDS_FIXTURE"
clean_creds_env

mkdir -p "$T/helper dir"
# The helper prints what it is told to in $T/answer, and its arguments on
# stderr (so the test sees how the command line was split).
cat >"$T/helper dir/vault-aws" <<'SH'
#!/bin/sh
printf 'vault-aws: %d args: [%s] [%s]\n' "$#" "$1" "$2" >&2
cat "$(dirname "$0")/../answer"
exit "$(cat "$(dirname "$0")/../exit-code" 2>/dev/null || echo 0)"
SH
chmod 755 "$T/helper dir/vault-aws"
in_an_hour=$(date -u -d '+1 hour' +%Y-%m-%dT%H:%M:%SZ)
answer() { # answer KEY SECRET EXPIRATION
	printf '{"Version": 1, "AccessKeyId": "%s", "SecretAccessKey": "%s", "Expiration": "%s"}\n' "$1" "$2" "$3" \
		>"$T/answer"
}
write_aws "$HOME/.aws/config" <<EOF
[default]
credential_process = "$T/helper dir/vault-aws" --role 'ops admin' \$HOME
EOF

answer "$VAULT_KEY" "$VAULT_SECRET" "$in_an_hour"
expect_exit 0 lmg -c "$T/c.yaml" whoami
assert_contains "$T/out" "arn:aws:iam::111111111111:user/vault"
assert_contains "$T/out" "credentials from:   profile default (credential_process)"
# No shell: the quoted words stay whole and $HOME is not expanded.
assert_contains "$T/err" "vault-aws: 3 args: [--role] [ops admin]"
emu reset-calls >/dev/null
expect_exit 0 lmg -c "$T/c.yaml" apply
assert_eq "$(keys_seen)" "$VAULT_KEY" "keys used by apply"
assert_no_secrets "$T/out" "$T/err"

# A non-zero exit: the output is not trusted, nor shown.
echo 3 >"$T/exit-code"
expect_exit 1 lmg -c "$T/c.yaml" whoami
assert_contains "$T/err" "credential_process of profile default exited with status 3"
assert_no_secrets "$T/out" "$T/err"
rm "$T/exit-code"

# An answer that has already expired.
answer "$VAULT_KEY" "$VAULT_SECRET" 2020-01-01T00:00:00Z
expect_exit 1 lmg -c "$T/c.yaml" whoami
assert_contains "$T/err" "credential_process of profile default: the credentials expired at 2020-01-01T00:00:00Z"
assert_no_secrets "$T/out" "$T/err"

# Not JSON (the secret is in it): the position, never the text.
printf '{"Version": 1, "AccessKeyId": "%s", "SecretAccessKey": "%s"\n' "$VAULT_KEY" "$VAULT_SECRET" >"$T/answer"
expect_exit 1 lmg -c "$T/c.yaml" whoami
assert_contains "$T/err" "credential_process of profile default: the output is not JSON (line"
assert_no_secrets "$T/out" "$T/err"

# A helper that does not exist.
write_aws "$HOME/.aws/config" <<EOF
[default]
credential_process = $T/no-such-helper
EOF
expect_exit 1 lmg -c "$T/c.yaml" whoami
# (under valgrind, posix_spawn reports it as the child's exit status 127)
grep -qE "credential_process of profile default(: cannot run $T/no-such-helper| exited with status 127)" "$T/err" ||
	{ cat "$T/err"; fail "a missing helper is not reported"; }
echo ok
