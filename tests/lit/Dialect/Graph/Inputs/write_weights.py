"""Writes the small weight files quantize-files.mlir reads.

PREFIX.f32   2x4 f32: [1, -0.5, 0.25, 0] and a zero row
PREFIX.f16   2x4 f16: the same values
PREFIX.q8_0  1x32 as one q8_0 block: scale 0.5, q = -16 .. 15
PREFIX.q4_0  1x32 as one q4_0 block: scale 0.25, nibbles 0 .. 15 twice
"""
import struct
import sys

prefix = sys.argv[1]
values = [1.0, -0.5, 0.25, 0.0, 0.0, 0.0, 0.0, 0.0]
with open(prefix + ".f32", "wb") as f:
    f.write(struct.pack("<8f", *values))
with open(prefix + ".f16", "wb") as f:
    f.write(struct.pack("<8e", *values))
with open(prefix + ".q8_0", "wb") as f:
    f.write(struct.pack("<e32b", 0.5, *range(-16, 16)))
with open(prefix + ".q4_0", "wb") as f:
    # Byte j holds element j (low nibble) and element j + 16 (high nibble).
    f.write(struct.pack("<e", 0.25) + bytes((j & 0xF) | ((15 - j) << 4) for j in range(16)))
