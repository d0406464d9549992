# Issue 16 item 1: plain http only to a loopback address. A host name that
# merely starts with "127." is refused from the URL's text, before any
# DNS lookup and before any connection; numeric 127.x, [::1] and
# localhost are accepted.
source "$(dirname "$0")/lib.sh"
start_emulator "$DEMO_FIXTURE"
export AWS_EC2_METADATA_DISABLED=true
write_config c.yaml <<'YAML'
version: 1
models:
  claude:
    product: prod-4pmewlybdftbs
    accounts: ["444444444444"]
YAML
port=$(cat "$T/port")

for host in 127.0.0.1.example.invalid 127.0.0.1.nip.io 127.attacker.invalid localhost.invalid; do
	emu reset-calls >/dev/null
	# strace (when installed) proves the refusal came before any socket:
	# no connect() at all, so no DNS query and no request.
	if command -v strace >/dev/null; then
		AWS_ENDPOINT_URL_LICENSE_MANAGER=http://$host:$port \
			expect_exit 1 strace -f -qq -e trace=connect -o "$T/strace" "$LMGRANTD_BIN" --log stderr -c "$T/c.yaml" plan
		if grep -q 'connect(' "$T/strace"; then cat "$T/strace"; fail "$host: a connection was attempted"; fi
	else
		AWS_ENDPOINT_URL_LICENSE_MANAGER=http://$host:$port expect_exit 1 lmg -c "$T/c.yaml" plan
	fi
	assert_contains "$T/err" "endpoint http://$host:$port: plain http is accepted only for loopback hosts"
	if grep -qi 'resolve' "$T/err"; then cat "$T/err"; fail "$host: a name lookup was attempted"; fi
	assert_eq "$(emu calls --count)" 0 "requests the emulator saw for $host"
	[ -s "$T/out" ] && { cat "$T/out"; fail "$host: plan printed a plan"; }
done

# What SPEC 3 accepts still works (curl resolves localhost itself).
for url in "http://127.0.0.1:$port" "http://localhost:$port"; do
	AWS_ENDPOINT_URL_LICENSE_MANAGER=$url expect_exit 2 lmg -c "$T/c.yaml" plan
	assert_contains "$T/out" "Plan: 1 to create"
done
echo ok
