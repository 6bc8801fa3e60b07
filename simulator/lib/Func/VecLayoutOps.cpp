//===- VecLayoutOps.cpp - VCopy and VTranspose ----------------------------===//
//
// Layout changes move element bits unchanged (out == in is checked), so a
// NaN payload or an i32 beyond 2^24 survives.
//
//===----------------------------------------------------------------------===//

#include "VecOps.h"

#include <algorithm>
#include <cstring>

namespace strata::sim::func::detail {

void runCopy(const VecContext &c) {
  const VecLayout &l = c.l;
  const Matrix &x = *l.x, &o = l.out;
  for (size_t i = 0; i < l.rows; ++i) {
    if (x.type != DType::I4) {
      const size_t bytes = l.cols * dtypeBits(x.type) / 8;
      const size_t eb = dtypeBits(x.type) / 8;
      std::memmove(c.out + o.index(i, 0) * eb, c.x + x.index(i, 0) * eb, bytes);
      continue;
    }
    // Rows of i4 start on a byte (ld even, or a single row): whole bytes,
    // then the odd last nibble alone.
    const uint8_t *src = c.x + x.index(i, 0) / 2;
    uint8_t *dst = c.out + o.index(i, 0) / 2;
    std::memmove(dst, src, l.cols / 2);
    if (l.cols % 2)
      storeI4(dst, l.cols - 1, loadI4(src, l.cols - 1));
  }
}

namespace {

/// out[j][i] = x[i][j] for elements of `Bytes` bytes, in cache-sized blocks.
template <size_t Bytes> void transposeBytes(const VecContext &c) {
  const VecLayout &l = c.l;
  const Matrix &x = *l.x, &o = l.out;
  constexpr size_t kBlock = 32;
  for (size_t i0 = 0; i0 < l.rows; i0 += kBlock)
    for (size_t j0 = 0; j0 < l.cols; j0 += kBlock) {
      const size_t i1 = std::min<size_t>(l.rows, i0 + kBlock);
      const size_t j1 = std::min<size_t>(l.cols, j0 + kBlock);
      for (size_t i = i0; i < i1; ++i)
        for (size_t j = j0; j < j1; ++j)
          std::memcpy(c.out + o.index(j, i) * Bytes, c.x + x.index(i, j) * Bytes, Bytes);
    }
}

} // namespace

void runTranspose(const VecContext &c) {
  switch (c.l.x->type) {
  case DType::I8: return transposeBytes<1>(c);
  case DType::F16:
  case DType::BF16: return transposeBytes<2>(c);
  case DType::I32:
  case DType::F32: return transposeBytes<4>(c);
  case DType::I4: {
    const VecLayout &l = c.l;
    for (size_t i = 0; i < l.rows; ++i)
      for (size_t j = 0; j < l.cols; ++j)
        storeI4(c.out, l.out.index(j, i), loadI4(c.x, l.x->index(i, j)));
    return;
  }
  }
}

} // namespace strata::sim::func::detail
