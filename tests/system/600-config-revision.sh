# SPEC §6: every journal entry carries LMGRANTD_CONFIG_SHA256 and
# LMGRANTD_CONFIG_REVISION (the commit of the config's git checkout, read
# from .git without running git). An apply's entries carry the commit the
# test made; after a new commit and `lmgrantd reload`, the daemon's next
# entries carry the new one, and the reload entry names old -> new.
source "$(dirname "$0")/journal-lib.sh"
source "$(dirname "$0")/lib.sh"
start_private_journald
start_emulator "$DEMO_FIXTURE"

mkdir -p "$T/cfg"
chmod 700 "$T/cfg"
cat >"$T/cfg/lmgrantd.yaml" <<'YAML'
version: 1
interval: 1h
models:
  claude:
    product: prod-4pmewlybdftbs
    accounts: ["222222222222"]
YAML
git -C "$T/cfg" init -q
git -C "$T/cfg" add lmgrantd.yaml
git -C "$T/cfg" -c user.name=t -c user.email=t@example.com commit -qm one
rev1=$(git -C "$T/cfg" rev-parse HEAD)
sha1=$(sha256sum "$T/cfg/lmgrantd.yaml" | cut -d' ' -f1)

expect_exit 0 "$LMGRANTD_BIN" --log journal -c "$T/cfg/lmgrantd.yaml" apply
journal() { journalctl --flush >/dev/null 2>&1 || true; journalctl --no-pager -o json SYSLOG_IDENTIFIER=lmgrantd "$@" >"$T/journal.json"; }
j() { jq -rs "$1" "$T/journal.json"; }
journal
n=$(j 'length')
[ "$n" -ge 2 ] || fail "only $n entries from apply"
assert_eq "$(j '[.[] | .LMGRANTD_CONFIG_REVISION] | unique | join(",")')" "$rev1" "revision on every apply entry"
assert_eq "$(j '[.[] | .LMGRANTD_CONFIG_SHA256] | unique | join(",")')" "$sha1" "sha256 on every apply entry"
assert_eq "$(j '[.[] | select(.LMGRANTD_ACTION=="create")] | length')" 1 "create entries"

# The daemon, then a new commit and a reload.
mkdir -p "$T/state"
export STATE_DIRECTORY=$T/state
STATE_DIRECTORY=$T/state "$LMGRANTD_BIN" --log journal -c "$T/cfg" run 2>>"$T/daemon.err" &
DAEMON=$!
wait_for 10 "first pass" test -s "$T/state/status.json"
assert_eq "$(jq -r .config_revision "$T/state/status.json")" "$rev1" "status.json revision"
sed -i 's/\["222222222222"\]/["222222222222", "333333333333"]/' "$T/cfg/lmgrantd.yaml"
git -C "$T/cfg" -c user.name=t -c user.email=t@example.com commit -qam two
rev2=$(git -C "$T/cfg" rev-parse HEAD)
sha2=$( (printf 'lmgrantd.yaml\0'; cat "$T/cfg/lmgrantd.yaml") | sha256sum | cut -d' ' -f1)
# Packed refs must do as well as loose ones.
git -C "$T/cfg" pack-refs --all
expect_exit 0 "$LMGRANTD_BIN" -c "$T/cfg" reload
second_pass() { [ "$(daemon_pass)" -ge 2 ]; }
wait_for 10 "the pass after the reload" second_pass
assert_eq "$(jq -r .config_revision "$T/state/status.json")" "$rev2" "status.json revision after reload"
assert_eq "$(jq -r .config_sha256 "$T/state/status.json")" "$sha2" "status.json sha256 after reload"
stop_daemon

journal
reload_msg=$(j "[.[] | select(.MESSAGE | test(\"reloaded\")) | .MESSAGE] | .[0]")
case "$reload_msg" in
*"revision $rev1 -> $rev2"*) ;;
*) fail "reload entry does not name old -> new revision: $reload_msg" ;;
esac
# Daemon entries: before the reload rev1, from the reload on rev2.
daemon_pid_entries=$(j "[.[] | select(.MESSAGE | test(\"reloaded\")) | ._PID] | .[0]")
assert_eq "$(j "[.[] | select(._PID == \"$daemon_pid_entries\") | .LMGRANTD_CONFIG_REVISION] | map(select(. == null)) | length")" 0 "daemon entries without revision"
after=$(j "[.[] | select(._PID == \"$daemon_pid_entries\")] | (map(.MESSAGE | test(\"reloaded\")) | index(true)) as \$i | .[\$i:] | map(.LMGRANTD_CONFIG_REVISION) | unique | join(\",\")")
assert_eq "$after" "$rev2" "daemon entries from the reload on"
before=$(j "[.[] | select(._PID == \"$daemon_pid_entries\")] | (map(.MESSAGE | test(\"reloaded\")) | index(true)) as \$i | .[:\$i] | map(.LMGRANTD_CONFIG_REVISION) | unique | join(\",\")")
assert_eq "$before" "$rev1" "daemon entries before the reload"
assert_eq "$(j "[.[] | select(._PID == \"$daemon_pid_entries\" and .LMGRANTD_ACTION == \"create\") | .LMGRANTD_CONFIG_REVISION] | join(\",\")")" "$rev2" "the new account's create carries the new revision"
echo ok
