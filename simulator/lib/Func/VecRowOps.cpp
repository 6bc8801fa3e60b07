//===- VecRowOps.cpp - Reductions, softmax, norms and RoPE ----------------===//
//
// Row operations, FP32, sums in increasing j starting at +0:
//   VReduceSum  out[i] = sum_j x[i][j]
//   VReduceMax  out[i] = NaN-propagating max
//   VArgmax     out[i] = first j holding the maximum; a NaN counts as the
//               maximum, so the first NaN wins
//   VSoftmax    z_j = fimm * x_j for the unmasked j (with causal: j <= aux + i);
//               mx = max z; e_j = exp(z_j - mx); s = sum e_j;
//               out_j = e_j / s; masked j -> 0. Column 0 is never masked.
//   VRmsNorm    inv = 1 / sqrt(sum_j x_j^2 / cols + eps);
//               out_j = gamma_j * (x_j * inv)
//   VLayerNorm  mean = sum_j x_j / cols; var = sum_j (x_j - mean)^2 / cols;
//               inv = 1 / sqrt(var + eps);
//               out_j = ((x_j - mean) * inv) * gamma_j + beta_j
//   VRope       pos = aux + i (as FP32); for each head and m < aux2/2:
//               f_m = 1 / pow(theta, 2m / aux2); a = pos * f_m;
//               (u, v) -> (u cos a - v sin a, u sin a + v cos a) on the pair
//               (2m, 2m+1), or (m, m + aux2/2) with ropeHalf.
//
//===----------------------------------------------------------------------===//

#include "Activation.h"
#include "VecOps.h"

#include "strata/sim/func/ExpRow.h"

#include <cmath>
#include <cstring>
#include <vector>

#if defined(__SSE2__)
#include <immintrin.h>
#endif

namespace strata::sim::func::detail {

void runReduction(const VecContext &c) {
  const VecLayout &l = c.l;
  const size_t cols = l.cols;
  std::vector<float> x(cols);
  for (size_t i = 0; i < l.rows; ++i) {
    c.loadX(i, x.data());
    if (c.instr.op == isa::Opcode::VArgmax) {
      int32_t best = 0;
      float m = x[0];
      for (size_t j = 1; j < cols && !std::isnan(m); ++j)
        if (x[j] > m || std::isnan(x[j])) {
          m = x[j];
          best = int32_t(j);
        }
      storeFromInt32(l.out.type, &best, 1, c.out, l.out.index(i, 0));
      continue;
    }
    float r;
    if (c.instr.op == isa::Opcode::VReduceSum) {
      r = 0.0f;
      for (size_t j = 0; j < cols; ++j)
        r = r + x[j];
    } else {
      r = x[0];
      for (size_t j = 1; j < cols; ++j)
        r = maxF(x[j], r);
    }
    storeFromFloat(l.out.type, &r, 1, c.out, l.out.index(i, 0));
  }
}

namespace {

/// maxF folded over x[0..n) in increasing j (n >= 1). Without NaNs the
/// result is the largest value, whose bits are unique unless it is zero
/// (+0 and -0 compare equal and the first wins): lanes find it, and a NaN
/// or a zero maximum takes the sequential definition.
float rowMax(const float *x, size_t n) {
#if defined(__SSE2__)
  if (n >= 8) {
    __m128 mx = _mm_loadu_ps(x), nan = _mm_setzero_ps();
    size_t j = 4;
    for (; j + 4 <= n; j += 4) {
      const __m128 v = _mm_loadu_ps(x + j);
      mx = _mm_max_ps(mx, v);
      nan = _mm_or_ps(nan, _mm_cmpunord_ps(v, v));
    }
    nan = _mm_or_ps(nan, _mm_cmpunord_ps(mx, mx));
    alignas(16) float lanes[4];
    _mm_store_ps(lanes, mx);
    float m = lanes[0];
    for (int l = 1; l < 4; ++l)
      m = lanes[l] > m ? lanes[l] : m;
    bool tailNan = false;
    for (; j < n; ++j) {
      m = x[j] > m ? x[j] : m;
      tailNan |= x[j] != x[j];
    }
    if (_mm_movemask_ps(nan) == 0 && !tailNan && m != 0.0f)
      return m;
  }
#endif
  float m = x[0];
  for (size_t j = 1; j < n; ++j)
    m = maxF(x[j], m);
  return m;
}

} // namespace

void runSoftmax(const VecContext &c) {
  const VecLayout &l = c.l;
  const size_t cols = l.cols;
  const float scale = c.instr.fimm;
  float *x = rowBuffer(0, cols);
  for (size_t i = 0; i < l.rows; ++i) {
    c.loadX(i, x);
    size_t valid = cols;
    if (c.instr.causal) {
      uint64_t last = uint64_t(c.aux) + i; // largest unmasked column
      valid = last + 1 < cols ? size_t(last + 1) : cols;
    }
    for (size_t j = 0; j < valid; ++j)
      x[j] = scale * x[j];
    const float mx = rowMax(x, valid);
    for (size_t j = 0; j < valid; ++j)
      x[j] = x[j] - mx;
    expfRow(x, x, valid); // std::exp's bits, eight at a time
    float sum = 0.0f;
    for (size_t j = 0; j < valid; ++j)
      sum = sum + x[j];
    for (size_t j = 0; j < valid; ++j)
      x[j] = x[j] / sum;
    std::fill(x + valid, x + cols, 0.0f);
    c.storeOut(i, x);
  }
}

void runNorm(const VecContext &c) {
  const VecLayout &l = c.l;
  const size_t cols = l.cols;
  const float eps = c.instr.fimm, n = float(cols);
  const float *gamma = c.loadVector(*l.y, c.y, 0);
  const float *beta = l.z ? c.loadVector(*l.z, c.z, 1) : nullptr;
  float *x = rowBuffer(2, cols);
  for (size_t i = 0; i < l.rows; ++i) {
    c.loadX(i, x);
    if (c.instr.op == isa::Opcode::VRmsNorm) {
      float ss = 0.0f;
      for (size_t j = 0; j < cols; ++j)
        ss = ss + x[j] * x[j];
      float inv = 1.0f / std::sqrt(ss / n + eps);
      for (size_t j = 0; j < cols; ++j)
        x[j] = gamma[j] * (x[j] * inv);
    } else {
      float sum = 0.0f;
      for (size_t j = 0; j < cols; ++j)
        sum = sum + x[j];
      float mean = sum / n;
      float sq = 0.0f;
      for (size_t j = 0; j < cols; ++j) {
        float d = x[j] - mean;
        sq = sq + d * d;
      }
      float inv = 1.0f / std::sqrt(sq / n + eps);
      for (size_t j = 0; j < cols; ++j)
        x[j] = ((x[j] - mean) * inv) * gamma[j] + beta[j];
    }
    c.storeOut(i, x);
  }
}

void runRope(const VecContext &c) {
  const VecLayout &l = c.l;
  const size_t cols = l.cols, head = c.instr.aux2, half = head / 2;
  const float theta = c.instr.fimm;
  float *cosv = rowBuffer(1, half), *sinv = rowBuffer(2, half);
  float *x = rowBuffer(3, cols), *r = rowBuffer(4, cols);
  // The frequencies depend on theta and the head size only: kept per thread
  // for the last pair seen (every RoPE of a model shares them).
  static thread_local std::vector<float> freq;
  static thread_local float freqTheta = 0.0f;
  static thread_local size_t freqHead = 0;
  if (freqHead != head || std::memcmp(&freqTheta, &theta, sizeof theta) != 0) {
    freq.resize(half);
    for (size_t m = 0; m < half; ++m)
      freq[m] = 1.0f / std::pow(theta, float(2 * m) / float(head));
    freqTheta = theta;
    freqHead = head;
  }
  for (size_t i = 0; i < l.rows; ++i) {
    float pos = float(uint64_t(c.aux) + i);
    for (size_t m = 0; m < half; ++m) {
      float a = pos * freq[m];
      cosv[m] = std::cos(a);
      sinv[m] = std::sin(a);
    }
    c.loadX(i, x);
    for (size_t h0 = 0; h0 < cols; h0 += head) {
      for (size_t m = 0; m < half; ++m) {
        size_t p = c.instr.ropeHalf ? h0 + m : h0 + 2 * m;
        size_t q = c.instr.ropeHalf ? h0 + m + half : h0 + 2 * m + 1;
        float u = x[p], v = x[q];
        r[p] = u * cosv[m] - v * sinv[m];
        r[q] = u * sinv[m] + v * cosv[m];
      }
    }
    c.storeOut(i, r);
  }
}

} // namespace strata::sim::func::detail
