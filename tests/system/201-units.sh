# Units that match the install (issue 17): `make install` with PREFIX=/usr
# and PREFIX=/usr/local (into a DESTDIR) writes ExecStart=, ExecReload= and
# Documentation= for that PREFIX, installs what they name, and
# `systemd-analyze verify` accepts both units; `make uninstall` removes
# every file; installing to / as root compiles the journal catalog. The template lmgrantd@.service is lmgrantd.service but for
# the lines naming the instance (SPEC 7), and as hardened.
source "$(dirname "$0")/lib.sh"
BUILD=${BUILD:-build}
command -v systemd-analyze >/dev/null || fail "systemd-analyze not found (package systemd)"

# The template differs from the unit in these lines only (comments aside).
diff <(grep -v '^#' "$ROOT/systemd/lmgrantd.service") <(grep -v '^#' "$ROOT/systemd/lmgrantd@.service") |
	grep '^[<>]' >"$T/template-diff" || true
cat >"$T/want-diff" <<'EOF'
< Description=lmgrantd: AWS License Manager grants as declared in YAML
> Description=lmgrantd (%i): AWS License Manager grants as declared in /etc/lmgrantd/%i.yaml
< ExecStart=/usr/local/bin/lmgrantd --log journal run
< ExecReload=/usr/local/bin/lmgrantd reload --pid $MAINPID
> ExecStart=/usr/local/bin/lmgrantd --log journal -c /etc/lmgrantd/%i.yaml run
> ExecReload=/usr/local/bin/lmgrantd -c /etc/lmgrantd/%i.yaml reload --pid $MAINPID
> EnvironmentFile=-/etc/lmgrantd/%i.environment
< StateDirectory=lmgrantd
> StateDirectory=lmgrantd/%i
< LoadCredential=aws
> LoadCredential=aws:aws-%i
EOF
diff -u "$T/want-diff" "$T/template-diff" || fail "lmgrantd@.service drifted from lmgrantd.service"

for prefix in /usr /usr/local; do
	dest=$T/root${prefix//\//-}
	make -s -C "$ROOT" BUILD="$BUILD" DESTDIR="$dest" PREFIX="$prefix" install >"$T/install.log" 2>&1 ||
		{ cat "$T/install.log"; fail "make install PREFIX=$prefix"; }
	for unit in lmgrantd.service lmgrantd@.service; do
		f=$dest$prefix/lib/systemd/system/$unit
		[ -f "$f" ] || fail "$unit not installed in $prefix/lib/systemd/system"
		grep -q "^ExecStart=$prefix/bin/lmgrantd --log journal " "$f" || fail "$unit: ExecStart not for $prefix"
		[ -x "$dest$prefix/bin/lmgrantd" ] || fail "no $prefix/bin/lmgrantd"
		doc=$(sed -n 's/^Documentation=//p' "$f")
		assert_eq "$doc" "man:lmgrantd(8) man:lmgrantd.yaml(5) file:$prefix/share/doc/lmgrantd/README.md" "$unit Documentation="
		[ -f "$dest$prefix/share/doc/lmgrantd/README.md" ] || fail "README.md not installed"
		[ -f "$dest$prefix/share/man/man8/lmgrantd.8" ] || fail "lmgrantd(8) not installed"
		[ -f "$dest$prefix/share/man/man5/lmgrantd.yaml.5" ] || fail "lmgrantd.yaml(5) not installed"
		reload=$(sed -n 's/^ExecReload=//p' "$f")
		prog=${reload%% *}
		case $prog in "$prefix"/*) prog=$dest$prog ;; esac
		[ -x "$prog" ] || fail "$unit: ExecReload= $reload is not executable here"

		# verify checks that the Exec*= programs exist: point those of
		# lmgrantd at the binary just installed (only under DESTDIR, not yet
		# in $prefix). The man pages of Documentation= are checked above
		# (man itself may not be installed).
		name=${unit/@/@test}
		sed -E "s|^(Exec[A-Za-z]+=)$prefix/bin/lmgrantd |\1$dest$prefix/bin/lmgrantd |" "$f" >"$T/$name"
		systemd-analyze --no-pager verify --man=no "$T/$name" >"$T/verify" 2>&1 ||
			{ cat "$T/verify"; fail "systemd-analyze verify $unit (PREFIX=$prefix)"; }
		[ ! -s "$T/verify" ] || { cat "$T/verify"; fail "systemd-analyze verify $unit is not clean"; }
		systemd-analyze --no-pager security --offline=true "$T/$name" >"$T/security" 2>&1 || true
		exposure=$(sed -nE 's/.*Overall exposure level for .*: ([0-9.]+).*/\1/p' "$T/security")
		awk -v e="${exposure:-99}" 'BEGIN { exit !(e <= 1.5) }' ||
			{ cat "$T/security"; fail "$unit exposure ${exposure:-?} above 1.5"; }
		echo "PREFIX=$prefix $unit: verify clean, exposure $exposure"
	done
	[ -f "$dest/etc/lmgrantd/lmgrantd.yaml.example" ] || fail "no lmgrantd.yaml.example"
	[ -f "$dest/etc/lmgrantd/environment.example" ] || fail "no environment.example"
	[ -f "$dest$prefix/share/bash-completion/completions/lmgrantd" ] || fail "no bash completion"
	[ -f "$dest$prefix/lib/systemd/catalog/lmgrantd.catalog" ] || fail "no catalog"

	make -s -C "$ROOT" BUILD="$BUILD" DESTDIR="$dest" PREFIX="$prefix" uninstall >"$T/uninstall.log" 2>&1 ||
		{ cat "$T/uninstall.log"; fail "make uninstall PREFIX=$prefix"; }
	left=$(find "$dest" -type f)
	[ -z "$left" ] || fail "make uninstall left: $left"
done
# Installed to / as root, the catalog is compiled and systemd reloaded
# (journalctl and systemctl are stand-ins here: nothing on this machine
# changes); into a DESTDIR, neither.
mkdir "$T/bin"
for tool in journalctl systemctl; do
	printf '#!/bin/sh\necho "%s $*" >>"%s"\n' "$tool" "$T/calls" >"$T/bin/$tool"
	chmod 755 "$T/bin/$tool"
done
PATH=$T/bin:$PATH make -s -C "$ROOT" DESTDIR="$T/elsewhere" post-install >/dev/null
[ ! -e "$T/calls" ] || { cat "$T/calls"; fail "post-install into a DESTDIR ran tools"; }
if [ "$(id -u)" = 0 ]; then
	PATH=$T/bin:$PATH make -s -C "$ROOT" DESTDIR= post-install >/dev/null
	assert_contains "$T/calls" "journalctl --update-catalog"
fi
echo ok
