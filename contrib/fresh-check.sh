#!/usr/bin/env bash
# make fresh-check: the README's two commands, tried as a new user would on
# a pristine Debian 12, from the committed HEAD:
#   1. a `debootstrap --variant=minbase bookworm` root (cached between runs
#      in $LMGRANTD_FRESH_CACHE, default /var/cache/lmgrantd-fresh);
#   2. a throw-away copy of it, with only `git` and `make` added;
#   3. a clone of HEAD (uncommitted changes are not part of it);
#   4. the first `make demo`, which must build and converge;
#   5. `make check`, which must pass with nothing skipped.
# Every step runs inside `systemd-nspawn --keep-unit` (no machined, no
# systemd needed as PID 1 on the host). Each step's result and time is
# printed; the logs stay in the cache directory. Needs root, the network
# (the apt mirror this machine uses) and ~2 GB of disk.
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$PWD

if [ "$(id -u)" -ne 0 ]; then
	command -v sudo >/dev/null || { echo "fresh-check: needs root" >&2; exit 1; }
	exec sudo --preserve-env=LMGRANTD_FRESH_CACHE,LMGRANTD_FRESH_MIRROR "$0" "$@"
fi
./contrib/install-deps.sh --fresh

CACHE=${LMGRANTD_FRESH_CACHE:-/var/cache/lmgrantd-fresh}
BASE=$CACHE/bookworm-minbase
ROOT=$CACHE/run
LOGS=$CACHE/logs
mkdir -p "$CACHE" "$LOGS"

# The first bookworm (not -security, not -updates) Debian mirror apt is
# configured with, one-line or deb822 format; deb.debian.org otherwise.
apt_mirror() {
	local f
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -f "$f" ] || continue
		awk '$1 == "deb" && $3 == "bookworm" && $2 ~ /debian/ { print $2; exit }' "$f"
	done
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		awk 'BEGIN { RS = ""; FS = "\n" }
			{
				uri = ""; bookworm = 0
				for (i = 1; i <= NF; i++) {
					n = split($i, w, /[ \t]+/)
					if (w[1] == "URIs:") uri = w[2]
					if (w[1] == "Suites:") for (j = 2; j <= n; j++) if (w[j] == "bookworm") bookworm = 1
				}
				if (bookworm && uri ~ /debian\/?$/) { print uri; exit }
			}' "$f"
	done
	echo http://deb.debian.org/debian
}
MIRROR=${LMGRANTD_FRESH_MIRROR:-$(apt_mirror | sed -n 1p)}

steps=()
step_failed=""
# step NAME COMMAND...: run, log to $LOGS/NAME.log (and the terminal),
# record the result and the time taken.
step() {
	local name=$1 start rc
	shift
	echo
	echo "== fresh-check: $name"
	start=$(date +%s)
	set +e
	"$@" 2>&1 | tee "$LOGS/$name.log"
	rc=${PIPESTATUS[0]}
	set -e
	steps+=("$(printf '%-12s %-4s %5ss' "$name" "$([ "$rc" -eq 0 ] && echo ok || echo FAIL)" $(($(date +%s) - start)))")
	if [ "$rc" -ne 0 ]; then
		step_failed=$name
		summary
		echo "fresh-check: $name failed (exit $rc); log: $LOGS/$name.log" >&2
		exit 1
	fi
}

summary() {
	echo
	echo "== fresh-check summary (mirror $MIRROR, commit $COMMIT)"
	printf '%s\n' "${steps[@]}"
}

# Inside the copy, as root (a minbase system has no sudo), with no
# environment from this machine but HOME and PATH.
in_root() {
	systemd-nspawn --keep-unit --register=no --quiet --as-pid2 --console=pipe \
		--resolv-conf=copy-host --timezone=off -D "$ROOT" \
		--setenv=HOME=/root --setenv=PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		-- /bin/bash -c "$1"
}

debootstrap_base() {
	if [ -x "$BASE/usr/bin/apt-get" ]; then
		echo "cached: $BASE"
		return 0
	fi
	rm -rf "$BASE.tmp"
	debootstrap --variant=minbase bookworm "$BASE.tmp" "$MIRROR"
	mv "$BASE.tmp" "$BASE"
}

copy_base() {
	rm -rf "$ROOT"
	cp -a "$BASE" "$ROOT"
	git -C "$REPO" bundle create "$ROOT/root/lmgrantd.bundle" HEAD
}

add_git_make() {
	in_root 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq git make >/dev/null &&
		git --version && make --version | head -1'
}

clone() {
	in_root 'cd /root && git -c advice.detachedHead=false clone -q lmgrantd.bundle lmgrantd &&
		git -C lmgrantd --no-pager log --oneline -1'
}

demo() {
	in_root 'cd /root/lmgrantd && make demo'
}

# make check must pass with none skipped on that machine.
check() {
	in_root 'cd /root/lmgrantd && { make check 2>&1; echo "make check: exit $?"; } | tee /tmp/check.out
		grep -q "^make check: exit 0$" /tmp/check.out &&
		grep -Eq "^[0-9]+ passed, 0 failed, 0 skipped$" /tmp/check.out'
}

COMMIT=$(git -C "$REPO" rev-parse --short HEAD)
if [ -n "$(git -C "$REPO" status --porcelain --untracked-files=no)" ]; then
	echo "fresh-check: note: uncommitted changes are not tested (commit $COMMIT is)"
fi
total=$(date +%s)
step debootstrap debootstrap_base
step copy copy_base
step git-make add_git_make
step clone clone
step demo demo
step check check
summary
echo "fresh-check: passed in $(($(date +%s) - total))s"
