# An answer that says the request timed out on its way in - HTTP 408 with no
# body, or an error of type RequestTimeoutException - is retried like a 5xx
# (writes keep their ClientToken), and the pass goes through.
source "$(dirname "$0")/lib.sh"
start_emulator "$DEMO_FIXTURE"
write_config c.yaml <<'YAML'
version: 1
max_tps: 50
models:
  claude:
    product: prod-4pmewlybdftbs
    accounts: ["444444444444"]
YAML
emu config '{"fail_rules": [
	{"operation": "ListDistributedGrants", "status": 400, "type": "RequestTimeoutException",
	 "message": "Request timed out"},
	{"operation": "CreateGrant", "status": 408, "body": ""}]}' >/dev/null
emu reset-calls >/dev/null
expect_exit 0 lmg -c "$T/c.yaml" apply
claude=$(state '.licenses[] | select(.product_sku=="prod-4pmewlybdftbs") | .arn')
assert_eq "$(emu calls | jq -c --arg l "$claude" '[.[] | select(.operation == "ListDistributedGrants"
	and .request.Filters[0].Values[0] == $l) | .status]')" "[400,200]" \
	"ListDistributedGrants answers for the declared license"
assert_eq "$(emu calls | jq -c '[.[] | select(.operation == "CreateGrant") | .status]')" "[408,200]" \
	"CreateGrant answers"
assert_eq "$(emu calls | jq '[.[] | select(.operation == "CreateGrant") | .request.ClientToken] | unique | length')" 1 \
	"ClientTokens of the create"
assert_eq "$(state '[.grants[] | select(.principal == "arn:aws:iam::444444444444:root" and .status != "DELETED")] | length')" 1 \
	"grants of 444444444444"
echo ok
