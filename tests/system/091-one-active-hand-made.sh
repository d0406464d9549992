# Issue 12 / SPEC 4.2-4.3: an account under a declared OU already holds an
# active grant made by hand (the one-active rule holds the OU's sub-grant
# DISABLED). prune: false: over 6 daemon passes at most one activation of
# the OU grant, and plan shows the account blocked with AWS's reason; with
# ALL_GRANTS_PERMITTED_BY_ISSUER the OU grant wins once and stays. prune:
# true: the swap, and the hand-made grant is deleted after the OU's
# sub-grant is ACTIVE, the account never without an active grant.
source "$(dirname "$0")/lib.sh"
start_emulator "$DEMO_FIXTURE"
lic=$(state '.licenses[] | select(.product_sku=="prod-4pmewlybdftbs") | .arn')
hand=$(add_grant "$lic" 222222222222 ACTIVE)
write_config c.yaml <<'YAML'
version: 1
interval: 1s
prune: false
models:
  claude:
    product: prod-4pmewlybdftbs
    ous: [Workloads/Prod]
    operations: [CheckoutLicense]
YAML

ou_activations() {
	emu calls | jq --arg o "${1:-}" '[.[] | select(.operation == "CreateGrantVersion" and .request.Status == "ACTIVE"
		and ($o == "" or .request.Options.ActivationOverrideBehavior == $o))] | length'
}

start_daemon "$T/c.yaml"
wait_for 60 "6 daemon passes" passes_at_least 6
stop_daemon
assert_eq "$(ou_activations)" 1 "activations of the OU grant over 6 passes"
ou=$(state '[.grants[] | select((.sub_grant | not) and (.principal | test("ou-ab12-prod0001")))][0].arn')
assert_eq "$(state ".grants[] | select(.parent_arn == \"$ou\" and .principal == \"arn:aws:iam::222222222222:root\") | .status")" DISABLED "222's sub-grant"
assert_eq "$(state ".grants[] | select(.arn == \"$hand\") | .status")" ACTIVE "hand-made grant"
assert_contains "$T/daemon.err" "Another license for this product is already active"

expect_exit 0 lmg -c "$T/c.yaml" plan
assert_contains "$T/out" "blocked"
assert_contains "$T/out" "Another license for this product is already active"
assert_contains "$T/out" "ALL_GRANTS_PERMITTED_BY_ISSUER"

# The issuer's swap, chosen by a person: the OU grant wins once, and stays.
sed -i 's/^prune: false/prune: false\nactivation:\n  override: ALL_GRANTS_PERMITTED_BY_ISSUER/' "$T/c.yaml"
emu reset-calls >/dev/null
rm -f "$T/state/status.json"
start_daemon "$T/c.yaml"
wait_for 60 "4 daemon passes" passes_at_least 4
stop_daemon
assert_eq "$(ou_activations ALL_GRANTS_PERMITTED_BY_ISSUER)" 1 "swap activations"
assert_eq "$(ou_activations)" 1 "activations"
assert_eq "$(state ".grants[] | select(.parent_arn == \"$ou\" and .principal == \"arn:aws:iam::222222222222:root\") | .status")" ACTIVE "222's sub-grant after the swap"
assert_eq "$(state ".grants[] | select(.arn == \"$hand\") | .status")" DISABLED "hand-made grant after the swap"

# prune: true, from the start: converges by the swap.
emu reset >/dev/null
rm -rf "$T/state"/*
hand=$(add_grant "$lic" 222222222222 ACTIVE)
sed -i -e 's/^prune: false/prune: true/' -e '/^activation:/d' -e '/override: ALL_GRANTS/d' "$T/c.yaml"
for pass in $(seq 1 12); do
	rc=0
	lmg -c "$T/c.yaml" apply >"$T/out" 2>"$T/err" || rc=$?
	{ echo "== pass $pass: exit $rc"; cat "$T/out" "$T/err"; } >>"$T/passes.log"
	assert_eq "$(state "[.grants[] | select(.license_arn == \"$lic\" and .status == \"ACTIVE\" and .principal == \"arn:aws:iam::222222222222:root\")] | length")" 1 \
		"active grants of 222 after pass $pass"
	if [ "$(state ".grants[] | select(.arn == \"$hand\") | .status")" != ACTIVE ] &&
	   [ "$(state ".grants[] | select(.arn == \"$hand\") | .status")" != DISABLED ]; then
		ou=$(state '[.grants[] | select((.sub_grant | not) and (.principal | test("ou-ab12-prod0001")))][0].arn')
		assert_eq "$(state ".grants[] | select(.parent_arn == \"$ou\" and .principal == \"arn:aws:iam::222222222222:root\") | .status")" ACTIVE \
			"222's sub-grant when the hand-made grant went"
	fi
	[ "$rc" = 0 ] && grep -q '^In sync' "$T/out" && break
done
grep -q '^In sync' "$T/out" || { tail -40 "$T/passes.log"; fail "not in sync"; }
st=$(state ".grants[] | select(.arn == \"$hand\") | .status")
[ "$st" = DELETED ] || [ "$st" = PENDING_DELETE ] || fail "hand-made grant is $st"
echo ok
