# plan -o markdown (a pull-request comment: summary line, the revision, a
# table of actions, blocked and waiting items) and plan -o json's
# format_version, config_sha256, config_revision, before/after of an
# update, and the top-level error when the pass could not read.
source "$(dirname "$0")/lib.sh"
start_emulator "$DEMO_FIXTURE"
emu config '{"workflow_delay": 3600}' >/dev/null
claude=$(state '.licenses[] | select(.product_sku=="prod-4pmewlybdftbs") | .arn')
add_grant "$claude" 222222222222 ACTIVE >/dev/null            # operations differ: update
add_grant "$claude" 555555555555 REJECTED >/dev/null          # blocked
add_grant "$claude" 666666666666 PENDING_WORKFLOW >/dev/null  # waiting
mkdir -p "$T/cfg"
cat >"$T/cfg/models.yaml" <<'YAML'
version: 1
models:
  claude:
    product: prod-4pmewlybdftbs
    accounts: ["222222222222", "333333333333", "555555555555", "666666666666"]
    operations: [CheckoutLicense, CheckInLicense]
  we_rd_model:1:
    product: prod-tukx4z3hrewle
    accounts: ["444444444444"]
YAML
chmod 700 "$T/cfg"; chmod 600 "$T/cfg/models.yaml"
git -C "$T/cfg" init -q
git -C "$T/cfg" add models.yaml
git -C "$T/cfg" -c user.name=t -c user.email=t@example.com commit -qm one
rev=$(git -C "$T/cfg" rev-parse HEAD)
sha=$( (printf 'models.yaml\0'; cat "$T/cfg/models.yaml") | sha256sum | cut -d' ' -f1)

expect_exit 2 lmg -c "$T/cfg" plan -o markdown
md=$T/out
head -1 "$md" | grep -q '^### lmgrantd plan: 2 to create, 1 to update, 0 to accept, 0 to activate, 0 to delete; 1 blocked, 1 waiting$' || { cat "$md"; fail "summary line"; }
assert_contains "$md" "revision \`$rev\`"
assert_contains "$md" "sha256 \`$sha\`"
assert_contains "$md" "| action | model | target | grant | reason |"
assert_eq "$(grep -c '^| create | ' "$md")" 2 "create rows"
assert_eq "$(grep -c '^| update | claude | account 222222222222 | arn:aws:license-manager' "$md")" 1 "update row"
assert_contains "$md" '| create | we\_rd\_model:1 | account 444444444444 |'
assert_contains "$md" "**Blocked (needs a human)**"
assert_contains "$md" "- claude account 555555555555: rejected by the grantee"
assert_contains "$md" "**Waiting (AWS or the grantee is still working)**"
assert_contains "$md" "- claude account 666666666666: AWS workflow in progress"

expect_exit 2 lmg -c "$T/cfg" plan -o json
j=$T/out
assert_eq "$(jq -r .format_version "$j")" 1 "format_version"
assert_eq "$(jq -r .config_sha256 "$j")" "$sha" "config_sha256"
assert_eq "$(jq -r .config_revision "$j")" "$rev" "config_revision"
assert_eq "$(jq -r .result "$j")" changes_pending "result"
assert_eq "$(jq -r .error "$j")" null "error"
assert_eq "$(jq -c '.actions[] | select(.action=="update") | .before' "$j")" '{"operations":["CheckoutLicense"]}' "before"
assert_eq "$(jq -c '.actions[] | select(.action=="update") | .after' "$j")" '{"operations":["CheckoutLicense","CheckInLicense"]}' "after"

# A pass that cannot read: a top-level error, result failed, in both.
emu config '{"fail_rules": [{"operation": "ListReceivedLicenses", "nth": 1, "times": 0, "status": 400, "type": "AccessDeniedException"}]}' >/dev/null
expect_exit 1 lmg -c "$T/cfg" plan -o json
assert_eq "$(jq -r .result "$T/out")" failed "result of an unreadable pass"
jq -r .error "$T/out" | grep -q AccessDeniedException || fail "top-level error does not name the failure"
expect_exit 1 lmg -c "$T/cfg" plan -o markdown
assert_contains "$T/out" "**Error:** the live state could not be read"
emu config '{"fail_rules": null}' >/dev/null
echo ok
