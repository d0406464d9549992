# Issue 12 / SPEC 4.3: organization: true changed to ous: [Workloads] with a
# workflow delay. Sampled after every pass, every account under Workloads
# always has an ACTIVE entitlement; the organization grant is deleted only
# after the OU's sub-grants are ACTIVE, and max_deletes counts the two
# accounts outside Workloads that lose access (a valve of 1 holds it).
source "$(dirname "$0")/lib.sh"
start_emulator "$DEMO_FIXTURE"
lic=$(state '.licenses[] | select(.product_sku=="prod-4pmewlybdftbs") | .arn')
write_config org.yaml <<'YAML'
version: 1
models:
  claude:
    product: prod-4pmewlybdftbs
    organization: true
YAML
apply_until_in_sync 6 "$T/org.yaml"
org_grant=$(state "[.grants[] | select(.sub_grant | not) | select(.principal | test(\":organization/\"))][0].arn")
assert_eq "$(state "[.grants[] | select(.parent_arn == \"$org_grant\" and .status == \"ACTIVE\")] | length")" 5 "org sub-grants active"

# From now on workflows take 2 s: the OU grant is DISABLED, then activating, for a while.
emu config '{"workflow_delay": 2}' >/dev/null
write_config ou.yaml <<'YAML'
version: 1
max_deletes: 1
models:
  claude:
    product: prod-4pmewlybdftbs
    ous: [Workloads]
YAML

active_for() { # ACTIVE grants or sub-grants of the license for account $1
	state "[.grants[] | select(.license_arn == \"$lic\" and .status == \"ACTIVE\"
		and .principal == \"arn:aws:iam::$1:root\")] | length"
}
sample() {
	for acct in 222222222222 555555555555 333333333333; do
		[ "$(active_for $acct)" -ge 1 ] || { cat "$T/passes.log"; fail "pass $1: account $acct has no active grant"; }
	done
	st=$(state ".grants[] | select(.arn == \"$org_grant\") | .status")
	if [ "$st" != ACTIVE ] && [ "$st" != WORKFLOW_COMPLETED ]; then
		ou_grant=$(state "[.grants[] | select((.sub_grant | not) and (.principal | test(\"ou-ab12-wkld0001\")) and .status == \"WORKFLOW_COMPLETED\")][0].arn")
		[ "$ou_grant" != null ] || fail "pass $1: organization grant $st before the OU grant completed"
		assert_eq "$(state "[.grants[] | select(.parent_arn == \"$ou_grant\" and .status == \"ACTIVE\")] | length")" 3 \
			"OU sub-grants ACTIVE when the organization grant is $st"
	fi
}

valve_tripped=0
for pass in $(seq 1 20); do
	rc=0
	lmg -c "$T/ou.yaml" apply >"$T/out" 2>"$T/err" || rc=$?
	{ echo "== pass $pass: exit $rc"; cat "$T/out" "$T/err"; } >>"$T/passes.log"
	sample "$pass"
	if grep -q "safety valve" "$T/err"; then
		valve_tripped=1
		assert_eq "$rc" 1 "exit status when the valve trips"
		assert_contains "$T/err" "cut 2 account(s) off"
		break
	fi
	sleep 1
done
assert_eq "$valve_tripped" 1 "max_deletes: 1 held the organization grant (2 accounts lose access)"
assert_eq "$(state ".grants[] | select(.arn == \"$org_grant\") | .status")" WORKFLOW_COMPLETED "organization grant kept by the valve"

sed -i 's/^max_deletes: 1/max_deletes: 2/' "$T/ou.yaml"
for pass in $(seq 21 40); do
	rc=0
	lmg -c "$T/ou.yaml" apply >"$T/out" 2>"$T/err" || rc=$?
	{ echo "== pass $pass: exit $rc"; cat "$T/out" "$T/err"; } >>"$T/passes.log"
	sample "$pass"
	[ "$rc" = 0 ] && grep -q '^In sync' "$T/out" && break
	sleep 1
done
grep -q '^In sync' "$T/out" || { tail -40 "$T/passes.log"; fail "not in sync"; }
assert_contains "$T/passes.log" "replacement not active yet"
st=$(state ".grants[] | select(.arn == \"$org_grant\") | .status")
[ "$st" = DELETED ] || [ "$st" = PENDING_DELETE ] || fail "organization grant is $st"
assert_eq "$(active_for 444444444444)" 0 "444 (Sandbox) lost access"
# The replacement was activated with AWS's swap.
assert_eq "$(emu calls | jq '[.[] | select(.operation == "CreateGrantVersion" and .request.Status == "ACTIVE"
	and .request.Options.ActivationOverrideBehavior == "ALL_GRANTS_PERMITTED_BY_ISSUER")] | length')" 1 "swap activations"
echo ok
