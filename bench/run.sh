#!/bin/sh
# Builds netc (Release, in build-bench/), then times every benchmark model
# compiled by netc against the same model in PyTorch and writes
# bench/RESULTS.md and bench/ratios.svg. Run it on a quiet machine.
#
#   bench/run.sh                      everything (about 15 minutes on 2 cores)
#   bench/run.sh --only cnn resnet8   some models (RESULTS.md then holds only those)
#   bench/run.sh --rounds 3           fewer alternating rounds
#
# NETC_BENCH_BUILD picks another build folder, NETC_BENCH_JOBS the ninja jobs.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${NETC_BENCH_BUILD:-$ROOT/build-bench}
cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
CCACHE_BASEDIR=$ROOT ninja -C "$BUILD" -j"${NETC_BENCH_JOBS:-1}" netc >/dev/null
exec /usr/bin/python3 "$ROOT/bench/bench.py" --netc "$BUILD/bin/netc" --work "$BUILD/bench" "$@"
