# No secret reaches the journal: a real systemd-journald (in a private
# mount namespace, as in 040) receives lmgrantd's entries while it uses a
# role profile (static source keys, an assumed session with its token)
# and accepts grants as the grantee, once successfully and once with a
# role that cannot be assumed; the accept entries carry the SPEC §6
# fields. Then every field of every entry is searched for the secrets and
# the session tokens.
source "$(dirname "$0")/journal-lib.sh"
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/creds-lib.sh"
start_private_journald

jq '(.accounts[] | select(.id == "222222222222" or .id == "444444444444")).requires_accept = true' \
	"$CREDS_FIXTURE" >"$T/accept.json"
start_emulator "$T/accept.json"
clean_creds_env
write_aws "$HOME/.aws/credentials" <<AWS
[base]
aws_access_key_id = $CI_KEY
aws_secret_access_key = $CI_SECRET
AWS
write_aws "$HOME/.aws/config" <<AWS
[profile ops]
role_arn = $ROLE_OPS
source_profile = base
AWS
export AWS_PROFILE=ops
write_config g.yaml <<'YAML'
version: 1
activation:
  grantee_role: LicenseGrantActivator
models:
  claude:
    product: prod-4pmewlybdftbs
    accounts: ["222222222222", "444444444444"]
YAML
expect_exit 0 "$LMGRANTD_BIN" --log journal -c "$T/g.yaml" apply
emu advance >/dev/null
expect_exit 1 "$LMGRANTD_BIN" --log journal -c "$T/g.yaml" apply
# A credential failure goes to the journal too.
AWS_PROFILE=nope expect_exit 1 "$LMGRANTD_BIN" --log journal -c "$T/g.yaml" apply
journalctl --flush >/dev/null 2>&1 || true
sleep 0.5
journalctl --no-pager -o json SYSLOG_IDENTIFIER=lmgrantd >"$T/journal.json"
j() { jq -rs "$1" "$T/journal.json"; }
accepted=a68a5c17c41c409fb28cb5e2a171edb4
failed=864f40a0965a490c9aa813f4163381b9
assert_eq "$(j "[.[] | select(.MESSAGE_ID==\"$accepted\") | \"\(.LMGRANTD_ACTION)/\(.LMGRANTD_RESULT) \(.LMGRANTD_PRINCIPAL_ARN)\"] | join(\";\")")" \
	"accept/ok arn:aws:iam::222222222222:root" "accept entries"
assert_eq "$(j "[.[] | select(.MESSAGE_ID==\"$failed\" and .LMGRANTD_ACTION==\"accept\") | \"\(.LMGRANTD_RESULT) \(.LMGRANTD_ERROR) \(.LMGRANTD_PRINCIPAL_ARN)\"] | join(\";\")")" \
	"failed AccessDenied arn:aws:iam::444444444444:root" "failed accept entries"
j '.[].MESSAGE' | grep -q 'AWS_PROFILE names a profile that does not exist' || fail "credential failure not in the journal"

journalctl --no-pager -o export >"$T/journal.export"
[ -s "$T/journal.export" ] || fail "empty journal"
assert_no_secrets "$T/journal.export" "$T/out" "$T/err"
if grep -aE 'Signature=[0-9a-f]{64}' "$T/journal.export" >/dev/null; then fail "a signature in the journal"; fi
echo ok
