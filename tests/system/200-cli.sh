# The command line's habits (issue 17, SPEC 1): every command listed by
# --help answers `COMMAND --help` with its own usage; an unknown option, an
# option the command does not take, a bad value, an unknown or missing
# command are usage errors, exit 64; --version names the version and the
# git commit built from; --state-dir overrides $STATE_DIRECTORY; a config
# directory's *.yml files are read. No emulator needed.
source "$(dirname "$0")/lib.sh"

expect_exit 0 "$LMGRANTD_BIN" --help
cp "$T/out" "$T/help"
assert_contains "$T/help" "usage: lmgrantd "
assert_contains "$T/help" "--state-dir DIR"
assert_contains "$T/help" "64 usage error"
# The command list: "  NAME [options]  summary" lines up to "--version".
commands=$(sed -n '2,/^  --version/p' "$T/help" | sed -nE 's/^  ([a-z]+)( .*)?$/\1/p')
assert_eq "$(echo "$commands" | sort | tr '\n' ' ')" "access apply check doctor history plan reload resume run status suspend whoami " "commands in --help"

for cmd in $commands; do
	line=$(grep -E "^  $cmd( |$)" "$T/help")
	# COMMAND --help: that command's usage only, on stdout, exit 0.
	expect_exit 0 "$LMGRANTD_BIN" "$cmd" --help
	assert_eq "$(head -1 "$T/out")" "usage: lmgrantd [global options] $(echo "$line" | sed -E 's/^  //; s/(\]|[a-z]) {2,}.*$/\1/')" "$cmd --help"
	if grep -q "^  [a-z]" "$T/out"; then
		grep -E "^  [a-z]+ " "$T/out" && fail "$cmd --help lists other commands"
	fi
	[ ! -s "$T/err" ] || fail "$cmd --help wrote to stderr"
	expect_exit 0 "$LMGRANTD_BIN" --help "$cmd"
	assert_eq "$(head -1 "$T/out")" "$(head -1 <<<"$("$LMGRANTD_BIN" "$cmd" --help)")" "--help $cmd"

	# An unknown option: usage error, with the command's usage on stderr.
	expect_exit 64 "$LMGRANTD_BIN" "$cmd" --no-such-option
	assert_contains "$T/err" "unknown option '--no-such-option'"
	assert_contains "$T/err" "usage: lmgrantd [global options] $cmd"
	[ ! -s "$T/out" ] || fail "$cmd: a usage error wrote to stdout"
	expect_exit 64 "$LMGRANTD_BIN" "$cmd" -Z
	expect_exit 64 "$LMGRANTD_BIN" "$cmd" extra-argument
	assert_contains "$T/err" "one command at a time"

	# Options the command does not take.
	case "$line" in
	*"[-o "*)
		formats=$(echo "$line" | sed -E 's/.*\[-o ([a-z|]+)\].*/\1/')
		expect_exit 64 "$LMGRANTD_BIN" "$cmd" -o yaml
		assert_contains "$T/err" "$cmd -o takes $formats, not 'yaml'"
		;;
	*)
		expect_exit 64 "$LMGRANTD_BIN" "$cmd" -o json
		assert_contains "$T/err" "$cmd does not take -o"
		expect_exit 64 "$LMGRANTD_BIN" -o text "$cmd"
		;;
	esac
	case "$line" in
	*"[--metrics "*) ;;
	*)
		expect_exit 64 "$LMGRANTD_BIN" "$cmd" --metrics "$T/m.prom"
		assert_contains "$T/err" "$cmd does not take --metrics"
		[ ! -e "$T/m.prom" ] || fail "$cmd wrote metrics"
		;;
	esac
	echo "$cmd: --help, unknown option and options not taken: ok"
done

# The two cases of the issue, and the other usage errors.
expect_exit 64 "$LMGRANTD_BIN" check -o json
expect_exit 64 "$LMGRANTD_BIN" check --metrics X
expect_exit 64 "$LMGRANTD_BIN" no-such-command
assert_contains "$T/err" "unknown command 'no-such-command'"
expect_exit 64 "$LMGRANTD_BIN"
assert_contains "$T/err" "no command given"
expect_exit 64 "$LMGRANTD_BIN" --log syslog check
assert_contains "$T/err" "--log takes auto, journal or stderr, not 'syslog'"
expect_exit 64 "$LMGRANTD_BIN" check -c
assert_contains "$T/err" "-c needs a value"

# --version: "lmgrantd VERSION (git COMMIT)", a commit of this repository
# when built from a git checkout.
expect_exit 0 "$LMGRANTD_BIN" --version
grep -Eq '^lmgrantd [0-9]+\.[0-9]+\.[0-9]+ \(git ([0-9a-f]{7,40}(-dirty)?|unknown)\)$' "$T/out" ||
	{ cat "$T/out"; fail "--version format"; }
commit=$(sed -nE 's/.*\(git ([0-9a-f]+)(-dirty)?\)$/\1/p' "$T/out")
if git -C "$ROOT" rev-parse --git-dir >/dev/null 2>&1; then
	[ -n "$commit" ] || fail "built in a git checkout, but --version names no commit"
	git -C "$ROOT" cat-file -e "$commit^{commit}" || fail "--version names $commit, not a commit here"
fi

# --state-dir overrides $STATE_DIRECTORY (SPEC 1).
mkdir -p "$T/env-state"
STATE_DIRECTORY=$T/env-state expect_exit 1 "$LMGRANTD_BIN" --state-dir "$T/flag-state" status
assert_contains "$T/err" "$T/flag-state/status.json"
STATE_DIRECTORY=$T/env-state expect_exit 1 "$LMGRANTD_BIN" status --state-dir "$T/flag-state"
assert_contains "$T/err" "$T/flag-state/status.json"

# A directory's *.yml files are read with the *.yaml ones.
mkdir -m 0755 "$T/conf.d"
printf 'version: 1\nmodels:\n  a:\n    product: prod-4pmewlybdftbs\n    organization: true\n' >"$T/conf.d/10-a.yml"
printf 'version: 1\nmodels:\n  b:\n    product: prod-5oba7y7jpji56\n    accounts: ["222222222222"]\n' >"$T/conf.d/20-b.yaml"
expect_exit 0 "$LMGRANTD_BIN" -v check -c "$T/conf.d"
assert_contains "$T/out" "OK (2 models in 2 files;"
echo ok
