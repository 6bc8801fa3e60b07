//===- BulkPattern.h - A DMA descriptor's footprint in HBM -------*- C++ -*-===//
#pragma once

#include <cstdint>

namespace strata::sim::mem {

/// for i2 < size[2], i1 < size[1]: size[0] contiguous bytes at
/// base + i1*stride[0] + i2*stride[1] (the DMA descriptor's 3D shape).
struct BulkPattern {
  uint64_t base = 0;
  uint32_t size[3] = {0, 1, 1};
  uint64_t stride[2] = {0, 0};

  uint64_t totalBytes() const { return uint64_t(size[0]) * size[1] * size[2]; }
};

} // namespace strata::sim::mem
