# Bash completion (issue 17): commands, global options, a command's own
# options, -o values and model names from the configuration, as bash would
# offer them (bash-completion's framework, package bash-completion).
source "$(dirname "$0")/lib.sh"
FRAMEWORK=/usr/share/bash-completion/bash_completion
[ -r "$FRAMEWORK" ] || fail "$FRAMEWORK not found: run ./contrib/install-deps.sh"
# The framework is not written for set -eu.
set +eu
source "$FRAMEWORK"
source "$ROOT/contrib/bash-completion/lmgrantd"
complete -p lmgrantd | grep -q -- '-F _lmgrantd' || fail "completion not registered"

# complete WORDS...: the completions of the last word, sorted, one line.
complete_words() {
	COMP_WORDS=("$LMGRANTD_BIN" "$@")
	COMP_CWORD=$#
	COMP_LINE="${COMP_WORDS[*]}"
	COMP_POINT=${#COMP_LINE}
	COMPREPLY=()
	_lmgrantd
	printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' ' | sed 's/ $//'
}

assert_eq "$(complete_words '')" "access apply check doctor history plan reload resume run status suspend whoami" "commands"
assert_eq "$(complete_words p)" "plan" "commands starting with p"
assert_eq "$(complete_words --st)" "--state-dir" "global options"
assert_eq "$(complete_words --log '')" "auto journal stderr" "--log values"
assert_eq "$(complete_words plan -o '')" "json markdown text" "plan -o values"
assert_eq "$(complete_words status -o '')" "json text" "status -o values"
assert_eq "$(complete_words reload --p)" "--pid --profile" "reload's own and global options"
assert_eq "$(complete_words -c /x plan --o)" "--output" "plan's own options"
assert_eq "$(complete_words run --m)" "--metrics" "run's own options"
assert_eq "$(complete_words check --m)" "" "check takes no --metrics"
assert_eq "$(complete_words check -o)" "" "check takes no -o"

# Model names: the keys under models:, from the -c file or directory.
cat >"$T/c.yaml" <<'EOF'
version: 1
models:
  # a comment
  anthropic.claude-sonnet-4-20250514-v1:0:
    ous: [Workloads/Prod]
    accounts: ["444444444444"]
  cohere-command-r:   # trailing comment
    product: prod-tukx4z3hrewle
    organization: true
other: 1
EOF
assert_eq "$(_lmgrantd_models "$T/c.yaml" | tr '\n' ' ')" "anthropic.claude-sonnet-4-20250514-v1:0 cohere-command-r " "models of a file"
mkdir "$T/d"
cp "$T/c.yaml" "$T/d/10-a.yaml"
printf 'version: 1\nmodels:\n    zz-model:\n        organization: true\n' >"$T/d/20-b.yml"
assert_eq "$(_lmgrantd_models "$T/d" | tr '\n' ' ')" "anthropic.claude-sonnet-4-20250514-v1:0 cohere-command-r zz-model " "models of a directory"
assert_eq "$(complete_words -c "$T/c.yaml" plan --model co)" "cohere-command-r" "--model from -c"
echo ok
