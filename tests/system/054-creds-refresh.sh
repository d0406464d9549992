# Refresh in the daemon, across real expiry: a credential_process hands out
# temporary credentials (AssumeRole at the emulator) and says they expire
# 303 s ahead, i.e. 3 s before the 5-minute refresh margin starts; each run
# also makes the emulator expire the keys it handed out two runs before.
# The daemon keeps a key while it is outside the margin (the helper is not
# run for every request), moves to a new one once inside it, never uses an
# expired key, and no pass fails.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/creds-lib.sh"
start_emulator "$CREDS_FIXTURE"
clean_creds_env

issuing_process "$T/rotate" 303 '
for old in issued[:-1]:
    expire(old)'
write_aws "$HOME/.aws/config" <<EOF
[default]
credential_process = $T/rotate
EOF
write_config d.yaml <<'YAML'
version: 1
interval: 1s
max_tps: 50
models:
  claude:
    product: prod-4pmewlybdftbs
    accounts: ["444444444444"]
YAML
passes_at_least() { [ "$(daemon_pass)" -ge "$1" ]; }
start_daemon "$T/d.yaml"
wait_for 20 "10 passes" passes_at_least 10
stop_daemon

read -r -a issued <"$T/issued" || true  # (no trailing newline)
runs=${#issued[@]}
emu calls | jq -r '.[] | select(.operation != "AssumeRole") | .access_key_id' >"$T/used"
requests=$(wc -l <"$T/used")
used=$(sort -u "$T/used" | tr '\n' ' ')
assert_eq "$used" "$(printf '%s\n' "${issued[@]}" | sort | tr '\n' ' ')" "keys used = keys handed out"
# Refreshed about every 3 s: several times, but not for every request.
[ "$runs" -ge 3 ] || fail "credential_process ran $runs times"
[ "$runs" -lt $((requests / 2)) ] || fail "credential_process ran $runs times for $requests requests"
assert_eq "$(state '[.credentials[] | select(.expired)] | length')" "$((runs - 2))" "keys expired by the helper"
! grep -q 'result=failed' "$T/daemon.err" || { grep 'result=failed' "$T/daemon.err"; fail "a pass failed"; }
assert_eq "$(emu calls | jq '[.[] | select(.status != 200)] | length')" 0 "calls refused by the emulator"
assert_eq "$(grep -c 'pass [0-9]*: done' "$T/daemon.err")" "$(daemon_pass)" "passes done"
assert_no_secrets "$T/daemon.err" "$T/emulator.log"
echo "ok ($runs refreshes over $(daemon_pass) passes, $requests requests)"
