#!/usr/bin/env bash
# Sets everything up (scripts/setup.sh), then compiles the three-layer CNN of
# examples/cnn.net and shows what netc made of it.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$root/scripts/setup.sh"
netc="$root/build/bin/netc"
model="$root/examples/cnn.net"

echo "== $model"
cat "$model"
echo "== netc $model --emit=nn"
"$netc" "$model" --emit=nn
