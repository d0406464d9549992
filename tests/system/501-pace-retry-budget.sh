# Issue 19: retries and the rate share one budget. With max_tps 1, License
# Manager answers the first six CreateGrant calls with 429: every retry
# waits for a slot of the service's pacer as well as for its own backoff
# (100 ms doubling, full jitter), so no two License Manager calls, retries
# included, reach the emulator less than a slot (1 s, less a margin for a
# busy machine) apart.
source "$(dirname "$0")/lib.sh"
"$PYTHON" "$EMU_DIR/genfixture.py" --licenses 1 --accounts 4 --ous 1 --seed 501 \
	--out "$T/f.json" 2>/dev/null
start_emulator "$T/f.json"
sku=$(jq -r '.licenses[0].product_sku' "$T/f.json")
accounts=$(jq -c '[.accounts[] | select(.id != "111111111111") | .id]' "$T/f.json")
printf 'version: 1\nmax_tps: 1\nmodels:\n  m:\n    product: %s\n    accounts: %s\n' \
	"$sku" "$accounts" | write_config c.yaml
emu config '{"fail_rules": [{"operation": "CreateGrant", "times": 6, "status": 429}]}' >/dev/null
emu reset-calls >/dev/null

expect_exit 0 lmg -c "$T/c.yaml" apply
emu calls >"$T/calls.json"
assert_eq "$(jq '[.[] | select(.operation == "CreateGrant" and .status == 429)] | length' "$T/calls.json")" 6 \
	"throttled CreateGrant calls"
assert_eq "$(jq '[.[] | select(.operation == "CreateGrant" and .status == 200)] | length' "$T/calls.json")" 4 \
	"CreateGrant calls that made a grant"
gaps=$(jq -r '[.[] | select(.service == "license-manager") | .time] | sort
	| [range(1; length) as $i | (.[$i] - .[$i - 1])] | map(. * 1000 | floor) | join(" ")' "$T/calls.json")
echo "gaps between License Manager calls (ms): $gaps"
for g in $gaps; do
	[ "$g" -ge 600 ] || fail "two License Manager calls $g ms apart at max_tps 1: a retry skipped the pacer"
done
echo ok
