# The metrics file and the alert rules (SPEC §7): `promtool check metrics`
# accepts what `lmgrantd run --metrics` writes; it has build_info, the last
# pass's duration and the interval; drift is what is left after the pass's
# own changes; tombstones are not counted as grants. The shipped alert
# rules pass `promtool check rules` and their unit tests.
source "$(dirname "$0")/lib.sh"
command -v promtool >/dev/null || fail "promtool not found (Debian package prometheus; contrib/install-deps.sh)"

promtool check rules "$ROOT/contrib/prometheus/lmgrantd-alerts.yml" || fail "promtool check rules"
promtool test rules "$ROOT/tests/prometheus/lmgrantd-alerts-test.yml" || fail "promtool test rules"

start_emulator "$DEMO_FIXTURE"
L1=arn:aws:license-manager::294406891311:license:l-34f3fcef76f99f8b4d7ba61adbe400bf
# A deleted grant: a tombstone, not a grant.
add_grant "$L1" 555555555555 DELETED >/dev/null
write_config c.yaml <<'YAML'
version: 1
interval: 1h
models:
  claude:
    product: prod-4pmewlybdftbs
    accounts: ["444444444444", "333333333333"]
  haiku:
    product: prod-5oba7y7jpji56
    accounts: ["666666666666"]
YAML
start_daemon "$T/c.yaml" --metrics "$T/lmgrantd.prom"
passes_at_least() { [ "$(daemon_pass)" -ge "$1" ]; }
wait_for 20 "the first pass" passes_at_least 1
wait_for 5 "the metrics file" test -s "$T/lmgrantd.prom"
cat "$T/lmgrantd.prom"
promtool check metrics <"$T/lmgrantd.prom" || fail "promtool check metrics"

assert_contains "$T/lmgrantd.prom" 'lmgrantd_build_info{version="'
grep -qE '^lmgrantd_last_pass_duration_seconds [0-9]+\.[0-9]+$' "$T/lmgrantd.prom" || fail "last pass duration"
assert_contains "$T/lmgrantd.prom" 'lmgrantd_pass_interval_seconds 3600'
# The pass created all three grants: nothing is left to do for either model.
assert_eq "$(jq -r .counts.create.ok "$T/state/status.json")" 3 "creates made"
assert_contains "$T/lmgrantd.prom" 'lmgrantd_drift{model="claude"} 0'
assert_contains "$T/lmgrantd.prom" 'lmgrantd_drift{model="haiku"} 0'
if grep -q 'status="DELETED"' "$T/lmgrantd.prom"; then fail "a tombstone counted in lmgrantd_grants"; fi
# The deleted grant was read (status.json counts what was listed).
assert_eq "$(jq -r '.models.claude.grants.DELETED' "$T/state/status.json")" 1 "DELETED grants read"

# Second pass: the new grants are DISABLED now, and counted as grants.
emu advance >/dev/null
kill -USR1 "$DAEMON"
wait_for 20 "the second pass" passes_at_least 2
sleep 0.3
assert_contains "$T/lmgrantd.prom" 'lmgrantd_grants{model="claude",status="DISABLED"} 2'
assert_contains "$T/lmgrantd.prom" 'lmgrantd_drift{model="claude"} 0'
promtool check metrics <"$T/lmgrantd.prom" || fail "promtool check metrics (second pass)"
stop_daemon
echo ok
