# Issue 5, fault 2: one AWS call in five fails with a 500 (any API, reads
# and writes). lmgrantd retries them and converges within a few passes:
# creates, updates, activations and the deletes of undeclared grants all
# happen, nothing declared is ever deleted, no principal gets two grants.
source "$(dirname "$0")/lib.sh"
"$PYTHON" "$EMU_DIR/genfixture.py" --licenses 2 --accounts 12 --ous 3 --grants-status ACTIVE \
	--seed 61 --out "$T/f.json" 2>/dev/null
start_emulator "$T/f.json" --seed 61
lic1=$(jq -r '.licenses[0].arn' "$T/f.json")
ou=$(jq -r '.ous[0].id' "$T/f.json")
accounts=$(jq -c '[.accounts[] | select(.id != "111111111111") | .id]' "$T/f.json")
# License one: the OU, and six accounts outside it; the grants of the other
# six accounts are undeclared there and get deleted.
declared1=$(jq -c --arg ou "$ou" '[.accounts[] | select(.id != "111111111111" and .parent != $ou) | .id][:6]' "$T/f.json")
{
	echo "version: 1"
	echo "max_tps: 50"
	echo "models:"
	echo "  one:"
	echo "    product: $(jq -r '.licenses[0].product_sku' "$T/f.json")"
	echo "    accounts: $declared1"
	echo "    ous: [$ou]"
	echo "    operations: [CheckoutLicense, CheckInLicense]"
	echo "  two:"
	echo "    product: $(jq -r '.licenses[1].product_sku' "$T/f.json")"
	echo "    accounts: $accounts"
	echo "    operations: [CheckoutLicense]"    # was CheckoutLicense, CheckInLicense: 12 updates
} | write_config c.yaml
undeclared=$(emu state | jq -c --argjson d "$declared1" --arg l "$lic1" '[.grants[] | select(.license_arn == $l)
	| select((.principal | ltrimstr("arn:aws:iam::") | rtrimstr(":root")) as $a | $d | index($a) | not) | .arn]')
assert_eq "$(echo "$undeclared" | jq length)" 6 "undeclared grants"
emu config '{"fail_rate": 0.2}' >/dev/null
emu reset-calls >/dev/null

apply_until_in_sync 4 "$T/c.yaml"
echo "in sync after $PASSES passes"
emu config '{"fail_rate": null}' >/dev/null
injected=$(emu calls | jq '[.[] | select(.status == 500)] | length')
echo "injected 500s: $injected of $(emu calls --count) calls"
[ "$injected" -gt 5 ] || fail "only $injected failures injected"

# Only the two undeclared grants were ever the target of a DeleteGrant.
assert_eq "$(emu calls | jq -c --argjson u "$undeclared" \
	'[.[] | select(.operation == "DeleteGrant") | .request.GrantArn] | unique - $u')" "[]" "deletes of declared grants"
assert_eq "$(state "[.grants[] | select(.status == \"DELETED\") | .arn] | sort")" \
	"$(echo "$undeclared" | jq 'sort')" "deleted grants"
assert_eq "$(max_grants_per_principal)" 1 "grants per principal"
assert_eq "$(grants_in ACTIVE)" 18 "active account grants (6 + 12)"
assert_eq "$(grants_in WORKFLOW_COMPLETED)" 1 "active OU grant"
assert_eq "$(state '[.grants[] | select((.sub_grant | not) and .status != "DELETED" and (.operations | length) != (if .license_arn == "'"$lic1"'" then 2 else 1 end))] | length')" 0 \
	"grants with the wrong operations"
echo ok
