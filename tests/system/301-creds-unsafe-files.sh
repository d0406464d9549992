# Issue 16 item 2: a file that can name a command or a role (shared
# credentials file, config file, $CREDENTIALS_DIRECTORY/aws) is refused,
# with its name and the reason, when another local user could have
# written it: owned by another user, group-writable, in a world-writable
# directory that is not sticky, or a symlink to a file in one. The
# credential_process it names never runs (it would create a marker file).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/creds-lib.sh"
start_emulator "$CREDS_FIXTURE"
clean_creds_env

cat >"$T/helper" <<SH2
#!/bin/sh
touch "$T/marker"
printf '{"Version": 1, "AccessKeyId": "%s", "SecretAccessKey": "%s"}\n' "$VAULT_KEY" "$VAULT_SECRET"
SH2
chmod 755 "$T/helper"
process_profile() { printf '[default]\ncredential_process = %s\n' "$T/helper"; }
mkdir -p "$T/open" && chmod 0777 "$T/open"

# refused FILE REASON: whoami fails naming FILE and REASON; nothing ran.
refused() {
	rm -f "$T/marker"
	expect_exit 1 lmg -c "$T/c.yaml" whoami
	assert_contains "$T/err" "$1: $2; refusing to take credentials from it"
	[ ! -e "$T/marker" ] || fail "the credential_process of $1 ran"
	[ ! -s "$T/out" ] || { cat "$T/out"; fail "whoami printed an identity"; }
}

# The command works from a safe file (so the refusals below are the rules).
process_profile | write_aws "$HOME/.aws/credentials"
expect_exit 0 lmg -c "$T/c.yaml" whoami
[ -e "$T/marker" ] || fail "the helper did not run from a safe file"

# 1. Owned by another user (nobody).
if [ "$(id -u)" = 0 ]; then # chown to another user needs root
	chown nobody "$HOME/.aws/credentials"
	refused "$HOME/.aws/credentials" "is owned by a user other than root or the one lmgrantd runs as"
	chown 0 "$HOME/.aws/credentials"
else
	echo "SKIP: the other-owner case needs root"
fi

# 2. Group-writable.
chmod 0620 "$HOME/.aws/credentials"
refused "$HOME/.aws/credentials" "is group-writable"
rm "$HOME/.aws/credentials"

# 3. In a world-writable directory that is not sticky (anyone could swap it).
process_profile | write_aws "$T/open/credentials"
export AWS_SHARED_CREDENTIALS_FILE=$T/open/credentials
refused "$T/open/credentials" "is in a world-writable directory that is not sticky ($T/open)"
unset AWS_SHARED_CREDENTIALS_FILE
rm "$T/open/credentials"

# 4. The config file as a symlink to a file in such a directory.
process_profile | write_aws "$T/open/config"
ln -s "$T/open/config" "$HOME/.aws/config"
refused "$HOME/.aws/config" \
	"is a symlink to a file in a world-writable directory that is not sticky ($T/open)"
rm "$HOME/.aws/config" "$T/open/config"

# The systemd credential follows the same rules.
mkdir -p "$T/creds.d" && chmod 0700 "$T/creds.d"
process_profile | write_aws "$T/creds.d/aws"
chmod 0660 "$T/creds.d/aws"
export CREDENTIALS_DIRECTORY=$T/creds.d
refused "$T/creds.d/aws" "is group-writable"
chmod 0600 "$T/creds.d/aws"
rm -f "$T/marker"
expect_exit 0 lmg -c "$T/c.yaml" whoami
assert_contains "$T/out" "credentials from:   systemd credential, profile default (credential_process)"
[ -e "$T/marker" ] || fail "the systemd credential's helper did not run"
unset CREDENTIALS_DIRECTORY

# A sticky world-writable directory (like /tmp) is fine for a file of ours.
mkdir -p "$T/sticky" && chmod 1777 "$T/sticky"
process_profile | write_aws "$T/sticky/credentials"
rm -f "$T/marker"
AWS_SHARED_CREDENTIALS_FILE=$T/sticky/credentials expect_exit 0 lmg -c "$T/c.yaml" whoami
[ -e "$T/marker" ] || fail "a file in a sticky directory was refused"
echo ok
