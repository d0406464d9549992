# Issue 19: max_tps auto (the default). With Organizations answering its
# first four ListAccountsForParent calls with 429 and License Manager not
# throttling, each service gets a rate of its own: Organizations' drops
# below the start rate (5/s), License Manager's climbs above it. The rates
# in force are in the metrics (lmgrantd_api_rate_limit{service}), in
# `status -o json` and, when they move by more than 20 %, in -v output.
# A number for max_tps keeps that rate for every service, throttled or not.
source "$(dirname "$0")/lib.sh"
"$PYTHON" "$EMU_DIR/genfixture.py" --licenses 1 --accounts 60 --ous 2 --seed 500 \
	--out "$T/f.json" 2>/dev/null
start_emulator "$T/f.json" --page-size 20
sku=$(jq -r '.licenses[0].product_sku' "$T/f.json")
accounts=$(jq -c '[.accounts[] | select(.id != "111111111111") | .id]' "$T/f.json")
printf 'version: 1\ninterval: 1s\nmodels:\n  m:\n    product: %s\n    accounts: %s\n' \
	"$sku" "$accounts" | write_config c.yaml
emu config '{"fail_rules": [{"operation": "ListAccountsForParent", "times": 4, "status": 429}]}' >/dev/null

mkdir -p "$T/state"
STATE_DIRECTORY=$T/state "$LMGRANTD_BIN" --log stderr -v -c "$T/c.yaml" run --metrics "$T/metrics.prom" \
	2>>"$T/daemon.err" &
DAEMON=$!
in_sync() { [ "$(jq -r .result "$T/state/status.json")" = in_sync ]; }
all_active() { [ "$(grants_in ACTIVE)" = 60 ]; }
wait_for 120 "60 active grants" all_active
wait_for 60 "a pass in sync" in_sync
stop_daemon

assert_eq "$(max_grants_per_principal)" 1 "grants per principal"
assert_eq "$(emu calls | jq '[.[] | select(.status == 429)] | length')" 4 "429 answers"
rate() { sed -nE "s/^lmgrantd_api_rate_limit\\{service=\"$1\"\\} ([0-9.]+)$/\\1/p" "$T/metrics.prom"; }
lm=$(rate license-manager)
org=$(rate organizations)
echo "metrics: license-manager $lm/s, organizations $org/s"
[ -n "$lm" ] && [ -n "$org" ] || fail "no lmgrantd_api_rate_limit for both services"
awk -v r="$org" 'BEGIN { exit !(r >= 1 && r < 5) }' || fail "organizations rate $org: not lowered by its 429s"
awk -v r="$lm" 'BEGIN { exit !(r > 5 && r <= 100) }' || fail "license-manager rate $lm: did not probe upward"
STATE_DIRECTORY=$T/state expect_exit 0 "$LMGRANTD_BIN" status -o json
awk -v a="$(jq '.api_rate_limit["license-manager"]' "$T/out")" -v b="$lm" \
	'BEGIN { exit !(a - b < 0.01 && b - a < 0.01) }' || fail "status license-manager rate differs from the metrics"
awk -v a="$(jq '.api_rate_limit.organizations' "$T/out")" -v b="$org" \
	'BEGIN { exit !(a - b < 0.01 && b - a < 0.01) }' || fail "status organizations rate differs from the metrics"
# -v: the moves of more than 20 %, the last one of Organizations' below 5/s.
assert_contains "$T/daemon.err" "license-manager: request rate now"
last_org=$(sed -nE 's|.*organizations: request rate now ([0-9.]+)/s$|\1|p' "$T/daemon.err" | tail -1)
awk -v r="$last_org" 'BEGIN { exit !(r != "" && r < 5) }' || fail "-v: last organizations rate '$last_org'"

# A fixed rate stays, for every service, whatever AWS answers.
sed -i 's/^interval: 1s$/interval: 1s\nmax_tps: 7/' "$T/c.yaml"
emu config '{"fail_rules": [{"operation": "ListRoots", "times": 3, "status": 429}]}' >/dev/null
rm -f "$T/state/status.json"
: >"$T/daemon.err"
STATE_DIRECTORY=$T/state "$LMGRANTD_BIN" --log stderr -v -c "$T/c.yaml" run --metrics "$T/metrics.prom" \
	2>>"$T/daemon.err" &
DAEMON=$!
wait_for 60 "a pass in sync with max_tps 7" in_sync
stop_daemon
assert_eq "$(rate license-manager)" 7.000 "fixed license-manager rate"
assert_eq "$(rate organizations)" 7.000 "fixed organizations rate"
if grep -q "request rate now" "$T/daemon.err"; then fail "a fixed rate moved"; fi
STATE_DIRECTORY=$T/state expect_exit 0 "$LMGRANTD_BIN" status
assert_contains "$T/out" "request rate: license-manager 7.0/s, organizations 7.0/s"
echo ok
