#!/usr/bin/env bash
# Sets everything up (scripts/setup.sh), then runs the whole test suite: the lit
# tests under tests/lit and the GoogleTest unit tests. Prints one summary line
# and exits non-zero if any test fails.
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$root/scripts/setup.sh" || { echo "test: setup or build failed"; exit 1; }

export PATH="$root/build/bin:/usr/lib/llvm-19/bin:$PATH"
status=0

echo "== lit tests"
lit_out=$(mktemp)
/usr/bin/python3 /usr/lib/llvm-19/build/utils/lit/lit.py -sv "$root/build/tests/lit" | tee "$lit_out"
[ "${PIPESTATUS[0]}" = 0 ] || status=1
lit_pass=$(grep -Eo 'Passed *: *[0-9]+' "$lit_out" | grep -Eo '[0-9]+$' || echo 0)
lit_fail=$(grep -Eo 'Failed *: *[0-9]+' "$lit_out" | grep -Eo '[0-9]+$' || echo 0)
rm -f "$lit_out"

echo "== unit tests"
unit_out=$(mktemp)
"$root/build/bin/netc-unittests" --gtest_brief=1 | tee "$unit_out"
[ "${PIPESTATUS[0]}" = 0 ] || status=1
unit_pass=$(grep -Eo 'PASSED.*\] [0-9]+' "$unit_out" | grep -Eo '[0-9]+$' || echo 0)
unit_fail=$(grep -Eo 'FAILED.*\] [0-9]+' "$unit_out" | grep -Eo '[0-9]+$' | head -1 || echo 0)
rm -f "$unit_out"

verdict=PASS
[ "$status" = 0 ] || verdict=FAIL
echo "== summary: $verdict: lit ${lit_pass:-0} passed, ${lit_fail:-0} failed; unit ${unit_pass:-0} passed, ${unit_fail:-0} failed"
exit "$status"
