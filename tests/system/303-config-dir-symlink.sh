# Issue 16 item 7: in a -c directory, a *.yaml symlink to a root-only file
# (/etc/shadow in the attack) is refused without being read, so none of
# its lines is quoted; an entry owned by another user is refused too; and
# an unknown key that does not look like a key is never echoed.
source "$(dirname "$0")/lib.sh"
export AWS_EC2_METADATA_DISABLED=true
mkdir -m 700 "$T/conf.d"
cat >"$T/conf.d/10-models.yaml" <<'YAML'
version: 1
models:
  claude:
    product: prod-4pmewlybdftbs
    organization: true
YAML
chmod 600 "$T/conf.d/10-models.yaml"
expect_exit 0 lmg -c "$T/conf.d" check

# A stand-in for /etc/shadow: root-only, lines that parse as YAML keys.
printf 'root:$y$j9T$SECRETHASHSECRETHASH:19000:0:99999:7:::\nadmin: SECRETVALUE\n' >"$T/shadow"
chmod 600 "$T/shadow"
ln -s "$T/shadow" "$T/conf.d/20-shadow.yaml"
expect_exit 1 lmg -c "$T/conf.d" check
assert_contains "$T/err" "$T/conf.d/20-shadow.yaml: refusing a symlink: a config directory holds regular files only"
if grep -qE 'SECRET|root:|admin' "$T/err" "$T/out"; then cat "$T/err"; fail "a line of the symlinked file was quoted"; fi
rm "$T/conf.d/20-shadow.yaml"

# An entry owned by another user (nobody) is refused, not read.
if [ "$(id -u)" = 0 ]; then # chown to another user needs root
	cp "$T/shadow" "$T/conf.d/30-foreign.yaml"
	chown nobody "$T/conf.d/30-foreign.yaml"
	expect_exit 1 lmg -c "$T/conf.d" check
	assert_contains "$T/err" "$T/conf.d/30-foreign.yaml: refusing a file owned by uid $(id -u nobody) (neither root nor the caller)"
	if grep -qE 'SECRET|root:' "$T/err"; then cat "$T/err"; fail "a line of the foreign file was quoted"; fi
	rm "$T/conf.d/30-foreign.yaml"
else
	echo "SKIP: the other-owner case needs root"
fi

# A group-writable entry: anyone in the group could decide who gets access.
cp "$T/conf.d/10-models.yaml" "$T/gw.yaml"
chmod 620 "$T/gw.yaml"
expect_exit 1 lmg -c "$T/gw.yaml" check
assert_contains "$T/err" "$T/gw.yaml: refusing a group-writable file: it decides who gets access"

# A regular file of ours with such lines: an error, and the line that is
# no key name is not repeated (a short word still is, for typos).
cp "$T/shadow" "$T/conf.d/40-pasted.yaml"
expect_exit 1 lmg -c "$T/conf.d" check
assert_contains "$T/err" "40-pasted.yaml:1:1: unknown key at the top level (50 bytes, not shown"
assert_contains "$T/err" "40-pasted.yaml:2:1: unknown key 'admin' at the top level"
if grep -q 'SECRETHASH' "$T/err"; then cat "$T/err"; fail "an unknown key that is no key name was echoed"; fi
echo ok
