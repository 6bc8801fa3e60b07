#!/usr/bin/env bash
# The main job: sets up, builds, then compiles stories260K (from ../shared/models
# beside the checkout, or STRATA_MODEL) to an NPU binary and generates a story
# on the simulated NPU with a short report. Without the model it runs the
# hand-written sample program instead and says so.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/setup.sh"
"$root/scripts/build.sh"
bin=${STRATA_BUILD_DIR:-$root/build}/bin
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

model=${STRATA_MODEL:-$root/../shared/models/stories260K/stories260K.bin}
if [[ -f "$model" ]]; then
  echo "== strata compile $model"
  "$bin/strata" compile "$model" -o "$out/stories260K.npubin" --report "$out/compile.json"
  python3 - "$out/compile.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
print("   %s, precision %s, %.1f MB of constants, SRAM high water %d KiB, "
      "estimated DMA/compute overlap %.0f%%, compiled in %.2f s" % (
          r["arch"], r["precision"], r["constants_bytes"] / 1e6,
          r["sram_high_water_bytes"] // 1024, 100 * r.get("estimated_overlap", 0),
          r["compile_seconds"]))
PY
  echo "== strata run (greedy, as llama2.c: run stories260K.bin -z tok512.bin -t 0)"
  "$bin/strata" run "$out/stories260K.npubin" --prompt "Once upon a time" -n 200 \
    --report "$out/report.json"
  echo
  python3 - "$out/report.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
s = r["summary"]
print("== report: %d prompt + %d generated tokens, %.1f us simulated, ttft %.1f us, "
      "%.2f us/token, %.3f mJ, %.2f W average" % (
          s["prompt_tokens"], s["generated_tokens"], s["seconds"] * 1e6, s["ttft_s"] * 1e6,
          s["tpot_s"] * 1e6, s["energy_j"] * 1e3, s["avg_power_w"]))
print("   tensor cores %.1f%%, vector %.1f%%, DMA %.1f%%, HBM bandwidth %.1f%% of %.0f GB/s" % (
          100 * s["tensor_core_utilization"], 100 * s["vector_utilization"],
          100 * s["dma_utilization"], 100 * s["hbm_bandwidth_utilization"],
          r["hbm"]["peak_bytes_per_s"] / 1e9))
PY
  echo "   (full report: strata run ... --report FILE; docs/runtime.md)"
  exit 0
fi

echo "stories260K not found at $model: pass STRATA_MODEL=path/to/model.bin (a llama2.c"
echo "checkpoint with its tokenizer beside it, a GGUF file or a Hugging Face directory);"
echo "running the hand-written sample program instead."
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
