# Scenario 9: more grants, OUs and accounts than one page of each list
# (the emulator serves 3 items a page): everything is seen, nothing is
# duplicated or wrongly deleted.
source "$(dirname "$0")/lib.sh"
"$PYTHON" "$EMU_DIR/genfixture.py" --licenses 2 --accounts 40 --ous 9 --grants-status ACTIVE \
	--seed 7 --out "$T/big.json"
start_emulator "$T/big.json" --page-size 3
sku1=$(jq -r '.licenses[0].product_sku' "$T/big.json")
sku2=$(jq -r '.licenses[1].product_sku' "$T/big.json")
accounts=$(jq -c '[.accounts[] | select(.id != "'"$(jq -r .organization.management_account "$T/big.json")"'") | .id]' "$T/big.json")
# Declare every account that has a grant, but leave out the last one of
# license 2, and declare the last OU there instead of the accounts in it
# (an account inside a declared OU would overlap it: SPEC 2).
path=$(jq -r '.ous[-1].id' "$T/big.json")
in_ou=$(jq -c --arg ou "$path" '[.ous[] | select(.parent == $ou) | .id] + [$ou] as $ous
	| [.accounts[] | select(.parent as $p | $ous | index($p)) | .id]' "$T/big.json")
two=$(echo "$accounts" | jq -c --argjson in_ou "$in_ou" '[.[] | select(. as $a | $in_ou | index($a) | not)] | .[:-1]')
assert_eq "$([ "$(echo "$in_ou" | jq length)" -gt 0 ] && echo yes)" yes "accounts in the declared OU"
pre1=$(jq '[.grants[] | select(.license_arn == "'"$(jq -r '.licenses[0].arn' "$T/big.json")"'")] | length' "$T/big.json")
assert_eq "$([ "$pre1" -gt 3 ] && echo yes)" yes "more grants than one page"
{
	echo "version: 1"
	echo "max_deletes: 100"
	echo "models:"
	echo "  one:"
	echo "    product: $sku1"
	echo "    accounts: $accounts"
	echo "    operations: [CheckoutLicense]"
	echo "  two:"
	echo "    product: $sku2"
	echo "    accounts: $two"
	echo "    ous: [\"$path\"]"
	echo "    operations: [CheckoutLicense]"
} | write_config c.yaml
emu reset-calls >/dev/null
expect_exit 0 lmg -c "$T/c.yaml" apply
# One delete (the account left out of license 2), one create (the OU);
# the accounts in the OU keep their own grants until the OU grant is
# active (make before break).
assert_eq "$(emu calls --count --op DeleteGrant)" 1 "deletes"
assert_eq "$(emu calls --count --op CreateGrant)" 1 "creates"
assert_eq "$(emu calls | jq '[.[] | select(.operation=="ListDistributedGrants")] | length > 2')" true "followed NextToken"
assert_eq "$(emu calls | jq '[.[] | select(.operation=="ListOrganizationalUnitsForParent" and .request.NextToken != null)] | length > 0')" true "paged OUs"
assert_eq "$(emu calls | jq '[.[] | select(.operation=="ListAccountsForParent" and .request.NextToken != null)] | length > 0')" true "paged accounts"
echo ok
