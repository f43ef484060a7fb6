#!/usr/bin/env bash
# Fuzzes netc with libFuzzer for SECONDS (default 600). TARGET picks what runs on
# every input (default frontend):
#   frontend  the .net frontend: parser, AST dump, import into nn, module verifier
#   passes    the import, then the pass pipelines of --emit=rf/opt/stats/dot/grad
#             (shape inference, receptive fields, dropout fusion, inference form,
#             autodiff, optimizer, the reports); a pass that leaves IR the verifier
#             rejects, or a pipeline that fails without an error, is a finding too
# Configures and builds netc-TARGET-fuzzer with clang-19, AddressSanitizer and
# UndefinedBehaviorSanitizer into build-fuzz/ (a build of its own; build/ is
# untouched), then runs it from fuzz/corpus-seed/ and
# tests/lit/frontend/fuzz-regressions/ with fuzz/net.dict. New inputs go to
# build-fuzz/corpus-TARGET/, reproducers of findings to build-fuzz/artifacts-TARGET/.
#
# Usage: scripts/fuzz.sh [SECONDS] [frontend|passes]
# Environment: NETC_FUZZ_JOBS  build parallelism (default: all cores)
#              NETC_FUZZ_ARGS  extra libFuzzer flags (e.g. -seed=1)
#
# Exits 0 when the run ends clean, non-zero on a bad command line (2), a build
# failure or on any crash, sanitizer report, leak, timeout (an input taking over
# 10 s) or out-of-memory, printing where the reproducer is.
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
seconds=${1:-600}
target=${2:-frontend}
if ! [[ "$seconds" =~ ^[0-9]+$ ]] || [ "$seconds" -eq 0 ] ||
  { [ "$target" != frontend ] && [ "$target" != passes ]; } || [ $# -gt 2 ]; then
  echo "usage: scripts/fuzz.sh [SECONDS] [frontend|passes]" >&2
  exit 2
fi

build="$root/build-fuzz"
fuzzer="$build/bin/netc-$target-fuzzer"
corpus="$build/corpus-$target"
artifacts="$build/artifacts-$target"
log="$build/fuzz-$target.log"

"$root/scripts/setup.sh" --no-build || { echo "fuzz: setup failed" >&2; exit 1; }

# ccache keys on paths relative to the checkout, so clones elsewhere share the cache.
export CCACHE_BASEDIR="$root"
export CCACHE_NOHASHDIR=1
if [ ! -f "$build/build.ninja" ]; then
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_C_COMPILER=clang-19 -DCMAKE_CXX_COMPILER=clang++-19 -DNETC_FUZZ=ON ||
    { echo "fuzz: configuring $build failed" >&2; exit 1; }
fi
ninja -C "$build" -j "${NETC_FUZZ_JOBS:-$(nproc)}" "netc-$target-fuzzer" ||
  { echo "fuzz: building the fuzzer failed" >&2; exit 1; }

mkdir -p "$corpus" "$artifacts"
# Findings of earlier runs stay in artifacts/; only new ones count for this run.
stamp=$(mktemp)
trap 'rm -f "$stamp"' EXIT

# Leaks are errors; any sanitizer report aborts with a stack trace and a reproducer.
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:symbolize=1:${ASAN_OPTIONS:-}"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:${UBSAN_OPTIONS:-}"

echo "fuzz: running $fuzzer for ${seconds}s (log: $log)"
# The first corpus folder receives new inputs; the seeds and regressions are only read.
# shellcheck disable=SC2086
"$fuzzer" "$corpus" "$root/fuzz/corpus-seed" "$root/tests/lit/frontend/fuzz-regressions" \
  -dict="$root/fuzz/net.dict" \
  -max_total_time="$seconds" \
  -timeout=10 \
  -rss_limit_mb=2048 \
  -detect_leaks=1 \
  -artifact_prefix="$artifacts/" \
  -print_final_stats=1 \
  ${NETC_FUZZ_ARGS:-} 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

mapfile -t found < <(find "$artifacts" -type f -newer "$stamp" | sort)
if [ "$status" != 0 ] || ((${#found[@]})); then
  echo "fuzz: FAILED (libFuzzer exit status $status); see $log"
  for f in "${found[@]}"; do
    echo "fuzz: reproducer: $f"
    echo "fuzz:   replay:   $fuzzer $f"
    echo "fuzz:   netc:     build/bin/netc $f"
  done
  exit 1
fi
echo "fuzz: PASS: ${seconds}s without a crash, leak or timeout; corpus in $corpus"
grep -E '^stat::number_of_executed_units|^#[0-9]+.*DONE' "$log" | tail -2
exit 0
