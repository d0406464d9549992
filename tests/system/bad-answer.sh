# Shared by 067-069: License Manager or Organizations answers HTTP 200 with
# a body that is not what the API defines. Sourced after lib.sh; each test
# calls bad_answers with one body per place:
#   bad_answers GRANTS_PAGE LICENSES_PAGE ACCOUNTS_PAGE CREATE_ANSWER
# and every one must be an error for what it concerns - never a crash,
# never "no grants", never a delete or a duplicate.

# A fail rule that answers call NTH of OP with BODY (status 200), once. A
# BODY written json:"..." is a JSON string, for bytes bash cannot hold (NUL).
answer_with() { # answer_with OP NTH BODY
	local body=(--arg b "$3")
	[[ $3 == json:* ]] && body=(--argjson b "${3#json:}")
	emu config "$(jq -nc --arg op "$1" --argjson n "$2" "${body[@]}" \
		'{fail_rules: [{operation: $op, nth: $n, times: 1, status: 200, body: $b}]}')" >/dev/null
}
no_rules() { emu config '{"fail_rules": null}' >/dev/null; }

# The license's grants: a page of tombstones, then the live ones. A reader
# that took a broken second page for the end of the list would see no
# live grant, create 222222222222 again and 444444444444; one that went on
# would delete 333333333333's grant.
bad_answers_setup() {
	start_emulator "$DEMO_FIXTURE" --page-size 3
	claude=$(state '.licenses[] | select(.product_sku=="prod-4pmewlybdftbs") | .arn')
	haiku=$(state '.licenses[] | select(.product_sku=="prod-5oba7y7jpji56") | .arn')
	sonnet=$(state '.licenses[] | select(.product_sku=="prod-tukx4z3hrewle") | .arn')
	local a
	for a in 333333333333 444444444444 555555555555; do
		add_grant "$claude" "$a" DELETED old >/dev/null
	done
	for a in 222222222222 333333333333; do
		add_grant "$claude" "$a" ACTIVE old >/dev/null
	done
	write_config c.yaml <<'YAML'
version: 1
max_tps: 50
retry:
  max_attempts: 2
models:
  claude:
    product: prod-4pmewlybdftbs
    accounts: ["222222222222", "444444444444"]
    operations: [CheckoutLicense]
  haiku:
    product: prod-5oba7y7jpji56
    accounts: ["222222222222"]
    operations: [CheckoutLicense]
YAML
	write_config ou.yaml <<'YAML'
version: 1
max_tps: 50
models:
  sonnet:
    product: prod-tukx4z3hrewle
    ous: [Workloads/Prod]
YAML
}

# Writes of the last run that concern license $1 (by license or grant ARN).
writes_on() {
	local grants
	grants=$(state "[.grants[] | select(.license_arn == \"$1\") | .arn]")
	emu calls | jq --arg l "$1" --argjson g "$grants" \
		'[.[] | select(.write and (.request.LicenseArn == $l or (.request.GrantArn as $a | $g | index($a))))] | length'
}

bad_answers() {
	local grants_page=$1 licenses_page=$2 accounts_page=$3 create_answer=$4 before
	bad_answers_setup

	echo "-- ListDistributedGrants, claude's second page"
	# Calls 1 and 2 are the first page of each license (read side by side;
	# each answer takes 200 ms, so both first pages are asked for before
	# either answer is back, even under valgrind); haiku has one page, so
	# call 3 is claude's second.
	answer_with ListDistributedGrants 3 "$grants_page"
	emu config '{"latency_ms": 200}' >/dev/null
	emu reset-calls >/dev/null
	expect_exit 1 lmg -c "$T/c.yaml" apply
	emu config '{"latency_ms": null}' >/dev/null
	no_rules
	assert_eq "$(emu calls | jq --arg l "$claude" '[.[] | select(.operation == "ListDistributedGrants"
		and .request.Filters[0].Values[0] == $l and .request.NextToken != null)] | length')" 1 "claude's second page read"
	grep -q "ListDistributedGrants: InvalidResponse" "$T/err" || { cat "$T/err"; fail "no InvalidResponse error for the page"; }
	assert_contains "$T/err" "$claude"
	assert_eq "$(writes_on "$claude")" 0 "writes on claude"
	assert_eq "$(emu calls | jq --arg l "$haiku" '[.[] | select(.operation == "CreateGrant" and .request.LicenseArn == $l)] | length')" 1 \
		"haiku went ahead"
	assert_eq "$(grants_in ACTIVE "$claude")" 2 "claude's live grants"

	echo "-- ListReceivedLicenses"
	answer_with ListReceivedLicenses 1 "$licenses_page"
	emu reset-calls >/dev/null
	expect_exit 1 lmg -c "$T/c.yaml" apply
	no_rules
	grep -q "ListReceivedLicenses: InvalidResponse" "$T/err" || { cat "$T/err"; fail "no InvalidResponse error for the licenses"; }
	assert_eq "$(writes)" 0 "writes without the licenses"

	echo "-- ListAccountsForParent (the root's accounts)"
	answer_with ListAccountsForParent 1 "$accounts_page"
	emu reset-calls >/dev/null
	expect_exit 1 lmg -c "$T/ou.yaml" apply
	no_rules
	grep -q "ListAccountsForParent: InvalidResponse" "$T/err" || { cat "$T/err"; fail "no InvalidResponse error for the accounts"; }
	assert_eq "$(writes)" 0 "writes without the organization"

	echo "-- CreateGrant's answer"
	answer_with CreateGrant 1 "$create_answer"
	emu reset-calls >/dev/null
	expect_exit 1 lmg -c "$T/ou.yaml" apply
	no_rules
	grep -q "CreateGrant: InvalidResponse" "$T/err" || { cat "$T/err"; fail "no InvalidResponse error for the write"; }
	# The broken answer is not retried: what AWS did is unknown, and the
	# next pass reads it. (The emulator's fail rule did not commit it.)
	assert_eq "$(emu calls --count --op CreateGrant)" 1 "CreateGrant attempts"
	apply_until_in_sync 3 "$T/ou.yaml"
	assert_eq "$(state "[.grants[] | select(.license_arn == \"$sonnet\" and (.sub_grant | not))] | length")" 1 \
		"OU grants made"
}
