# `lmgrantd access` (SPEC §9): on an organization holding an organization
# grant, an OU grant, account grants, a DISABLED sub-grant, a
# FAILED_WORKFLOW grant, a REJECTED and a PENDING_ACCEPT grant and
# uncovered accounts, -o json reports exactly that state for every member
# account and model; -o csv has the same rows; the text matrix of 6
# accounts x 3 models fits 100 columns; --model and --account filter.
source "$(dirname "$0")/lib.sh"

start_emulator "$DEMO_FIXTURE"
emu account-add 777777777777 ou-ab12-sbox0001 >/dev/null
# emuctl has no account-set: the admin route directly.
curl -sf -X POST -d '{"account": "777777777777", "name": "sandbox-b"}' \
	"http://127.0.0.1:$(cat "$T/port")/_emu/account/set" >/dev/null

L1=arn:aws:license-manager::294406891311:license:l-34f3fcef76f99f8b4d7ba61adbe400bf
L2=arn:aws:license-manager::294406891311:license:l-a5e17186faeaad5d60e065d98cf1c7b2
L3=arn:aws:license-manager::294406891311:license:l-93f9bf06475ed31cd243ce0b81e9e404
ORG=arn:aws:organizations::111111111111:organization/o-exampleorg1
PROD=arn:aws:organizations::111111111111:ou/o-exampleorg1/ou-ab12-prod0001
acct() { echo "arn:aws:iam::$1:root"; }
grant() { # LICENSE PRINCIPAL STATUS [REASON]
	emu grant-add "$(jq -nc --arg l "$1" --arg p "$2" --arg s "$3" --arg r "${4:-}" \
		'{license_arn: $l, principal: $p, status: $s, operations: ["CheckoutLicense"],
		  name: "by-hand", home_region: "us-east-1"} + (if $r == "" then {} else {status_reason: $r} end)')" | jq -r .arn
}
G_ORG=$(grant "$L1" "$ORG" WORKFLOW_COMPLETED)
G_PROD=$(grant "$L2" "$PROD" WORKFLOW_COMPLETED)
G_333=$(grant "$L2" "$(acct 333333333333)" ACTIVE)
REASON="License distribution failed: the account already has an active grant"
G_444F=$(grant "$L2" "$(acct 444444444444)" FAILED_WORKFLOW "$REASON")
G_666=$(grant "$L3" "$(acct 666666666666)" PENDING_ACCEPT)
G_222R=$(grant "$L3" "$(acct 222222222222)" REJECTED)
# The organization grant's sub-grant for 4444 falls back to DISABLED.
SUB_444=$(state ".grants[] | select(.parent_arn == \"$G_ORG\" and .principal == \"$(acct 444444444444)\") | .arn")
[ -n "$SUB_444" ] || fail "no sub-grant for 444444444444"
emu grant-set "$(jq -nc --arg a "$SUB_444" '{arn: $a, status: "DISABLED"}')" >/dev/null

write_config c.yaml <<'YAML'
version: 1
models:
  claude-sonnet-4:
    product: prod-4pmewlybdftbs
    organization: true
  claude-3-5-haiku:
    product: prod-5oba7y7jpji56
    ous: [Workloads/Prod]
    accounts: ["333333333333"]
  command-r:
    product: prod-tukx4z3hrewle
    accounts: ["666666666666"]
YAML

# What the emulator holds, written out by hand: state, via, target, grant,
# reason; models in name order, accounts by id.
row() { # ACCOUNT NAME STATE VIA TARGET GRANT REASON
	jq -nc --arg a "$1" --arg n "$2" --arg s "$3" --arg v "$4" --arg t "$5" --arg g "$6" --arg r "$7" \
		'{account: $a, name: $n, state: $s, via: (if $v == "" then null else $v end),
		  target: (if $t == "" then null else $t end), grant_arn: (if $g == "" then null else $g end),
		  reason: (if $r == "" then null else $r end)}'
}
{
	echo "claude-3-5-haiku $L2"
	row 222222222222 prod-a active "$PROD" "ou Workloads/Prod" "$G_PROD" ""
	row 333333333333 dev-a active "$(acct 333333333333)" "account 333333333333" "$G_333" ""
	row 444444444444 sandbox-a failed "$(acct 444444444444)" "" "$G_444F" "$REASON"
	row 555555555555 prod-b active "$PROD" "ou Workloads/Prod" "$G_PROD" ""
	row 666666666666 shared-services none "" "" "" ""
	row 777777777777 sandbox-b none "" "" "" ""
	echo "claude-sonnet-4 $L1"
	row 222222222222 prod-a active "$ORG" organization "$G_ORG" ""
	row 333333333333 dev-a active "$ORG" organization "$G_ORG" ""
	row 444444444444 sandbox-a disabled "$ORG" organization "$G_ORG" ""
	row 555555555555 prod-b active "$ORG" organization "$G_ORG" ""
	row 666666666666 shared-services active "$ORG" organization "$G_ORG" ""
	row 777777777777 sandbox-b active "$ORG" organization "$G_ORG" ""
	echo "command-r $L3"
	row 222222222222 prod-a rejected "$(acct 222222222222)" "" "$G_222R" ""
	row 333333333333 dev-a none "" "" "" ""
	row 444444444444 sandbox-a none "" "" "" ""
	row 555555555555 prod-b none "" "" "" ""
	row 666666666666 shared-services pending "$(acct 666666666666)" "account 666666666666" "$G_666" ""
	row 777777777777 sandbox-b none "" "" "" ""
} >"$T/expected.lines"
"$PYTHON" - "$T/expected.lines" >"$T/expected.json" <<'PY'
import json, sys
models = []
for line in open(sys.argv[1]):
    if line.startswith("{"):
        models[-1]["accounts"].append(json.loads(line))
    else:
        name, arn = line.split()
        models.append({"model": name, "license_arn": arn, "error": None, "accounts": []})
print(json.dumps({"models": models}, sort_keys=True, indent=1))
PY

expect_exit 0 lmg -c "$T/c.yaml" access -o json
jq -S . "$T/out" >"$T/got.json"
jq -S . "$T/expected.json" >"$T/want.json"
diff -u "$T/want.json" "$T/got.json" || fail "access -o json differs from the emulator's state"
# Nothing was written by reading access.
assert_eq "$(writes)" 0 "writes"

# -o csv: the same rows, column for column.
expect_exit 0 lmg -c "$T/c.yaml" access -o csv
cp "$T/out" "$T/access.csv"
"$PYTHON" - "$T/access.csv" "$T/got.json" <<'PY' || fail "access -o csv differs from -o json"
import csv, json, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
doc = json.load(open(sys.argv[2]))
want = [dict(model=m["model"], license_arn=m["license_arn"], **{k: (v or "") for k, v in a.items()})
        for m in doc["models"] for a in m["accounts"]]
assert [dict(r) for r in rows] == want, (rows, want)
PY

# Text: a matrix of 6 accounts x 3 models within 100 columns, names from
# Organizations, the management account not listed.
expect_exit 0 lmg -c "$T/c.yaml" access
awk 'NF == 0 { exit } { print }' "$T/out" >"$T/matrix"
cat "$T/out"
assert_eq "$(wc -l <"$T/matrix")" 7 "matrix lines (header + 6 accounts)"
assert_eq "$(awk 'length($0) > 100' "$T/matrix" | wc -l)" 0 "matrix lines over 100 columns"
assert_contains "$T/matrix" "sandbox-b"
assert_contains "$T/matrix" "shared-services"
if grep -q 111111111111 "$T/matrix"; then fail "the management account is listed"; fi
grep -E '^444444444444 +sandbox-a +failed +disabled \(org\) +none *$' "$T/matrix" >/dev/null ||
	fail "row of 444444444444 is wrong"
assert_contains "$T/out" "444444444444 claude-3-5-haiku: failed via arn:aws:iam::444444444444:root: $REASON"

# Filters.
expect_exit 0 lmg -c "$T/c.yaml" access -o json --model claude-3-5-haiku --account 444444444444
assert_eq "$(jq -c '[.models[] | .model as $m | .accounts[] | [$m, .account, .state]]' "$T/out")" \
	'[["claude-3-5-haiku","444444444444","failed"]]' "filtered access"
expect_exit 1 lmg -c "$T/c.yaml" access --model nope
expect_exit 64 lmg -c "$T/c.yaml" plan -o csv
echo ok
