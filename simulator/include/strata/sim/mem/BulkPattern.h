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

/// A pattern with its contiguous dimensions merged, so a dense tensor is
/// one run: for i2 < planes, i1 < rows, `runBytes` bytes at
/// base + i1*rowStride + i2*planeStride.
struct PatternRuns {
  uint64_t runBytes = 0;
  uint32_t rows = 1, planes = 1;
  uint64_t rowStride = 0, planeStride = 0;
  bool single() const { return rows == 1 && planes == 1; }
};

inline PatternRuns runsOf(const BulkPattern &p) {
  PatternRuns r{p.size[0], p.size[1], p.size[2], p.stride[0], p.stride[1]};
  if (r.rows > 1 && r.rowStride == r.runBytes) {
    r.runBytes *= r.rows;
    r.rowStride = r.runBytes;
    r.rows = 1;
  }
  if (r.rows == 1 && r.planes > 1 && r.planeStride == r.runBytes) {
    r.runBytes *= r.planes;
    r.planes = 1;
  }
  return r;
}

} // namespace strata::sim::mem
