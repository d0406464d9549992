# Issue 5, fault 3: three writes in ten are committed, then the connection
# is closed without an answer. lmgrantd retries each with the same request
# (the same ClientToken), so the emulator answers the retry from its
# idempotency record: no grant is ever created twice, and the passes
# converge (creates, activations, deletes).
source "$(dirname "$0")/lib.sh"
"$PYTHON" "$EMU_DIR/genfixture.py" --licenses 1 --accounts 40 --ous 2 --seed 62 \
	--out "$T/f.json" 2>/dev/null
start_emulator "$T/f.json" --seed 62
lic=$(jq -r '.licenses[0].arn' "$T/f.json")
ou0=$(jq -r '.ous[0].id' "$T/f.json")
ou1=$(jq -r '.ous[1].id' "$T/f.json")
# Declared: the 20 accounts of the first OU, and the second OU. Four
# accounts of the second OU have an old account grant nobody declares.
declared=$(jq -c --arg ou "$ou0" '[.accounts[] | select(.parent == $ou) | .id]' "$T/f.json")
for a in $(jq -r --arg ou "$ou1" '[.accounts[] | select(.parent == $ou) | .id][:4][]' "$T/f.json"); do
	add_grant "$lic" "$a" ACTIVE old >/dev/null
done
{
	echo "version: 1"
	echo "max_tps: 50"
	echo "models:"
	echo "  m:"
	echo "    product: $(jq -r '.licenses[0].product_sku' "$T/f.json")"
	echo "    accounts: $declared"
	echo "    ous: [$ou1]"
} | write_config c.yaml
emu config '{"drop_rate": 0.3}' >/dev/null
emu reset-calls >/dev/null

apply_until_in_sync 6 "$T/c.yaml"
echo "in sync after $PASSES passes"
emu config '{"drop_rate": null}' >/dev/null
dropped=$(emu calls | jq '[.[] | select(.dropped)] | length')
echo "dropped answers: $dropped of $(emu calls --count --writes) writes"
assert_eq "$(emu calls | jq '[.[] | select(.dropped and .operation == "CreateGrant")] | length > 0')" true \
	"dropped CreateGrant answers"
# Every dropped write was sent again with the same ClientToken.
assert_eq "$(emu calls | jq '[.[] | select(.request.ClientToken) ] | group_by(.request.ClientToken)
	| map(select(.[0].dropped and length < 2)) | length')" 0 "dropped writes not retried with their token"
assert_eq "$(max_grants_per_principal)" 1 "grants per principal (tombstones included)"
assert_eq "$(state '[.grants[] | select(.sub_grant | not)] | length')" 25 "grants ever made (20 + 1 OU + 4 old)"
assert_eq "$(grants_in ACTIVE)" 20 "active account grants"
assert_eq "$(grants_in WORKFLOW_COMPLETED)" 1 "active OU grant"
assert_eq "$(grants_in DELETED)" 4 "deleted old grants"
echo ok
