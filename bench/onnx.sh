#!/bin/sh
# Builds netc (Release, in build-bench/), then times torchvision's models exported to ONNX
# (ResNet-18, MobileNetV2, SqueezeNet 1.1, VGG-11, AlexNet, ShuffleNetV2, EfficientNet-B0),
# compiled by netc, against PyTorch eager in the same run: forward at batch 1 and 8.
# Slow (the seven models at two batch sizes take about an hour on 2 cores); run it on a
# quiet machine. The table goes to stdout and build-bench/onnx/RESULTS.md.
#
#   bench/onnx.sh                                   every model
#   bench/onnx.sh --only resnet18 squeezenet1_1     some models
#   bench/onnx.sh --batches 1 --rounds 2            fewer measurements
#
# NETC_BENCH_BUILD picks another build folder, NETC_BENCH_JOBS the ninja jobs.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${NETC_BENCH_BUILD:-$ROOT/build-bench}
cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
CCACHE_BASEDIR=$ROOT ninja -C "$BUILD" -j"${NETC_BENCH_JOBS:-1}" netc >/dev/null
exec /usr/bin/python3 "$ROOT/bench/onnx_bench.py" --netc "$BUILD/bin/netc" \
  --work "$BUILD/onnx" --out "$BUILD/onnx/RESULTS.md" "$@"
