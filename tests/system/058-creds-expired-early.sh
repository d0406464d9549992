# Credentials AWS refuses as expired long before their Expiration (a revoked
# session, a clock that is off): the request that was refused resolves the
# chain again and is sent once more with the new credentials, so the pass
# goes on. Here credential_process hands out, first, a key the emulator has
# already expired while its Expiration says an hour ahead, then good keys.
# Environment keys that are refused stay refused: covered by 065 (one call).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/creds-lib.sh"
start_emulator "$CREDS_FIXTURE"
clean_creds_env

issuing_process "$T/issue" 3600 '
if not issued:   # the first key is dead on arrival
    expire(c["AccessKeyId"])'
write_aws "$HOME/.aws/config" <<EOF
[default]
credential_process = $T/issue
EOF
write_config e.yaml <<'YAML'
version: 1
max_tps: 50
models:
  claude:
    product: prod-4pmewlybdftbs
    accounts: ["444444444444", "555555555555"]
YAML

emu reset-calls >/dev/null
expect_exit 0 lmg -c "$T/e.yaml" apply
read -r -a issued <"$T/issued" || true  # (no trailing newline)
assert_eq "${#issued[@]}" 2 "credential_process runs"
lm_calls() { emu calls | jq -c "[.[] | select(.operation != \"AssumeRole\") | $1]"; }
# Exactly one request met the dead key; it was sent again with the new one.
assert_eq "$(lm_calls 'select(.error == "ExpiredTokenException") | .access_key_id')" "[\"${issued[0]}\"]" \
	"requests refused as expired"
assert_eq "$(lm_calls 'select(.access_key_id == "'"${issued[0]}"'") | .operation')" '["ListReceivedLicenses"]' \
	"requests signed with the dead key"
assert_eq "$(lm_calls '.operation' | jq -r '.[0:2] | join(" ")')" "ListReceivedLicenses ListReceivedLicenses" \
	"the refused request, then the same again"
assert_eq "$(emu calls --count --op CreateGrant)" 2 "grants created"
assert_eq "$(lm_calls 'select(.status != 200 and .error != "ExpiredTokenException")' | jq length)" 0 \
	"other refused requests"
assert_no_secrets "$T/err" "$T/out"
echo ok
