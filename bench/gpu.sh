#!/bin/sh
# GPU checks and benchmarks in two steps, for a GPU machine that has neither
# netc's build dependencies nor a network (the executables netc writes need
# only libc, libstdc++ and, when they run, the CUDA driver):
#
#   bench/gpu.sh prepare [DIR]   on the build machine: compiles every example and
#                                benchmark model twice into DIR (default
#                                build/gpu-check): for the CPU (AVX2, so that it
#                                runs on any x86-64 server) and for CUDA, and
#                                copies the scripts that the run step needs.
#   bench/gpu.sh run [DIR]       on the GPU machine (python3 with PyTorch and CUDA):
#                                runs each pair on the same seeded weights and
#                                inputs and compares outputs, losses and weights
#                                after 5 train steps (the CPU executables are the
#                                ones tests/e2e checks against PyTorch); then times
#                                netc's CUDA executables against PyTorch on the same
#                                GPU; writes DIR/RESULTS-gpu.md.
#
# NETC_GPU_TARGET overrides the CUDA target, NETC_GPU_SCHEDULE the schedule
# (hand, or li2018 for Halide's GPU autoscheduler).
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
STEP=${1:-}
DIR=${2:-$ROOT/build/gpu-check}
CPU_TARGET=x86-64-linux-avx-avx2-f16c-fma-sse41
GPU_TARGET=${NETC_GPU_TARGET:-$CPU_TARGET-cuda-cuda_capability_80}
SCHEDULE=${NETC_GPU_SCHEDULE:-hand}
MODELS="examples/mlp2.net examples/lenet.net examples/cnn.net examples/cnn_train.net
examples/residual.net examples/dropout2.net examples/foo.net examples/embedding.net
examples/mlpirate.net bench/models/cnn_train.net:cnn_train_1024 bench/models/resnet8.net"

case "$STEP" in
prepare)
  NETC=${NETC:-$ROOT/build/bin/netc}
  mkdir -p "$DIR"
  for entry in $MODELS; do
    src=${entry%%:*}
    name=$(basename "$src" .net)
    [ "$entry" != "$src" ] && name=${entry#*:}
    echo "== $name"
    "$NETC" "$ROOT/$src" --target=$CPU_TARGET -o "$DIR/${name}.cpu"
    "$NETC" "$ROOT/$src" --target=$GPU_TARGET --schedule=$SCHEDULE -o "$DIR/${name}.cuda"
  done
  cp "$ROOT/bench/gpu_bench.py" "$ROOT/bench/torch_models.py" \
     "$ROOT/tests/lit/cli/Inputs/safetensors_io.py" "$DIR/"
  printf '%s\n' "$GPU_TARGET" > "$DIR/target.txt"
  printf '%s\n' "$SCHEDULE" > "$DIR/schedule.txt"
  echo "prepared $DIR"
  ;;
run)
  exec python3 "$DIR/gpu_bench.py" --dir "$DIR"
  ;;
*)
  echo "usage: bench/gpu.sh prepare|run [DIR]" >&2
  exit 2
  ;;
esac
