# The journal is the audit trail of every change (SPEC §6, §9): an `apply`
# run by hand with the default --log auto writes one entry per change to a
# real journald and still prints to stderr; each write entry, ok or failed,
# carries the request id the emulator answered; every entry says which
# command and which user; a grant's StatusReason goes with it. `history`
# reads those entries back, oldest first, across two processes.
source "$(dirname "$0")/journal-lib.sh"
source "$(dirname "$0")/lib.sh"
start_private_journald

start_emulator "$DEMO_FIXTURE"
L1=arn:aws:license-manager::294406891311:license:l-34f3fcef76f99f8b4d7ba61adbe400bf
REASON="Activation was not requested yet"
G444=$(emu grant-add "$(jq -nc --arg l "$L1" --arg r "$REASON" '{license_arn: $l,
	principal: "arn:aws:iam::444444444444:root", status: "DISABLED", status_reason: $r,
	operations: ["CheckoutLicense", "CheckInLicense", "ExtendConsumptionLicense", "ListPurchasedLicenses", "CreateToken"],
	name: "by-hand", home_region: "us-east-1"}')" | jq -r .arn)
write_config c.yaml <<'YAML'
version: 1
models:
  claude:
    product: prod-4pmewlybdftbs
    ous: [Workloads/Prod]
    accounts: ["444444444444", "333333333333"]
  haiku:
    product: prod-5oba7y7jpji56
    accounts: ["666666666666"]
YAML
# One create fails, with an AWS error and a request id of its own.
emu config '{"fail_rules": [{"operation": "CreateGrant", "nth": 2, "times": 1, "status": 400, "type": "ValidationException"}]}' >/dev/null

# First process: no --log option, as an operator would run it.
expect_exit 1 "$LMGRANTD_BIN" -c "$T/c.yaml" apply
assert_contains "$T/err" "grant created"
assert_contains "$T/err" "failed"
emu advance >/dev/null
# Second process: the failed create again, the activations.
rc=0
"$LMGRANTD_BIN" -c "$T/c.yaml" apply >"$T/out2" 2>"$T/err2" || rc=$?
[ "$rc" = 0 ] || { cat "$T/out2" "$T/err2"; fail "second apply exited $rc"; }
emu advance >/dev/null

journalctl --flush >/dev/null 2>&1 || true
sleep 0.5
journalctl --no-pager -o json SYSLOG_IDENTIFIER=lmgrantd >"$T/journal.json"
j() { jq -rs "$1" "$T/journal.json"; }
CHANGES='[.[] | select(.LMGRANTD_ACTION | IN("create", "update", "accept", "activate", "delete"))]'

# One entry per write the emulator served, with that write's request id
# (a skipped action made no write).
emu calls | jq -r '[.[] | select(.write) | .request_id] | sort | join(",")' >"$T/want.ids"
j "$CHANGES | map(select(.LMGRANTD_RESULT != \"skipped\") | .LMGRANTD_AWS_REQUEST_ID // \"MISSING\") | sort | join(\",\")" >"$T/got.ids"
assert_eq "$(cat "$T/got.ids")" "$(cat "$T/want.ids")" "request ids of the change entries"
# (skipped too when the failed create was on claude's license: its
# activation waits for the next pass; which create fails depends on timing.)
assert_eq "$(j "$CHANGES | map(.LMGRANTD_RESULT) | map(select(. != \"skipped\")) | sort | unique | join(\",\")")" "failed,ok" "results"
assert_eq "$(j "$CHANGES | length > 5")" true "change entries"

# Every entry (changes, summaries, diagnostics): the command and the user.
assert_eq "$(j '[.[] | .LMGRANTD_COMMAND] | unique | join(",")')" apply "LMGRANTD_COMMAND"
assert_eq "$(j '[.[] | .LMGRANTD_INVOKED_BY] | unique | join(",")')" "$(id -un)" "LMGRANTD_INVOKED_BY"
assert_eq "$(j "[.[] | select(.LMGRANTD_ACTION == \"activate\" and .LMGRANTD_RESULT == \"ok\" and .LMGRANTD_GRANT_ARN == \"$G444\") | .LMGRANTD_STATUS_REASON] | join(\",\")")" \
	"$REASON" "StatusReason on the activation of the DISABLED grant"

# The configuration's digest on every entry; no revision outside a git work tree.
assert_eq "$(j '[.[] | .LMGRANTD_CONFIG_SHA256] | unique | join(",")')" \
	"$(sha256sum "$T/c.yaml" | cut -d' ' -f1)" "LMGRANTD_CONFIG_SHA256"
assert_eq "$(j '[.[] | select(has("LMGRANTD_CONFIG_REVISION"))] | length')" 0 \
	"LMGRANTD_CONFIG_REVISION outside a git work tree"

# history --model: exactly claude's change entries, both processes, oldest first.
j "$CHANGES | map(select(.LMGRANTD_MODEL == \"claude\")) | sort_by(.__REALTIME_TIMESTAMP | tonumber)
	| map([.LMGRANTD_ACTION, .LMGRANTD_RESULT, .LMGRANTD_GRANT_ARN // \"\", .LMGRANTD_AWS_REQUEST_ID, ._PID])" >"$T/want.hist"
assert_eq "$(jq '[.[][4]] | unique | length' "$T/want.hist")" 2 "processes in claude's history"
expect_exit 0 "$LMGRANTD_BIN" history --model claude -o json
jq -c '[.[] | [.action, .result, .grant_arn // "", .aws_request_id]]' "$T/out" >"$T/got.hist"
assert_eq "$(cat "$T/got.hist")" "$(jq -c 'map(.[0:4])' "$T/want.hist")" "history --model claude -o json"
assert_eq "$(jq -r '[.[] | .time | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z$")] | all' "$T/out")" true "times"
assert_eq "$(jq -r '[.[] | .invoked_by] | unique | join(",")' "$T/out")" "$(id -un)" "invoked_by"
# Text: one line per entry, in the same order.
expect_exit 0 "$LMGRANTD_BIN" history --model claude
cat "$T/out"
assert_eq "$(wc -l <"$T/out")" "$(jq length "$T/want.hist")" "history text lines"
assert_eq "$(awk '{print $2 "/" $3}' "$T/out" | paste -sd,)" \
	"$(jq -r 'map(.[0] + "/" + .[1]) | join(",")' "$T/want.hist")" "history text order"
assert_contains "$T/out" "by $(id -un)"

# --account: entries whose principal is that account; --since.
expect_exit 0 "$LMGRANTD_BIN" history --account 444444444444 -o json
assert_eq "$(jq -r '[.[] | .principal_arn] | unique | join(",")' "$T/out")" "arn:aws:iam::444444444444:root" "--account"
assert_eq "$(jq -r '[.[] | .action + "/" + .result] | map(select(. != "activate/skipped")) | join(",")' "$T/out")" "activate/ok" "444's changes"
expect_exit 0 "$LMGRANTD_BIN" history --since -1h -o json
assert_eq "$(jq length "$T/out")" "$(j "$CHANGES | length")" "--since -1h"
expect_exit 0 "$LMGRANTD_BIN" history --since 2999-01-01 -o json
assert_eq "$(jq length "$T/out")" 0 "--since in the future"

# --log stderr: nothing in the journal; --log journal: nothing on stderr.
emu config '{"fail_rules": [{"operation": "ListReceivedLicenses", "nth": 1, "times": 0, "status": 400, "type": "AccessDeniedException"}]}' >/dev/null
expect_exit 1 "$LMGRANTD_BIN" --log stderr -c "$T/c.yaml" plan
assert_contains "$T/err" "AccessDenied"
expect_exit 1 "$LMGRANTD_BIN" --log journal -c "$T/c.yaml" access
assert_eq "$(grep -c '\[action=' "$T/err" || true)" 0 "entries on stderr with --log journal"
journalctl --flush >/dev/null 2>&1 || true
sleep 0.5
journalctl --no-pager -o json SYSLOG_IDENTIFIER=lmgrantd >"$T/journal.json"
assert_eq "$(j '[.[] | select(.LMGRANTD_COMMAND == "plan")] | length')" 0 "entries of plan --log stderr"
assert_eq "$(j '[.[] | select(.LMGRANTD_COMMAND == "access" and .LMGRANTD_ERROR == "AccessDeniedException")] | length')" 1 "entries of access --log journal"

# A config in a git checkout: the hand-run apply's entries name its commit.
emu config '{"fail_rules": []}' >/dev/null
mkdir -p "$T/repo"
cp "$T/c.yaml" "$T/repo/c.yaml"
git -C "$T/repo" init -q
git -C "$T/repo" -c user.name=t -c user.email=t@example.invalid add c.yaml
git -C "$T/repo" -c user.name=t -c user.email=t@example.invalid commit -qm config
rev=$(git -C "$T/repo" rev-parse HEAD)
"$LMGRANTD_BIN" -c "$T/repo/c.yaml" apply >"$T/out" 2>"$T/err" || true
journalctl --flush >/dev/null 2>&1 || true
sleep 0.5
journalctl --no-pager -o json SYSLOG_IDENTIFIER=lmgrantd >"$T/journal.json"
assert_eq "$(j '[.[] | select(.LMGRANTD_CONFIG_REVISION != null) | .LMGRANTD_CONFIG_REVISION] | unique | join(",")')" \
	"$rev" "LMGRANTD_CONFIG_REVISION of the apply from a git checkout"

expect_exit 1 "$LMGRANTD_BIN" history --since yesterday
expect_exit 64 "$LMGRANTD_BIN" history --account 12
echo ok
