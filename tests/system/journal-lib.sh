# For tests that read lmgrantd's entries back from a real systemd-journald.
# Source this first, before lib.sh: it re-executes the test in a private
# mount namespace (root only; otherwise the test is skipped with a reason:
# exit 77, which tests/run-all.sh counts as skipped),
# so the journald it starts on tmpfs never touches the host's journal.
if [ "$(id -u)" != 0 ]; then
	echo "SKIP: needs root to run systemd-journald in a private mount namespace"
	exit 77
fi
if [ -z "${LMGRANTD_IN_NS:-}" ]; then
	LMGRANTD_IN_NS=1 exec unshare --mount --propagation private bash "$0" "$@"
fi

# start_private_journald: journald on fresh tmpfs; stopped on exit. Call it
# after sourcing lib.sh (it extends lib.sh's cleanup).
start_private_journald() {
	local journald=/lib/systemd/systemd-journald d
	[ -x "$journald" ] || fail "$journald not found (install the systemd package)"
	for d in /run/systemd /run/log /var/log/journal; do
		mkdir -p "$d"
		mount -t tmpfs tmpfs "$d"
	done
	"$journald" &
	JPID=$!
	trap 'kill $JPID 2>/dev/null || true; cleanup' EXIT
	for _ in $(seq 50); do [ -S /run/systemd/journal/socket ] && break; sleep 0.1; done
	[ -S /run/systemd/journal/socket ] || fail "journald did not start"
}
