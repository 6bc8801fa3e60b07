#!/usr/bin/env python3
"""`strata sim` end to end: assemble examples/asm/gemm_softmax.s, run it,
check the printed summary, the dumped probabilities against a plain Python
reference, the stats JSON and the Perfetto trace.

usage: strata_sim_cli_test.py STRATA SOURCE_DIR WORK_DIR
"""
import json
import math
import os
import struct
import subprocess
import sys


def fail(message):
    print("FAIL: " + message)
    sys.exit(1)


def run(cmd):
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    if p.returncode != 0:
        fail(f"{' '.join(cmd)} exited {p.returncode}\n{p.stdout}\n{p.stderr}")
    return p.stdout


def reference():
    # The example's constants: A[i][k] = ((16 i + k) mod 7 - 3) / 4 (8 x 16),
    # B[k][n] = ((k + 2 n) mod 5 - 2) / 8 (16 x 16); probs = softmax(A x B).
    a = [[((16 * i + k) % 7 - 3) / 4 for k in range(16)] for i in range(8)]
    b = [[((k + 2 * n) % 5 - 2) / 8 for n in range(16)] for k in range(16)]
    out = []
    for i in range(8):
        row = [sum(a[i][k] * b[k][n] for k in range(16)) for n in range(16)]
        m = max(row)
        e = [math.exp(x - m) for x in row]
        s = sum(e)
        out += [x / s for x in e]
    return out


def main():
    strata, source, work = sys.argv[1:4]
    os.makedirs(work, exist_ok=True)
    binary = os.path.join(work, "gemm_softmax.npubin")
    probs = os.path.join(work, "probs.bin")
    stats = os.path.join(work, "stats.json")
    trace = os.path.join(work, "trace.json")
    run([strata, "asm", os.path.join(source, "examples/asm/gemm_softmax.s"), "-o", binary])
    out = run([strata, "sim", binary, "--stats", stats, "--trace", trace,
               "--dump", "probs=" + probs])
    for key in ("cycles", "time", "energy", "utilisation", "HBM"):
        if key not in out:
            fail(f"summary lacks '{key}':\n{out}")

    got = struct.unpack("128f", open(probs, "rb").read())
    for i, (g, r) in enumerate(zip(got, reference())):
        if abs(g - r) > 1e-6 + 1e-5 * r:
            fail(f"probs[{i}] = {g}, reference {r}")

    s = json.load(open(stats))
    macs = s["stats"]["core0"]["tensor"]["macs_f16"]
    if macs["value"] != 8 * 16 * 16 or macs["unit"] != "MACs" or not macs["desc"]:
        fail(f"unexpected macs_f16 stat {macs}")
    if s["runs"][0]["cycles"] <= 0:
        fail("no cycles in the stats' run summary")

    t = json.load(open(trace))
    events = t["traceEvents"] if isinstance(t, dict) else t
    names = {e["name"] for e in events if e.get("ph") == "X"}
    for n in ("gemm", "vsoftmax", "dma.load", "dma.store"):
        if n not in names:
            fail(f"trace has no '{n}' slice")
    if not any(e.get("ph") == "C" for e in events):
        fail("trace has no counter track")

    # Another architecture: runs, with a warning naming both.
    p = subprocess.run([strata, "sim", binary, "--arch", "npu-edge", "--timing-only"],
                       capture_output=True, text=True, timeout=60)
    if p.returncode != 0 or "warning" not in p.stderr or "npu-edge" not in p.stderr:
        fail(f"--arch npu-edge: {p.returncode}\n{p.stdout}\n{p.stderr}")

    # A binary with resident weights: `load_weights` fills SRAM, `main` reads
    # it. Running `main` runs the loader first and says so.
    resident = os.path.join(work, "resident.s")
    with open(resident, "w") as f:
        f.write(""".region weights kind=weights addr=0x0 size=0x100
.region io kind=io addr=0x1000 size=0x100
.output y f32[4] addr=0x1000
.const w addr=0x0
    .f32 1.5, -2.0, 3.25, 0.5
.entry load_weights
.core 0
    dma.load src=hbm[0x0] dst=sram[0x200] size=16
    halt
.entry main
.core 0
    dma.store src=sram[0x200] dst=hbm[0x1000] size=16
    halt
""")
    resident_bin = os.path.join(work, "resident.npubin")
    run([strata, "asm", resident, "-o", resident_bin])
    y = os.path.join(work, "resident_y.bin")
    out = run([strata, "sim", resident_bin, "--entry", "main", "--dump", f"y={y}"])
    if "weights       kept in SRAM; 'load_weights' ran first" not in out:
        fail(f"no resident-weights line:\n{out}")
    got = struct.unpack("<4f", open(y, "rb").read())
    if list(got) != [1.5, -2.0, 3.25, 0.5]:
        fail(f"main did not see what load_weights put in SRAM: {got}")

    # Errors are diagnostics, not crashes.
    p = subprocess.run([strata, "sim", binary, "--entry", "nope"], capture_output=True,
                       text=True, timeout=60)
    if p.returncode == 0 or "no entry point 'nope'" not in p.stderr:
        fail(f"unknown entry not diagnosed: {p.returncode} {p.stderr}")
    print("1 passed, 0 failed")


if __name__ == "__main__":
    main()
