#!/bin/bash
# Prints every example as .net (netc --emit=net), compiles the printed source
# back and compares its IR (--emit=nn, which prints no locations) with the
# example's own. Usage: emit-net-roundtrip.sh EXAMPLES_DIR WORK_DIR
set -u
examples=$1
work=$2
mkdir -p "$work"
status=0
# Sizes that keep the big image models quick; the printed source has them
# folded into its shapes, so only the original takes -D.
declare -A sizes=(
  [resnet18]="-D B=2 -D H=32 -D CLASSES=10"
  [mobilenet_v2]="-D B=2 -D H=32 -D CLASSES=10"
  [efficientnet_b0]="-D B=2 -D H=32 -D CLASSES=10"
  [unet]="-D H=32"
  [dcgan]="-D B=4 -D G=8 -D D=8"
)
for file in "$examples"/*.net; do
  name=$(basename "$file" .net)
  flags=${sizes[$name]:-}
  # shellcheck disable=SC2086
  if ! netc "$file" $flags --emit=net -o "$work/$name.net"; then
    echo "FAIL $name: --emit=net failed"
    status=1
    continue
  fi
  # shellcheck disable=SC2086
  netc "$file" $flags --emit=nn -o "$work/$name.orig.mlir"
  if ! netc "$work/$name.net" --emit=nn -o "$work/$name.back.mlir"; then
    echo "FAIL $name: the printed source does not compile"
    status=1
    continue
  fi
  if ! diff -q "$work/$name.orig.mlir" "$work/$name.back.mlir" > /dev/null; then
    echo "FAIL $name: the IR differs"
    diff "$work/$name.orig.mlir" "$work/$name.back.mlir" | head -8
    status=1
    continue
  fi
  echo "ok $name"
done
exit $status
