# Issue 12 / SPEC 4.3: two daemons (an HA pair) on one organization and one
# config for 60 s. After the first convergence no declared account is ever
# without an active grant, and duplicates (both create at first) are gone
# within a couple of passes: both keep the same copy (a total order).
source "$(dirname "$0")/lib.sh"
start_emulator "$DEMO_FIXTURE" --latency-ms 20
write_config c.yaml <<'YAML'
version: 1
interval: 1s
models:
  claude:
    product: prod-4pmewlybdftbs
    ous: [Workloads/Prod]
    accounts: ["444444444444"]
  cohere:
    product: prod-tukx4z3hrewle
    accounts: ["666666666666", "333333333333"]
YAML
claude=$(state '.licenses[] | select(.product_sku=="prod-4pmewlybdftbs") | .arn')
cohere=$(state '.licenses[] | select(.product_sku=="prod-tukx4z3hrewle") | .arn')
declared=$(jq -nc --arg c "$claude" --arg h "$cohere" '[[$c, "222222222222"], [$c, "555555555555"], [$c, "444444444444"],
	[$h, "666666666666"], [$h, "333333333333"]]')

mkdir -p "$T/s1" "$T/s2"
STATE_DIRECTORY=$T/s1 "$LMGRANTD_BIN" --log stderr -c "$T/c.yaml" run 2>>"$T/d1.err" &
D1=$!
STATE_DIRECTORY=$T/s2 "$LMGRANTD_BIN" --log stderr -c "$T/c.yaml" run 2>>"$T/d2.err" &
D2=$!
trap 'kill $D1 $D2 2>/dev/null || true; cleanup' EXIT

# One sample: "<uncovered declared accounts> <principals with live duplicates>".
sample() {
	emu state | jq -r --argjson d "$declared" '
		[.grants[] | select(.status == "ACTIVE")] as $act
		| ([$d[] | select(. as [$l, $a] | [$act[] | select(.license_arn == $l and .principal == "arn:aws:iam::\($a):root")] | length == 0)] | length) as $uncovered
		| ([.grants[] | select((.sub_grant | not) and (.status | IN("DELETED", "PENDING_DELETE", "FAILED_WORKFLOW") | not))]
			| group_by(.license_arn + " " + .principal) | map(select(length > 1)) | length) as $dups
		| "\($uncovered) \($dups)"'
}

converged=0
dup_run=0
max_dup_run=0
end=$((SECONDS + 60))
while [ $SECONDS -lt $end ]; do
	read -r uncovered dups < <(sample)
	if [ "$converged" = 0 ] && [ "$uncovered" = 0 ]; then
		converged=1
		echo "converged after $((60 - end + SECONDS)) s"
	elif [ "$converged" = 1 ] && [ "$uncovered" != 0 ]; then
		fail "$uncovered declared account(s) without an active grant after convergence"
	fi
	if [ "$dups" != 0 ]; then dup_run=$((dup_run + 1)); else dup_run=0; fi
	[ $dup_run -gt $max_dup_run ] && max_dup_run=$dup_run
	sleep 0.5
done
assert_eq "$converged" 1 "converged"
read -r uncovered dups < <(sample)
assert_eq "$dups" 0 "live duplicates at the end"
# A duplicate lived at most ~5 s (10 samples): a couple of 1 s passes.
[ "$max_dup_run" -le 10 ] || fail "a duplicate lived for $max_dup_run samples"
echo "longest run of samples with a duplicate: $max_dup_run"
kill -TERM $D1 $D2
wait $D1 || fail "daemon 1 exit status"
wait $D2 || fail "daemon 2 exit status"
echo ok
