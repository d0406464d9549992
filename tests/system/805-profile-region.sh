# Issue 13: the global --profile and --region options stand for AWS_PROFILE
# and AWS_REGION, as the AWS CLI's flags do: --profile picks the profile
# (and wins over AWS_PROFILE), a profile that does not exist is an error;
# --region must be a region name and wins over AWS_REGION, which decides the
# region STS calls are signed for (the emulator's call log shows it).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/iam-lib.sh"
start_emulator "$POLICY_FIXTURE"
unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY
export AWS_EC2_METADATA_DISABLED=true
write_config c.yaml <<'YAML'
version: 1
models:
  claude:
    product: prod-4pmewlybdftbs
    accounts: ["444444444444"]
YAML
mkdir -p "$HOME/.aws"
printf '[ci]\naws_access_key_id = %s\naws_secret_access_key = %s\n[daemon]\naws_access_key_id = %s\naws_secret_access_key = %s\n' \
	"$RO_KEY" "$RO_SECRET" "$DAEMON_KEY" "$DAEMON_SECRET" >"$HOME/.aws/credentials"
chmod 600 "$HOME/.aws/credentials"

expect_exit 0 lmg --profile ci -c "$T/c.yaml" whoami
assert_contains "$T/out" "arn:aws:iam::111111111111:user/lmgrantd-ci"
assert_contains "$T/out" "credentials from:   profile ci ($HOME/.aws/credentials)"
AWS_PROFILE=ci expect_exit 0 lmg --profile daemon -c "$T/c.yaml" whoami
assert_contains "$T/out" "arn:aws:iam::111111111111:user/lmgrantd"
assert_contains "$T/out" "credentials from:   profile daemon"
expect_exit 2 lmg --profile ci -c "$T/c.yaml" plan
expect_exit 0 lmg --profile ci -c "$T/c.yaml" doctor
expect_exit 1 lmg --profile nope -c "$T/c.yaml" whoami
assert_contains "$T/err" "AWS_PROFILE names a profile that does not exist"

# --region: STS is signed for it, over AWS_REGION; License Manager keeps the
# configuration's region.
sts_regions() {
	emu calls | jq -r '[.[] | select(.service == "sts") | .region] | unique | join(" ")'
}
emu reset-calls >/dev/null
AWS_REGION=eu-central-1 expect_exit 0 lmg --profile ci -c "$T/c.yaml" whoami
assert_eq "$(sts_regions)" eu-central-1 "STS region from AWS_REGION"
emu reset-calls >/dev/null
AWS_REGION=eu-central-1 expect_exit 2 lmg --profile ci --region eu-west-1 -c "$T/c.yaml" plan
assert_eq "$(sts_regions)" "" "STS calls made by plan"
emu reset-calls >/dev/null
AWS_REGION=eu-central-1 expect_exit 0 lmg --profile ci --region eu-west-1 -c "$T/c.yaml" whoami
assert_eq "$(sts_regions)" eu-west-1 "STS region from --region"
assert_eq "$(emu calls | jq -r '[.[] | select(.service == "license-manager") | .region] | unique | join(" ")')" "" \
	"License Manager calls made by whoami"
expect_exit 1 lmg --region not_a_region -c "$T/c.yaml" whoami
assert_contains "$T/err" "--region takes a region name"
assert_no_iam_secrets "$T/out" "$T/err" "$T/emulator.log"
echo ok
