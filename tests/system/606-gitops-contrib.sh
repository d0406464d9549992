# contrib/gitops/: `systemd-analyze verify` passes on every unit there
# (lmgrantd's paths pointed at /bin/true, as in 020: the binary is not
# installed on a build machine), and the CI example's `run:` steps (all
# but `build`) run against the emulator: `check` offline, `plan -o
# markdown`, and the comment posted (gh stubbed) holds the plan.
source "$(dirname "$0")/lib.sh"
G=$ROOT/contrib/gitops
for f in lmgrantd-git-sync.service lmgrantd-git-sync.timer lmgrantd-reload.path lmgrantd-reload.service \
	lmgrantd-plan.yml plan-readonly-policy.json; do
	[ -f "$G/$f" ] || fail "missing contrib/gitops/$f"
done
jq -e '.Statement[0].Action | all(test("^(license-manager|organizations|sts):(List|Get|Describe)"))' \
	"$G/plan-readonly-policy.json" >/dev/null || fail "the plan policy allows more than reads"

# --- systemd-analyze verify ---
mkdir "$T/units"
for u in "$G"/*.service "$G"/*.timer "$G"/*.path "$ROOT/systemd/lmgrantd.service"; do
	sed -E 's#^(Exec[A-Za-z]*=)/usr/local/bin/lmgrantd .*#\1/bin/true#' "$u" >"$T/units/$(basename "$u")"
done
for u in "$T"/units/lmgrantd-*; do
	if ! systemd-analyze --no-pager verify "$u" >"$T/verify" 2>&1 || [ -s "$T/verify" ]; then
		cat "$T/verify" >&2
		fail "systemd-analyze verify $(basename "$u")"
	fi
done
grep -q '^ExecStart=/usr/local/bin/lmgrantd .*reload$' "$G/lmgrantd-reload.service" || fail "the .path unit's service does not run lmgrantd reload"
grep -q '^Unit=lmgrantd-reload.service$' "$G/lmgrantd-reload.path" || fail "the .path unit does not start lmgrantd-reload.service"
grep -q 'pull --ff-only' "$G/lmgrantd-git-sync.service" || fail "git sync is not fast-forward only"

# --- the CI example's commands ---
start_emulator "$DEMO_FIXTURE"
mkdir -p "$T/repo/lmgrantd" "$T/bin" "$T/runner"
cat >"$T/repo/lmgrantd/models.yaml" <<'YAML'
version: 1
models:
  claude:
    product: prod-4pmewlybdftbs
    accounts: ["222222222222"]
YAML
ln -s "$LMGRANTD_BIN" "$T/bin/lmgrantd"
# gh: keeps the comment; --edit-last fails as on a pull request with none yet.
cat >"$T/bin/gh" <<'SH'
#!/bin/sh
echo "$*" >>"$GH_LOG"
case "$*" in *--edit-last*) exit 1 ;; esac
while [ $# -gt 0 ]; do [ "$1" = --body-file ] && cp "$2" "$GH_COMMENT"; shift; done
SH
chmod 755 "$T/bin/gh"
# The run: steps as one script per step; ${{ }} values as GitHub would give them.
"$PYTHON" - "$G/lmgrantd-plan.yml" "$T/steps" <<'PY'
import os, re, sys, yaml
wf = yaml.safe_load(open(sys.argv[1]))
values = {"github.token": "ghs_fake", "github.event.pull_request.number": "42",
          "vars.LMGRANTD_SOURCE": "unused"}
os.makedirs(sys.argv[2])
def value(v):
    m = re.fullmatch(r"\$\{\{\s*([^}]+?)\s*\}\}", str(v))
    if not m:
        return str(v)
    key = m.group(1)
    if key.startswith("steps."):
        _, step, _, name = key.split(".")
        return "$(sed -n 's/^%s=//p' \"$GITHUB_OUTPUT\" | tail -1)" % name
    return values[key]
n = 0
for job in wf["jobs"].values():
    for step in job["steps"]:
        if "run" not in step or step.get("id") == "build":
            continue
        n += 1
        with open("%s/%02d-%s.sh" % (sys.argv[2], n, step.get("id", "step")), "w") as f:
            f.write("set -eo pipefail\n")
            for k, v in {**wf.get("env", {}), **step.get("env", {})}.items():
                f.write('export %s="%s"\n' % (k, value(v)))
            f.write(step["run"])
PY
ls "$T/steps" >"$T/step-list"
assert_eq "$(tr '\n' ' ' <"$T/step-list")" "01-check.sh 02-plan.sh 03-comment.sh 04-verdict.sh " "steps run"
export GITHUB_OUTPUT=$T/runner/output GH_LOG=$T/gh.log GH_COMMENT=$T/comment.md RUNNER_TEMP=$T/runner
for s in "$T"/steps/*.sh; do
	(cd "$T/repo" && PATH=$T/bin:$PATH bash "$s") >"$T/step.out" 2>&1 ||
		{ cat "$T/step.out"; fail "CI step $(basename "$s") failed"; }
	[ "$(basename "$s")" != 01-check.sh ] || assert_contains "$T/step.out" "OK (1 model in 1 file"
done
assert_eq "$(sed -n 's/^exit_code=//p' "$GITHUB_OUTPUT")" 2 "plan exit code (changes pending)"
head -1 "$T/comment.md" | grep -q '^### lmgrantd plan: 1 to create' || { cat "$T/comment.md"; fail "the posted comment is not the plan"; }
assert_contains "$T/gh.log" "pr comment 42 --body-file plan.md"

# A failing plan (no credentials): the comment says so and the verdict step fails.
rm -f "$GITHUB_OUTPUT" "$T/comment.md"
unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY
export AWS_EC2_METADATA_DISABLED=true AWS_SHARED_CREDENTIALS_FILE=$T/none AWS_CONFIG_FILE=$T/none
rc=0
for s in "$T"/steps/*.sh; do
	(cd "$T/repo" && PATH=$T/bin:$PATH bash "$s") >"$T/step.out" 2>&1 || { rc=1; break; }
done
assert_eq "$rc/$(basename "$s")" "1/04-verdict.sh" "the step that fails without credentials"
assert_contains "$T/comment.md" '```'
echo ok
