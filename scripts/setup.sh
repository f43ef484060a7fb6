#!/usr/bin/env bash
# Installs every Debian package netc needs (skipping those present), then
# configures and builds netc into build/. Safe to run again: it only does
# what is missing. Usage: scripts/setup.sh [--no-build]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

packages=(
  # build
  cmake ninja-build g++ ccache python3
  llvm-19-dev libmlir-19-dev mlir-19-tools llvm-19-tools
  libhalide14-0-dev libfmt-dev libgtest-dev nlohmann-json3-dev
  # fuzzing and sanitizers
  clang-19 libclang-rt-19-dev
  # PyTorch references for tests and benchmarks (OpenBLAS: without it torch's
  # linear layers fall back to the reference BLAS)
  python3-torch libopenblas0-pthread
  # torchvision's models: the parity tests of examples/resnet18.net and the others
  python3-torchvision
  # Graphviz: docs/user-guide.md renders --emit=dot, and its commands run as a test
  graphviz
  # ONNX import (onnx/): the ModelProto classes and protobuf; python3-onnx writes the test models
  libonnx-dev libprotobuf-dev python3-onnx
  # zlib's header: .npz tensor files compressed by np.savez_compressed (runtime/Zip.cpp)
  zlib1g-dev
  # the Python module (python/): pybind11's headers, NumPy arrays, python3-dev for Python.h
  pybind11-dev python3-dev python3-numpy
  # the digits tutorial and netc-data: scikit-learn ships the digits dataset
  python3-sklearn
  # bench/: PyTorch at its best, under whichever allocator is fastest on the machine
  libjemalloc2 libtcmalloc-minimal4
  # data-parallel training (runtime/Distributed): Open MPI's library and mpirun
  libopenmpi-dev openmpi-bin
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  sudo=()
  if [ "$(id -u)" != 0 ]; then sudo=(sudo); fi
  "${sudo[@]}" apt-get update -q
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

[ "${1:-}" = "--no-build" ] && exit 0

# ccache keys on paths relative to the checkout, so clones elsewhere share the cache.
export CCACHE_BASEDIR="$root"
export CCACHE_NOHASHDIR=1
if [ ! -f "$root/build/build.ninja" ]; then
  cmake -S "$root" -B "$root/build" -G Ninja -DCMAKE_BUILD_TYPE=Release
fi
ninja -C "$root/build"
