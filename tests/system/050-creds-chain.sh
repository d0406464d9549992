# The credential chain, first found wins: environment, then the systemd
# credential $CREDENTIALS_DIRECTORY/aws, then the profile of the shared
# credentials/config files (~/.aws or AWS_SHARED_CREDENTIALS_FILE /
# AWS_CONFIG_FILE; "[x]" vs "[profile x]"). whoami says which one was
# used; apply signs every call with it; an AWS_PROFILE that does not exist
# is an error; no secret is ever printed.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/creds-lib.sh"
start_emulator "$CREDS_FIXTURE"
clean_creds_env

mkdir -p "$T/sd"
write_aws "$T/sd/aws" <<EOF
[default]
aws_access_key_id = $CI_KEY
aws_secret_access_key = $CI_SECRET
EOF
write_aws "$HOME/.aws/credentials" <<EOF
# the default location, found through HOME
[default]
aws_access_key_id = $VAULT_KEY
aws_secret_access_key = $VAULT_SECRET
[ops]
aws_access_key_id = $ADMIN_KEY
EOF
write_aws "$HOME/.aws/config" <<EOF
[default]
region = us-east-1
[ops]
aws_access_key_id = $DEV_KEY
aws_secret_access_key = $DEV_SECRET
[profile ops]
aws_secret_access_key = $ADMIN_SECRET
[profile vault2]
aws_access_key_id = $VAULT2_KEY
aws_secret_access_key = $VAULT2_SECRET
EOF

# 1. The environment wins over everything.
export AWS_ACCESS_KEY_ID=$ADMIN_KEY AWS_SECRET_ACCESS_KEY=$ADMIN_SECRET CREDENTIALS_DIRECTORY=$T/sd
expect_exit 0 lmg -c "$T/c.yaml" whoami
assert_contains "$T/out" "arn:                arn:aws:iam::111111111111:user/ops"
assert_contains "$T/out" "credentials from:   environment"
assert_no_secrets "$T/out" "$T/err"

# 2. Without it, the systemd credential wins over ~/.aws.
unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY
expect_exit 0 lmg -c "$T/c.yaml" whoami
assert_contains "$T/out" "arn:aws:iam::111111111111:user/ci"
assert_contains "$T/out" "credentials from:   systemd credential, profile default ($T/sd/aws)"

# 3. Without that, profile default of ~/.aws/credentials.
unset CREDENTIALS_DIRECTORY
expect_exit 0 lmg -c "$T/c.yaml" whoami
assert_contains "$T/out" "arn:aws:iam::111111111111:user/vault"
assert_contains "$T/out" "credentials from:   profile default ($HOME/.aws/credentials)"
# ... and apply signs every request with it.
emu reset-calls >/dev/null
expect_exit 0 lmg -c "$T/c.yaml" apply
assert_eq "$(keys_seen)" "$VAULT_KEY" "keys used by apply"
assert_no_secrets "$T/out" "$T/err"

# 4. AWS_PROFILE: the key id from the credentials file's [ops], the secret
# from the config file's [profile ops] ("[ops]" there is no profile).
export AWS_PROFILE=ops
expect_exit 0 lmg -c "$T/c.yaml" whoami
assert_contains "$T/out" "arn:aws:iam::111111111111:user/ops"
export AWS_PROFILE=vault2
expect_exit 0 lmg -c "$T/c.yaml" whoami
assert_contains "$T/out" "arn:aws:iam::111111111111:user/vault2"
assert_contains "$T/out" "credentials from:   profile vault2 ($HOME/.aws/config)"

# 5. The systemd credential honours AWS_PROFILE too.
printf '[vault2]\naws_access_key_id = %s\naws_secret_access_key = %s\n' "$DEV_KEY" "$DEV_SECRET" >>"$T/sd/aws"
export CREDENTIALS_DIRECTORY=$T/sd
# (a member account: the emulator denies it ListDelegatedAdministrators, so
# whoami cannot say whether it is the delegated administrator and exits 1)
expect_exit 1 lmg -c "$T/c.yaml" whoami
assert_contains "$T/out" "arn:aws:iam::333333333333:user/dev"
unset CREDENTIALS_DIRECTORY

# 6. AWS_SHARED_CREDENTIALS_FILE / AWS_CONFIG_FILE replace ~/.aws.
write_aws "$T/other-credentials" <<EOF
[vault2]
aws_access_key_id = $CI_KEY
aws_secret_access_key = $CI_SECRET
EOF
export AWS_SHARED_CREDENTIALS_FILE=$T/other-credentials AWS_CONFIG_FILE=$T/nonexistent
expect_exit 0 lmg -c "$T/c.yaml" whoami
assert_contains "$T/out" "arn:aws:iam::111111111111:user/ci"
assert_contains "$T/out" "credentials from:   profile vault2 ($T/other-credentials)"

# 7. A profile that does not exist is an error, not "try the next source".
export AWS_PROFILE=nope
expect_exit 1 lmg -c "$T/c.yaml" whoami
assert_contains "$T/err" "no usable AWS credentials"
assert_contains "$T/err" "AWS_PROFILE names a profile that does not exist"
expect_exit 1 lmg -c "$T/c.yaml" apply
assert_contains "$T/err" "NoCredentials"

# 8. A broken profile file is an error that names the line, not the value.
unset AWS_PROFILE AWS_SHARED_CREDENTIALS_FILE AWS_CONFIG_FILE
printf '%s\n' "$VAULT_SECRET" >>"$HOME/.aws/credentials"
expect_exit 1 lmg -c "$T/c.yaml" whoami
assert_contains "$T/err" "$HOME/.aws/credentials:7: expected \"key = value\""
# 9. Half a key pair in the environment is an error too.
export AWS_ACCESS_KEY_ID=$ADMIN_KEY
expect_exit 1 lmg -c "$T/c.yaml" whoami
assert_contains "$T/err" "only one of AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY is set"
assert_no_secrets "$T/out" "$T/err" "$T/emulator.log"
echo ok
