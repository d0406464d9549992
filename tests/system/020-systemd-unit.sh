#!/usr/bin/env bash
# The systemd unit and the journal catalog (SPEC §5-§7), checked offline:
#   - `systemd-analyze security --offline=true` rates the unit at most 1.5;
#   - `systemd-analyze verify` is clean. It also checks that ExecStart's
#     binary exists, and /usr/local/bin/lmgrantd is not installed on a
#     build machine, so verify runs on a temporary copy whose ExecStart
#     and ExecReload= point at /bin/true (the only lines that differ);
#   - the unit declares what the daemon relies on (Type=notify, watchdog,
#     DynamicUser, state and configuration directories, reload);
#   - the catalog has one entry per MSGID_* of daemon/log.h, and journalctl
#     compiles it (`--update-catalog` into a scratch --root) and lists them.
# Needs systemd-analyze and journalctl (package systemd, installed by
# contrib/install-deps.sh); no running systemd, no network.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
UNIT=$ROOT/systemd/lmgrantd.service
CATALOG=$ROOT/systemd/lmgrantd.catalog
LOG_H=$ROOT/daemon/log.h
MAX_EXPOSURE=1.5

T=$(mktemp -d /tmp/lmgrantd-unit.XXXXXX)
trap 'rm -rf "$T"' EXIT

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

for tool in systemd-analyze journalctl; do
	command -v "$tool" >/dev/null ||
		fail "$tool not found: install systemd (./contrib/install-deps.sh)"
done
for f in "$UNIT" "$CATALOG" "$LOG_H"; do
	[ -f "$f" ] || fail "missing $f"
done

# --- security exposure ------------------------------------------------------
systemd-analyze --no-pager security --offline=true "$UNIT" >"$T/security" 2>&1 ||
	true # non-zero only above --threshold; the number is checked below
exposure=$(sed -nE 's/.*Overall exposure level for lmgrantd\.service: ([0-9]+(\.[0-9]+)?).*/\1/p' "$T/security")
if [ -z "$exposure" ]; then
	cat "$T/security" >&2
	fail "no 'Overall exposure level' line from systemd-analyze security"
fi
echo "exposure: $exposure (max $MAX_EXPOSURE)"
if ! awk -v e="$exposure" -v m="$MAX_EXPOSURE" 'BEGIN { exit !(e <= m) }'; then
	grep '✗' "$T/security" >&2 || cat "$T/security" >&2
	fail "exposure $exposure is above $MAX_EXPOSURE"
fi

# --- verify -----------------------------------------------------------------
mkdir "$T/unit"
sed -E 's|^Exec(Start\|Reload)=/usr/local/bin/lmgrantd |Exec\1=/bin/true |' "$UNIT" >"$T/unit/lmgrantd.service"
changed=$(diff "$UNIT" "$T/unit/lmgrantd.service" | grep -c '^>' || true)
[ "$changed" -eq 2 ] || fail "expected exactly one ExecStart= and one ExecReload= line running /usr/local/bin/lmgrantd in the unit"
if ! systemd-analyze --no-pager verify "$T/unit/lmgrantd.service" >"$T/verify" 2>&1; then
	cat "$T/verify" >&2
	fail "systemd-analyze verify failed"
fi
if [ -s "$T/verify" ]; then
	cat "$T/verify" >&2
	fail "systemd-analyze verify is not clean"
fi
echo "verify: clean"

# --- what the daemon relies on ----------------------------------------------
need() {
	grep -Eq "^$1" "$UNIT" || fail "the unit lacks $1"
}
need 'Type=notify$'
need 'ExecStart=/usr/local/bin/lmgrantd .*run$'
need 'ExecReload=/usr/local/bin/lmgrantd reload --pid \$MAINPID$'
if grep -q '^Exec.*/bin/kill' "$UNIT"; then fail "the unit uses /bin/kill (ExecReload= runs lmgrantd reload)"; fi
need 'WatchdogSec=[0-9]'
need 'DynamicUser=yes$'
need 'StateDirectory=lmgrantd$'
need 'ConfigurationDirectory=lmgrantd$'
need 'LoadCredential=aws'
need 'LimitCORE=0$'
echo "unit: required settings present"

# --- catalog ----------------------------------------------------------------
ids=$(sed -nE 's/^#define[[:space:]]+MSGID_[A-Z_]+[[:space:]]+"([0-9a-f]{32})".*/\1/p' "$LOG_H")
nids=$(echo "$ids" | grep -c . || true)
[ "$nids" -gt 0 ] || fail "no MSGID_* found in $LOG_H"

# Structure first: journalctl treats a malformed "-- " line as body text
# without a word, so look at every header ourselves.
awk '
	/^-- / {
		if (id != "") check()
		id = $2; subj = defby = supp = 0; inhdr = 1
		if ($0 !~ /^-- [0-9a-f]+$/ || length(id) != 32) { print "bad header line " NR ": " $0; bad = 1 }
		next
	}
	id != "" && inhdr && /^$/ { inhdr = 0; next }
	id != "" && inhdr {
		if ($0 ~ /^Subject: ./) subj = 1
		else if ($0 == "Defined-By: lmgrantd") defby = 1
		else if ($0 ~ /^Support: ./) supp = 1
	}
	function check() {
		if (!subj || !defby || !supp) {
			print "entry " id " needs Subject:, Defined-By: lmgrantd and Support:"
			bad = 1
		}
	}
	END { if (id != "") check(); exit bad }
' "$CATALOG" >"$T/structure" || { cat "$T/structure" >&2; fail "malformed catalog"; }

nentries=$(grep -c '^-- ' "$CATALOG" || true)
for id in $ids; do
	n=$(grep -c "^-- $id\$" "$CATALOG" || true)
	[ "$n" -eq 1 ] || fail "catalog has $n entries for message id $id (want 1): $(grep "\"$id\"" "$LOG_H")"
done
[ "$nentries" -eq "$nids" ] || fail "catalog has $nentries entries, daemon/log.h defines $nids message ids"

mkdir -p "$T/root/usr/lib/systemd/catalog"
cp "$CATALOG" "$T/root/usr/lib/systemd/catalog/lmgrantd.catalog"
if ! journalctl --root="$T/root" --update-catalog >"$T/update" 2>&1 || [ -s "$T/update" ]; then
	cat "$T/update" >&2
	fail "journalctl --update-catalog did not accept the catalog"
fi
journalctl --root="$T/root" --list-catalog >"$T/list" 2>&1 || { cat "$T/list" >&2; fail "journalctl --list-catalog failed"; }
for id in $ids; do
	grep -q "^$id lmgrantd: " "$T/list" || { cat "$T/list" >&2; fail "journalctl does not list catalog entry $id"; }
done
echo "catalog: $nids entries, accepted by journalctl"
echo "ok"
