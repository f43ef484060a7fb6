#!/bin/sh
# One prepared run on a machine with an NVIDIA GPU (a few minutes):
#   1. builds netc (scripts/setup.sh: Debian packages, then build/),
#   2. runs the PyTorch parity checks of tests/e2e with code generated for
#      --target=host-cuda (every case of run_parity.py),
#   3. benchmarks forward and train step of the three-layer CNN at 1x3x1024x1024
#      and at batch 16, and of the residual network (bench/models/resnet8.net),
#      netc's CUDA executables against PyTorch on the same GPU, alternating,
#   4. writes bench/RESULTS-gpu.md.
# NETC_GPU_TARGET overrides the target (default host-cuda); NETC_GPU_SCHEDULE
# the schedule (hand, or li2018 for Halide's GPU autoscheduler).
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
TARGET=${NETC_GPU_TARGET:-host-cuda}
SCHEDULE=${NETC_GPU_SCHEDULE:-hand}
WORK=$ROOT/build/bench-gpu
"$ROOT/scripts/setup.sh"
mkdir -p "$WORK"
NETC=$ROOT/build/bin/netc

echo "== parity with PyTorch on $TARGET ($SCHEDULE schedule)"
PARITY=$WORK/parity.txt
: > "$PARITY"
status=0
for case in $(/usr/bin/python3 -c "import sys; sys.path.insert(0, '$ROOT/tests/e2e'); import run_parity; print(' '.join(sorted(run_parity.CASES)))"); do
  if /usr/bin/python3 -B "$ROOT/tests/e2e/run_parity.py" "$case" --work "$WORK/parity-$case" \
      --netc "$NETC" --netc-flag="--target=$TARGET" --netc-flag="--schedule=$SCHEDULE" \
      > "$WORK/parity-$case.log" 2>&1; then
    echo "$case PASS" | tee -a "$PARITY"
  else
    echo "$case FAIL (see $WORK/parity-$case.log)" | tee -a "$PARITY"
    status=1
  fi
done

echo "== benchmarks"
/usr/bin/python3 "$ROOT/bench/gpu_bench.py" --netc "$NETC" --work "$WORK" --target "$TARGET" \
  --schedule "$SCHEDULE" --parity "$PARITY" --out "$ROOT/bench/RESULTS-gpu.md"
echo "wrote bench/RESULTS-gpu.md"
exit $status
