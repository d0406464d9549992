# The man pages (issue 17): lmgrantd(8) and lmgrantd.yaml(5) are mandoc
# -T lint clean (at warning level: "STYLE: referenced manual not found"
# depends on what the machine has installed), lmgrantd(8) lists exactly the
# commands `lmgrantd --help` lists, and lmgrantd.yaml(5) exactly the keys
# of the config schema (daemon/config_schema.c, daemon/config_model.c), so
# neither can drift. Needs mandoc (contrib/install-deps.sh).
source "$(dirname "$0")/lib.sh"
MAN8=$ROOT/doc/lmgrantd.8
MAN5=$ROOT/doc/lmgrantd.yaml.5
command -v mandoc >/dev/null || fail "mandoc not found: run ./contrib/install-deps.sh"

mandoc -T lint -W warning "$MAN8" "$MAN5" >"$T/lint" 2>&1 || { cat "$T/lint"; fail "mandoc -T lint"; }
[ ! -s "$T/lint" ] || { cat "$T/lint"; fail "mandoc -T lint is not clean"; }

# ".It Cm NAME ..." in section COMMANDS.
sed -n '/^\.Sh COMMANDS$/,/^\.Sh /p' "$MAN8" | sed -nE 's/^\.It Cm ([a-z]+).*/\1/p' | sort >"$T/man-commands"
"$LMGRANTD_BIN" --help | sed -n '2,/^  --version/p' | sed -nE 's/^  ([a-z]+)( .*)?$/\1/p' | sort >"$T/help-commands"
[ -s "$T/help-commands" ] || fail "no commands in --help"
diff -u "$T/help-commands" "$T/man-commands" || fail "lmgrantd(8) COMMANDS differ from --help (- help, + man)"

# Each command's options as --help shows them, in the man page's .It line.
while read -r cmd; do
	syn=$("$LMGRANTD_BIN" "$cmd" --help | head -1 | sed 's/^usage: lmgrantd \[global options\] //')
	# ".It Cm plan Op Fl o Cm text | json" is "plan [-o text|json]",
	# ".Op Fl -pid Ar pid" is "[--pid PID]", and so is ".Oo Fl -pid Ar pid Oc"
	# (several options on one line).
	item=$(grep -E "^\.It Cm $cmd( |$)" "$MAN8" | sed -E 's/^\.It Cm //; s/ \| /|/g;
		s/ Op Fl o Cm ([a-z|]+)/ [-o \1]/; s/ Op Fl (-[a-z-]+) Ar ([a-z]+)/ [-\1 \U\2]/;
		s/ Oo Fl o Cm ([a-z|]+) Oc/ [-o \1]/; s/ Oo Fl (-[a-z-]+) Ar ([a-z]+) Oc/ [-\1 \U\2]/g')
	assert_eq "$item" "$syn" "lmgrantd(8) synopsis of $cmd"
done <"$T/help-commands"

# ".It Ic KEY" in the key sections; the schema's field tables.
sed -n '/^\.Sh TOP-LEVEL KEYS$/,/^\.Sh FILES$/p' "$MAN5" | sed -nE 's/^\.It Ic ([a-z_]+)$/\1/p' | sort -u >"$T/man-keys"
sed -nE 's/^[[:space:]]*\{ "([a-z_]+)", SET_[A-Z_]+, [a-z_]+ \},?$/\1/p' \
	"$ROOT/daemon/config_schema.c" "$ROOT/daemon/config_model.c" | sort -u >"$T/schema-keys"
[ "$(wc -l <"$T/schema-keys")" -ge 15 ] || { cat "$T/schema-keys"; fail "could not read the schema's keys"; }
diff -u "$T/schema-keys" "$T/man-keys" || fail "lmgrantd.yaml(5) keys differ from the schema (- schema, + man)"

# What man -l shows: every command and every key, rendered.
mandoc -T ascii "$MAN8" | sed "s/.\x08//g" >"$T/man8.txt"
mandoc -T ascii "$MAN5" | sed "s/.\x08//g" >"$T/man5.txt"
while read -r cmd; do grep -qE "^ +$cmd( |$)" "$T/man8.txt" || fail "$cmd not shown by lmgrantd(8)"; done <"$T/help-commands"
while read -r key; do grep -qE "^ +$key( |$)" "$T/man5.txt" || fail "$key not shown by lmgrantd.yaml(5)"; done <"$T/schema-keys"
for section in "EXIT STATUS" SIGNALS FILES ENVIRONMENT EXAMPLES; do
	grep -q "^$section" "$T/man8.txt" || fail "lmgrantd(8) has no $section section"
done
grep -q "^ *64 " "$T/man8.txt" || fail "lmgrantd(8) does not list exit code 64"
echo "ok ($(wc -l <"$T/help-commands") commands, $(wc -l <"$T/schema-keys") keys)"
