# Issue 16 item 6: a FIFO in place of the credentials file (or the config
# file, or the systemd credential) used to hang lmgrantd in open() until
# someone wrote to it. It is opened O_NONBLOCK|O_NOCTTY, found not to be a
# regular file and refused within a second.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/creds-lib.sh"
start_emulator "$CREDS_FIXTURE"
clean_creds_env

# fails_fast FILE: whoami exits 1 within a second, naming FILE.
fails_fast() {
	local start end
	start=$(date +%s%N)
	expect_exit 1 timeout 10 "$LMGRANTD_BIN" --log stderr -c "$T/c.yaml" whoami
	end=$(date +%s%N)
	assert_contains "$T/err" "$1: is not a regular file; refusing to take credentials from it"
	[ $(( (end - start) / 1000000 )) -lt $((1000 * LMGRANTD_WAIT_SCALE)) ] ||
		fail "whoami took $(( (end - start) / 1000000 )) ms on a FIFO at $1"
}

mkfifo -m 600 "$HOME/.aws/credentials"
fails_fast "$HOME/.aws/credentials"
rm "$HOME/.aws/credentials"

mkfifo -m 600 "$HOME/.aws/config"
fails_fast "$HOME/.aws/config"
rm "$HOME/.aws/config"

mkdir -p "$T/creds.d" && chmod 700 "$T/creds.d"
mkfifo -m 600 "$T/creds.d/aws"
CREDENTIALS_DIRECTORY=$T/creds.d fails_fast "$T/creds.d/aws"

# The YAML config as a FIFO: refused as fast.
mkfifo -m 600 "$T/fifo.yaml"
start=$(date +%s%N)
expect_exit 1 timeout 10 "$LMGRANTD_BIN" --log stderr -c "$T/fifo.yaml" check
assert_contains "$T/err" "$T/fifo.yaml: not a regular file"
[ $(( ($(date +%s%N) - start) / 1000000 )) -lt $((1000 * LMGRANTD_WAIT_SCALE)) ] || fail "check hung on a FIFO"
echo ok
