# Scenario 10: every broken config gives exit 1, an error naming file,
# line and column, and zero calls to the emulator.
source "$(dirname "$0")/lib.sh"
start_emulator "$DEMO_FIXTURE"
n=0
for f in "$ROOT"/tests/configs/bad/*.yaml; do
	cp "$f" "$T/bad.yaml"
	chmod 600 "$T/bad.yaml"
	for cmd in check plan apply; do
		expect_exit 1 lmg -c "$T/bad.yaml" $cmd
		first=$(head -1 "${f%.yaml}.expect")
		case "$first" in
		[0-9]*:[0-9]*:*) assert_contains "$T/err" "$T/bad.yaml:$first" ;;
		*) assert_contains "$T/err" "$first" ;;
		esac
	done
	n=$((n + 1))
done
assert_eq "$([ "$n" -ge 25 ] && echo yes)" yes "at least 25 broken configs ($n)"
assert_eq "$(emu calls --count)" 0 "calls made for broken configs"
echo "ok ($n configs)"
