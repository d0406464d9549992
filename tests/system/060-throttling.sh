# Issue 5, fault 1: License Manager throttles every call at 2 requests/s
# while `lmgrantd run` (max_tps 5, so most calls meet a 429) converges 40
# account grants. Throttled calls are retried with backoff; the passes
# converge; no principal ever has two grants; the retries are counted in
# the metrics and match what the emulator answered.
source "$(dirname "$0")/lib.sh"
"$PYTHON" "$EMU_DIR/genfixture.py" --licenses 1 --accounts 40 --ous 2 --seed 60 \
	--out "$T/f.json" 2>/dev/null
start_emulator "$T/f.json" --page-size 20
sku=$(jq -r '.licenses[0].product_sku' "$T/f.json")
accounts=$(jq -c '[.accounts[] | select(.id != "111111111111") | .id]' "$T/f.json")
printf 'version: 1\ninterval: 1s\nmax_tps: 5\nmodels:\n  m:\n    product: %s\n    accounts: %s\n' \
	"$sku" "$accounts" | write_config c.yaml
emu config '{"throttle_rps": 2}' >/dev/null
emu reset-calls >/dev/null

start_daemon "$T/c.yaml" --metrics "$T/metrics.prom"
in_sync() { [ "$(jq -r .result "$T/state/status.json")" = in_sync ]; }
all_active() { [ "$(grants_in ACTIVE)" = 40 ]; }
wait_for 240 "40 active grants" all_active
wait_for 60 "a pass in sync" in_sync
stop_daemon

assert_eq "$(max_grants_per_principal)" 1 "grants per principal (tombstones included)"
assert_eq "$(state '[.grants[] | select(.sub_grant | not)] | length')" 40 "grants ever made"
throttled_emu=$(emu calls | jq '[.[] | select(.status == 429)] | length')
metric() { sed -nE "s/^$1 ([0-9]+)$/\\1/p" "$T/metrics.prom"; }
throttled=$(metric lmgrantd_api_throttled_total)
retries=$(metric lmgrantd_api_retries_total)
echo "emulator 429s: $throttled_emu; lmgrantd throttled: $throttled, retries: $retries"
[ "$throttled" -gt 0 ] || fail "no throttled call counted"
[ "$retries" -gt 0 ] || fail "no retry counted"
# The metrics are written after each pass; the emulator also saw the pass
# SIGTERM interrupted, so it may have answered a few more 429s.
[ "$throttled" -le "$throttled_emu" ] || fail "counted $throttled throttled calls, emulator sent $throttled_emu"
[ "$((throttled_emu - throttled))" -le 20 ] || fail "throttled calls not counted: $throttled of $throttled_emu"
# Writes were throttled too, and retried with the same ClientToken.
assert_eq "$(emu calls | jq '[.[] | select(.operation == "CreateGrant" and .status == 429)] | length > 0')" true \
	"throttled CreateGrant calls"
assert_eq "$(emu calls | jq '[.[] | select(.operation == "CreateGrant" and .status == 200)] | length')" 40 \
	"successful CreateGrant calls"
echo ok
