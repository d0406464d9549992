# No include loop among the daemon's modules, and the credentials code
# (creds*) reaches no configuration header (tests/include-graph.py; also
# run by make lint). The checker itself must catch a loop and a creds ->
# config include in a made-up tree, so that a broken checker cannot pass.
source "$(dirname "$0")/lib.sh"
check="$PYTHON $ROOT/tests/include-graph.py"
expect_exit 0 $check "$ROOT/daemon"
assert_contains "$T/out" "no loop"

mkdir -p "$T/loop" "$T/creds"
printf '#include "b.h"\n' >"$T/loop/a.h"
printf '#include "a.h"\n' >"$T/loop/b_x.c"
printf '' >"$T/loop/b.h"
printf '#include "a.h"\n' >"$T/loop/b.c"
expect_exit 1 $check "$T/loop"
assert_contains "$T/err" "include loop among modules: a -> b -> a"

printf '#include "names.h"\n' >"$T/creds/creds.c"
printf '#include "config_check.h"\n' >"$T/creds/names.h"
printf '' >"$T/creds/config_check.h"
expect_exit 1 $check "$T/creds"
assert_contains "$T/err" "creds.c reaches config_check.h"
