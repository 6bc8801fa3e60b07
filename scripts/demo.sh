#!/usr/bin/env bash
# The main job: sets up, builds, then assembles a sample NPU program, shows
# what is inside the binary, and runs it on the simulated NPU.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/setup.sh"
"$root/scripts/build.sh"
bin=${STRATA_BUILD_DIR:-$root/build}/bin
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

echo "== strata asm examples/asm/gemm_softmax.s"
"$bin/strata" asm "$root/examples/asm/gemm_softmax.s" -o "$out/gemm_softmax.npubin"
echo "== strata objdump"
"$bin/strata" objdump "$out/gemm_softmax.npubin"
echo "== strata sim"
"$bin/strata" sim "$out/gemm_softmax.npubin" --dump "probs=$out/probs.bin" \
  --stats "$out/stats.json" --trace "$out/trace.json"
python3 - "$out/probs.bin" <<'PY'
import struct, sys
data = open(sys.argv[1], 'rb').read()
vals = struct.unpack('<%df' % (len(data) // 4), data)
print("probs row 0:", " ".join("%.4f" % v for v in vals[:16]))
PY
