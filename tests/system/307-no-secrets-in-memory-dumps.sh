# Issue 16 item 5: core dumps and memory reads held the secret key and, with
# a role profile, the source profile's long-term key. Now:
#  - lmgrantd marks itself not dumpable (prctl PR_SET_DUMPABLE 0) first
#    thing: the kernel then makes /proc/<pid>/* root's and refuses other
#    processes of the same user (here: nobody) its environ, mem and ptrace;
#  - once a role is assumed, the source profile's key is wiped and the STS
#    client that held libcurl's copies is dropped: a read of the daemon's
#    whole memory (what a core would hold) finds no trace of it, while the
#    session token in use is there (so the scan itself works).
# (LimitCORE=0 in the unit is checked by 020-systemd-unit.sh.)
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/creds-lib.sh"
start_emulator "$CREDS_FIXTURE"
clean_creds_env
first_pass_done() { [ "$(daemon_pass)" -ge 1 ]; }
# Running as another user and reading another process's memory need root.
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root (setpriv to nobody, /proc/<pid>/mem)"; exit 0; }

# --- not dumpable, as an unprivileged user -----------------------------------
W=$(mktemp -d /tmp/lmgrantd-dump.XXXXXX)
trap 'cleanup; rm -rf "$W"' EXIT
chmod 755 "$W"
sed 's/^version: 1/version: 1\ninterval: 1h/' "$T/c.yaml" >"$W/c.yaml"
chmod 644 "$W/c.yaml"
mkdir "$W/state" && chown nobody "$W/state"
nobody=$(id -u nobody)
AWS_ACCESS_KEY_ID=$ADMIN_KEY AWS_SECRET_ACCESS_KEY=$ADMIN_SECRET STATE_DIRECTORY=$W/state HOME=$W \
	setpriv --reuid="$nobody" --regid="$(id -g nobody)" --clear-groups \
	"$LMGRANTD_BIN" --log stderr -c "$W/c.yaml" run 2>>"$T/daemon.err" &
DAEMON=$!
wait_for 20 "the first pass as nobody" test -s "$W/state/status.json"
assert_eq "$(awk '/^Uid:/ { print $2 }' "/proc/$DAEMON/status")" "$nobody" "the daemon's uid"
# A dumpable process's /proc entries belong to its own user.
assert_eq "$(stat -c %u "/proc/$DAEMON/status")" 0 "owner of /proc/<pid>/status (0: not dumpable)"
if setpriv --reuid="$nobody" --regid="$(id -g nobody)" --clear-groups \
	cat "/proc/$DAEMON/environ" >"$T/environ" 2>/dev/null; then
	fail "another process of the same user read the daemon's environment"
fi
grep -qF "$ADMIN_SECRET" "$T/environ" && fail "the secret key was readable in /proc/<pid>/environ"
stop_daemon

# --- the source profile's key is gone once the role is assumed --------------
write_aws "$HOME/.aws/credentials" <<EOF
[base]
aws_access_key_id = $CI_KEY
aws_secret_access_key = $CI_SECRET
EOF
write_aws "$HOME/.aws/config" <<EOF
[profile ops]
role_arn = $ROLE_OPS
source_profile = base
EOF
sed -i 's/^version: 1/version: 1\ninterval: 1h/' "$T/c.yaml"
AWS_PROFILE=ops start_daemon "$T/c.yaml"
wait_for 20 "the first pass with a role profile" first_pass_done
"$PYTHON" "$(dirname "$0")/memscan.py" "$DAEMON" "$CI_SECRET" IQoJemulator >"$T/found"
stop_daemon
assert_contains "$T/found" IQoJemulator
if grep -qF "$CI_SECRET" "$T/found"; then
	cat "$T/found"; fail "the source profile's secret key is still in the daemon's memory"
fi
assert_eq "$(keys_seen AssumeRole)" "$CI_KEY" "AssumeRole signed by the source profile"
echo ok
