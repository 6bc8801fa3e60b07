//===- GemmPack.h - Packing Gemm operands into kernel panels ----*- C++ -*-===//
//
// The micro-kernels read B as NR-wide strips and A as MR-tall slivers:
//   float B panel: [strip s][k][NR] FP32, strip s holding columns n0+s*NR..
//   int   B panel: [strip s][pair p][NR][2] int16, pair p = k 2p and 2p+1
//   float A sliver: [k][MR];  int A sliver: [pair][MR][2]
// Columns past nc and the second half of a last odd pair are zero, so
// padded lanes add exact zeros (and are never stored). Packing only converts
// and moves values: each element's FP32 or int16 value is exact.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "Layout.h"

#include <cstddef>
#include <cstdint>

namespace strata::sim::func::detail {

/// Where B's elements are: element (k, n) is trans ? n*ld + k : k*ld + n.
struct PanelSource {
  const uint8_t *base = nullptr;
  DType type = DType::F32;
  uint64_t ld = 0;
  bool trans = false;
  uint64_t index(size_t k, size_t n) const { return trans ? n * ld + k : k * ld + n; }
};

using PackBF32 = void (*)(const PanelSource &b, size_t k0, size_t kc, size_t n0, size_t nc,
                          float *panel);
using PackBI16 = void (*)(const PanelSource &b, size_t k0, size_t kc, size_t n0, size_t nc,
                          int16_t *panel);

/// Portable packers for strips of `nr` columns.
void packBF32Portable(const PanelSource &b, size_t k0, size_t kc, size_t n0, size_t nc,
                      unsigned nr, float *panel);
void packBI16Portable(const PanelSource &b, size_t k0, size_t kc, size_t n0, size_t nc,
                      unsigned nr, int16_t *panel);

/// A slivers (rows m0..m0+rows of A, k0..k0+kc), shared by every path.
void packAF32(const Matrix &a, const uint8_t *base, size_t m0, size_t rows, size_t k0,
              size_t kc, unsigned mr, float *sliver);
void packAI16(const Matrix &a, const uint8_t *base, size_t m0, size_t rows, size_t k0,
              size_t kc, unsigned mr, int16_t *sliver);

#if defined(__x86_64__) && defined(__GNUC__)
/// AVX2 packers for 16-column strips: F16/BF16/F32 (float) and I8 (int)
/// sources directly, other types through the portable packers.
void packBF32Avx2(const PanelSource &b, size_t k0, size_t kc, size_t n0, size_t nc,
                  float *panel);
void packBI16Avx2(const PanelSource &b, size_t k0, size_t kc, size_t n0, size_t nc,
                  int16_t *panel);
#endif

} // namespace strata::sim::func::detail
