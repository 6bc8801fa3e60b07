//===- VecQuant.cpp - Symmetric quantisation and dequantisation -----------===//
//
// VQuantize, per group of `groupCols` columns of a row (the whole row when
// aux2 == 0), qmax = 127 (i8) or 7 (i4):
//   amax = max |x| over the group (NaN elements ignored);
//   d    = amax / qmax, rounded to the scale type, written to y[i][group];
//   q    = clamp(round_half_even(x * (qmax / amax)), -qmax, qmax), with the
//          multiplier qmax / amax an FP32 value from the unrounded amax;
//          q = 0 when amax == 0, and for NaN x.
// VDequantize: out = float(x) * float(y[i][j / groupCols]).
//
//===----------------------------------------------------------------------===//

#include "VecOps.h"

#include <cmath>

namespace strata::sim::func::detail {

void runQuantize(const VecContext &c) {
  const VecLayout &l = c.l;
  const size_t cols = l.cols, gc = l.groupCols, groups = cols / gc;
  const int32_t qmax = l.out.type == DType::I8 ? 127 : 7;
  const float qmaxF = float(qmax);
  std::vector<float> x(cols), d(groups);
  std::vector<int32_t> q(cols);
  for (size_t i = 0; i < l.rows; ++i) {
    c.loadX(i, x.data());
    for (size_t gi = 0; gi < groups; ++gi) {
      const size_t j0 = gi * gc;
      float amax = 0.0f;
      for (size_t j = j0; j < j0 + gc; ++j) {
        float a = std::fabs(x[j]);
        amax = a > amax ? a : amax;
      }
      d[gi] = amax / qmaxF;
      if (amax == 0.0f) {
        std::fill(q.begin() + j0, q.begin() + j0 + gc, 0);
        continue;
      }
      const float mult = qmaxF / amax;
      for (size_t j = j0; j < j0 + gc; ++j)
        q[j] = roundToInt(x[j] * mult, -qmax, qmax);
    }
    storeFromInt32(l.out.type, q.data(), cols, c.out, l.out.index(i, 0));
    storeFromFloat(l.y->type, d.data(), groups, c.yOut, l.y->index(i, 0));
  }
}

void runDequantize(const VecContext &c) {
  const VecLayout &l = c.l;
  const size_t cols = l.cols, gc = l.groupCols, groups = cols / gc;
  std::vector<float> x(cols), d(groups);
  for (size_t i = 0; i < l.rows; ++i) {
    c.loadX(i, x.data());
    loadAsFloat(l.y->type, c.y, l.y->index(i, 0), groups, d.data());
    for (size_t j = 0; j < cols; ++j)
      x[j] = x[j] * d[j / gc];
    c.storeOut(i, x.data());
  }
}

} // namespace strata::sim::func::detail
