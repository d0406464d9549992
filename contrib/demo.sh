#!/usr/bin/env bash
# make demo: starts the built-in AWS emulator on the demo organization and
# shows lmgrantd converging conf/lmgrantd.yaml: plan -> apply (creates) ->
# apply (activations, once AWS's workflow has run) -> plan in sync.
# The emulator is stopped on exit, Ctrl-C included.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
PYTHON=${PYTHON:-python3}
tmp=$(mktemp -d /tmp/lmgrantd-demo.XXXXXX)
emu_pid=""
stop() {
	[ -z "$emu_pid" ] || kill "$emu_pid" 2>/dev/null || true
	[ -z "$emu_pid" ] || wait "$emu_pid" 2>/dev/null || true
	rm -rf "$tmp"
}
trap stop EXIT
trap 'exit 130' INT TERM

"$PYTHON" contrib/aws-emulator/emulator.py --fixture contrib/aws-emulator/fixtures/demo.json \
	--port 0 --port-file "$tmp/port" --workflow-delay 1 --log "$tmp/emulator.log" 2>"$tmp/emulator.err" &
emu_pid=$!
for _ in $(seq 100); do [ -s "$tmp/port" ] && break; sleep 0.1; done
[ -s "$tmp/port" ] || { cat "$tmp/emulator.err"; echo "emulator did not start" >&2; exit 1; }
url="http://127.0.0.1:$(cat "$tmp/port")"
export AWS_ENDPOINT_URL_LICENSE_MANAGER=$url AWS_ENDPOINT_URL_ORGANIZATIONS=$url AWS_ENDPOINT_URL_STS=$url
export AWS_ACCESS_KEY_ID=AKIAEMULATORADMIN001
export AWS_SECRET_ACCESS_KEY=emulatorSecretKey/ForTestsOnly0000000001
unset AWS_SESSION_TOKEN AWS_PROFILE AWS_ENDPOINT_URL
install -m 0600 conf/lmgrantd.yaml "$tmp/lmgrantd.yaml"
lmg() { "$BUILD/lmgrantd" --log stderr -c "$tmp/lmgrantd.yaml" "$@"; }
step() { printf '\n\033[1m$ lmgrantd %s\033[0m   # %s\n' "$1" "$2"; }

echo "AWS emulator on $url (organization o-exampleorg1, 3 Bedrock licenses, no grants)"
echo "config: conf/lmgrantd.yaml"
step plan "what would change?"
lmg plan || [ $? -eq 2 ]
step apply "create the grants"
lmg apply
echo "(waiting for License Manager's workflow to make the new grants DISABLED)"
sleep 1.5
step apply "activate them"
lmg apply
sleep 1.5
step plan "anything left?"
lmg plan
echo
echo "Converged. Grants now in the emulator:"
"$PYTHON" contrib/aws-emulator/emuctl.py --port-file "$tmp/port" state |
	jq -r '.grants[] | select(.parent_arn == .license_arn) | "  \(.status)\t\(.name)\t\(.principal)"'
