# Issue 16 item 8: `status` reads status.json with O_NOFOLLOW (a symlink
# planted there, to a root-only file, is refused and nothing of the target
# is printed), only when owned by root, the caller or the state
# directory's owner, and type-checks every member it prints: a missing or
# mistyped member is an error naming it, never "(null)".
source "$(dirname "$0")/lib.sh"
export AWS_EC2_METADATA_DISABLED=true
mkdir -p "$T/state"
export STATE_DIRECTORY=$T/state
good='{"version": 1, "pass": 3, "time": "2026-01-01T00:00:00Z", "duration_seconds": 1.5,
 "result": "in_sync", "changes": 0, "live_grants": 1, "counts": {},
 "models": {"claude": {"license_arn": null, "error": null, "grants": {"ACTIVE": 1}}},
 "last_error": null, "next_pass": "2026-01-01T01:00:00Z"}'
echo "$good" >"$T/state/status.json"
expect_exit 0 lmg status
assert_contains "$T/out" "last pass:  #3 at 2026-01-01T00:00:00Z, 1.5 s, in_sync (0 changes)"
assert_contains "$T/out" "model claude: ACTIVE=1"

# A symlink to a root-only file: refused, its content never shown.
printf '{"pass": 1, "last_error": "SECRET-SHADOW-LINE"}\n' >"$T/secret"
chmod 600 "$T/secret"
rm "$T/state/status.json"
ln -s "$T/secret" "$T/state/status.json"
for fmt in text json; do
	expect_exit 1 lmg status -o "$fmt"
	assert_contains "$T/err" "$T/state/status.json: is a symlink; refusing to follow it"
	if grep -q SECRET "$T/out" "$T/err"; then fail "status -o $fmt printed the symlink's target"; fi
done
rm "$T/state/status.json"

# Owned by another user (nobody), in a directory of ours.
if [ "$(id -u)" = 0 ]; then # chown to another user needs root
	echo "$good" >"$T/state/status.json"
	chown nobody "$T/state/status.json"
	expect_exit 1 lmg status
	assert_contains "$T/err" "owned by uid $(id -u nobody), neither root, the caller nor the state directory's owner"
	chown 0 "$T/state/status.json"
else
	echo "SKIP: the other-owner case needs root"
fi

# Missing or mistyped members: an error that names the member.
check_member() { # check_member JQ_EDIT MEMBER
	echo "$good" | jq "$1" >"$T/state/status.json"
	expect_exit 1 lmg status
	assert_contains "$T/err" "status.json: member '$2' is missing or of the wrong type"
	if grep -q '(null)' "$T/out" "$T/err"; then fail "status printed (null) for $2"; fi
}
check_member 'del(.time)' time
check_member 'del(.next_pass)' next_pass
check_member '.result = 7' result
check_member '.pass = "3"' pass
check_member '.duration_seconds = "slow"' duration_seconds
check_member '.last_error = 12' last_error
check_member '.models.claude.error = []' error
check_member '.models.claude.grants.ACTIVE = "1"' grants
check_member '.models = []' models
check_member '.models.claude = "x"' models
echo ok
