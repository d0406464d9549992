# The journal is the audit trail: a real systemd-journald (in a private
# mount namespace, so the host's journal is untouched) receives lmgrantd's
# entries; each carries its MESSAGE_ID and the SPEC §6 fields, and no
# secret appears anywhere in the journal.
source "$(dirname "$0")/journal-lib.sh"
source "$(dirname "$0")/lib.sh"
start_private_journald

start_emulator "$DEMO_FIXTURE"
# A fixed rate keeps two writes in flight (max_tps: auto would start all
# three at once), so the third CreateGrant is always the third action.
write_config c.yaml <<'YAML'
version: 1
max_tps: 5
models:
  claude:
    product: prod-4pmewlybdftbs
    ous: [Workloads/Prod]
    accounts: ["444444444444", "333333333333"]
YAML
# The create for account 3333 fails with a non-retryable error.
emu config '{"fail_rules": [{"operation": "CreateGrant", "nth": 3, "times": 1, "status": 400, "type": "ValidationException"}]}' >/dev/null
expect_exit 1 "$LMGRANTD_BIN" --log journal -c "$T/c.yaml" apply
journalctl --flush >/dev/null 2>&1 || true
sleep 0.5
journalctl --no-pager -o json SYSLOG_IDENTIFIER=lmgrantd >"$T/journal.json"
[ -s "$T/journal.json" ] || fail "no lmgrantd entries in the journal"

created=93046f0d02cd4323abe19a50486bc3b8
failed=864f40a0965a490c9aa813f4163381b9
summary=7745f74ce1cd4f98a0285a638284025a
j() { jq -rs "$1" "$T/journal.json"; }
assert_eq "$(j "[.[] | select(.MESSAGE_ID==\"$created\")] | length")" 2 "grant-created entries"
for f in LMGRANTD_ACTION LMGRANTD_RESULT LMGRANTD_MODEL LMGRANTD_LICENSE_ARN LMGRANTD_GRANT_ARN \
	LMGRANTD_PRINCIPAL_ARN LMGRANTD_TARGET LMGRANTD_PASS MESSAGE PRIORITY; do
	assert_eq "$(j "[.[] | select(.MESSAGE_ID==\"$created\") | .$f | select(. != null and . != \"\")] | length")" 2 "field $f on created entries"
done
assert_eq "$(j "[.[] | select(.MESSAGE_ID==\"$created\") | .LMGRANTD_ACTION + \"/\" + .LMGRANTD_RESULT] | unique | join(\",\")")" "create/ok" "action/result"
assert_eq "$(j "[.[] | select(.MESSAGE_ID==\"$created\") | .LMGRANTD_TARGET] | sort | join(\",\")")" "account 444444444444,ou Workloads/Prod" "targets"
assert_eq "$(j "[.[] | select(.MESSAGE_ID==\"$created\") | .LMGRANTD_GRANT_ARN | test(\"^arn:aws:license-manager::111111111111:grant:g-\")] | all")" true "grant ARNs"
assert_eq "$(j "[.[] | select(.MESSAGE_ID==\"$failed\")] | length")" 1 "action-failed entries"
assert_eq "$(j ".[] | select(.MESSAGE_ID==\"$failed\") | .LMGRANTD_ERROR")" ValidationException "error type"
assert_eq "$(j ".[] | select(.MESSAGE_ID==\"$failed\") | .LMGRANTD_AWS_REQUEST_ID | length > 10")" true "request id"
assert_eq "$(j ".[] | select(.MESSAGE_ID==\"$failed\") | .LMGRANTD_PRINCIPAL_ARN")" "arn:aws:iam::333333333333:root" "failed principal"
assert_eq "$(j ".[] | select(.MESSAGE_ID==\"$failed\") | .PRIORITY")" 3 "failure priority"
assert_eq "$(j "[.[] | select(.MESSAGE_ID==\"$summary\")] | length")" 1 "pass summary entries"
assert_eq "$(j ".[] | select(.MESSAGE_ID==\"$summary\") | .LMGRANTD_ACTION + \"/\" + .LMGRANTD_RESULT")" "pass/failed" "summary"

# No secret anywhere in the whole journal (every field of every entry).
journalctl --no-pager -o export >"$T/journal.export"
if grep -aF "$AWS_SECRET_ACCESS_KEY" "$T/journal.export" >/dev/null; then fail "secret key in the journal"; fi
if grep -aE 'Signature=[0-9a-f]{64}' "$T/journal.export" >/dev/null; then fail "a signature in the journal"; fi
if grep -aF "$AWS_SECRET_ACCESS_KEY" "$T/out" "$T/err" >/dev/null; then fail "secret key on stdout/stderr"; fi
echo ok
