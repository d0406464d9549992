# SPEC §5: one pass at a time per state directory. Two `apply` started
# together: one waits for the other (and says whom it waits for); the
# emulator's call log shows the second pass began after the first one's
# last call, and no grant was made twice.
source "$(dirname "$0")/lib.sh"
start_emulator "$DEMO_FIXTURE"
write_config c.yaml <<'YAML'
version: 1
models:
  claude:
    product: prod-4pmewlybdftbs
    ous: [Workloads/Prod]
    accounts: ["444444444444", "333333333333"]
YAML
mkdir -p "$T/state"
export STATE_DIRECTORY=$T/state
# Slow calls: each pass takes a second or so, so that unlocked passes
# would overlap.
emu config '{"latency_ms": 60}' >/dev/null

lmg -c "$T/c.yaml" apply >"$T/out1" 2>"$T/err1" & A=$!
lmg -c "$T/c.yaml" apply >"$T/out2" 2>"$T/err2" & B=$!
rc1=0; wait $A || rc1=$?
rc2=0; wait $B || rc2=$?
assert_eq "$rc1/$rc2" "0/0" "exit codes"
cat "$T/err1" "$T/err2" >"$T/err"
assert_contains "$T/err" "waiting for the pass of pid"
assert_contains "$T/err" "(apply) to end"

emu calls >"$T/calls.json"
ops() { jq -r '.[] | .operation' "$T/calls.json"; }
assert_eq "$(ops | grep -c '^ListReceivedLicenses$')" 2 "passes"
second=$(jq '[.[] | select(.operation=="ListReceivedLicenses") | .seq] | sort | .[1]' "$T/calls.json")
last_write=$(jq '[.[] | select(.write) | .seq] | max' "$T/calls.json")
first_pass_calls=$(jq "[.[] | select(.seq < $second)] | length" "$T/calls.json")
# The first pass: 1 license list, 4+ organization reads, the grant list,
# 3 creates, all before the second pass's first call.
[ "$first_pass_calls" -ge 9 ] || { ops; fail "the second pass began after only $first_pass_calls calls of the first"; }
assert_eq "$(jq "[.[] | select(.seq < $second and .operation==\"CreateGrant\")] | length" "$T/calls.json")" 3 "the first pass's creates, all before the second pass"
assert_eq "$(max_grants_per_principal)" 1 "grants per principal"
[ "$last_write" -gt 0 ] || fail "no writes at all"
# The lock file is left unlocked, and names no holder.
assert_eq "$(cat "$T/state/lock")" "" "lock holder after the passes"
echo ok
