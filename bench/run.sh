#!/bin/sh
# Builds netc (Release, in build-bench/), then times every benchmark model
# compiled by netc against the same model in PyTorch and writes
# bench/RESULTS.md and bench/ratios.svg. Run it on a quiet machine.
#
#   bench/run.sh                      everything (about 15 minutes on 2 cores)
#   bench/run.sh --only cnn resnet8   some models (RESULTS.md then holds only those)
#   bench/run.sh --rounds 3           fewer alternating rounds
#   bench/run.sh --baseline HEAD~1    also times every model compiled by the netc of
#                                     that git revision (built in build-bench/baseline/),
#                                     in the same rounds: the column "netc / baseline"
#
# NETC_BENCH_BUILD picks another build folder, NETC_BENCH_JOBS the ninja jobs.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${NETC_BENCH_BUILD:-$ROOT/build-bench}
cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
CCACHE_BASEDIR=$ROOT ninja -C "$BUILD" -j"${NETC_BENCH_JOBS:-1}" netc >/dev/null
# --baseline REV: a clean copy of that revision, built beside this one.
args=""
while [ $# -gt 0 ]; do
  if [ "$1" = "--baseline" ] && [ $# -ge 2 ]; then
    BASE=$BUILD/baseline
    rm -rf "$BASE" && mkdir -p "$BASE/src"
    git -C "$ROOT" archive "$2" | tar -x -C "$BASE/src"
    cmake -S "$BASE/src" -B "$BASE/src/build" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
    CCACHE_BASEDIR=$BASE/src ninja -C "$BASE/src/build" -j"${NETC_BENCH_JOBS:-1}" netc >/dev/null
    args="$args --baseline $BASE/src/build/bin/netc"
    shift 2
  else
    args="$args $1"
    shift
  fi
done
# shellcheck disable=SC2086 # the arguments are words without spaces
exec /usr/bin/python3 "$ROOT/bench/bench.py" --netc "$BUILD/bin/netc" --work "$BUILD/bench" $args
