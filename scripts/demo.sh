#!/usr/bin/env bash
# Sets everything up (scripts/setup.sh), then follows the three-layer CNN of
# examples/cnn.net through netc: its shapes, the receptive field of every
# layer, a native executable and a run of it; then trains examples/mlp2.net.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$root/scripts/setup.sh"
netc="$root/build/bin/netc"
out="$root/build/demo"
mkdir -p "$out"

echo "== examples/cnn.net"
cat "$root/examples/cnn.net"
echo
echo "== netc examples/cnn.net --emit=nn     (shapes inferred by netc)"
"$netc" "$root/examples/cnn.net" --emit=nn | grep -E "nn\.|return" | sed 's/nn.init = {[^}]*}, //g'
echo
echo "== netc examples/cnn.net --emit=rf     (receptive field of every layer)"
"$netc" "$root/examples/cnn.net" --emit=rf
echo
echo "== netc examples/cnn.net -o build/demo/cnn   (a native executable, via Halide)"
time "$netc" "$root/examples/cnn.net" -o "$out/cnn"
echo
echo "== build/demo/cnn   (seeded weights and input)"
"$out/cnn"
echo
echo "== build/demo/cnn --bench 5 --json"
"$out/cnn" --bench 5 --json
echo
echo "== netc examples/mlp2.net -o build/demo/mlp2 && build/demo/mlp2 --train --steps 200"
"$netc" "$root/examples/mlp2.net" -o "$out/mlp2"
"$out/mlp2" --train --steps 200 | tail -n 3
