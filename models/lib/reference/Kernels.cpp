#include "Kernels.h"

#include <cmath>

namespace strata::models::reference {

void matvec(float *out, const Matrix &w, const float *x, const float *bias) {
  for (uint64_t i = 0; i < w.rows; ++i) {
    const float *row = w.data + i * w.cols;
    float acc = 0.0f;
    for (uint64_t j = 0; j < w.cols; ++j)
      acc += row[j] * x[j];
    out[i] = bias ? acc + bias[i] : acc;
  }
}

void rmsNorm(float *out, const float *x, const float *g, uint64_t n, float eps) {
  float ss = 0.0f;
  for (uint64_t i = 0; i < n; ++i)
    ss += x[i] * x[i];
  ss /= static_cast<float>(n);
  ss += eps;
  const float scale = 1.0f / std::sqrt(ss);
  for (uint64_t i = 0; i < n; ++i)
    out[i] = g[i] * (scale * x[i]);
}

void layerNorm(float *out, const float *x, const float *g, const float *b, uint64_t n,
               float eps) {
  float mean = 0.0f;
  for (uint64_t i = 0; i < n; ++i)
    mean += x[i];
  mean /= static_cast<float>(n);
  float var = 0.0f;
  for (uint64_t i = 0; i < n; ++i)
    var += (x[i] - mean) * (x[i] - mean);
  var /= static_cast<float>(n);
  const float scale = 1.0f / std::sqrt(var + eps);
  for (uint64_t i = 0; i < n; ++i)
    out[i] = (x[i] - mean) * scale * g[i] + b[i];
}

void rope(float *v, uint32_t nHeads, uint32_t headDim, uint32_t pos, float theta,
          RopeStyle style) {
  if (style == RopeStyle::None)
    return;
  const uint32_t half = headDim / 2;
  for (uint32_t m = 0; m < half; ++m) {
    // Pair m turns at theta^(-2m/headDim) radians per position, in float32
    // as both run.c and transformers compute it.
    const float freq =
        1.0f / std::pow(theta, static_cast<float>(2 * m) / static_cast<float>(headDim));
    const float angle = static_cast<float>(pos) * freq;
    const float c = std::cos(angle), s = std::sin(angle);
    for (uint32_t h = 0; h < nHeads; ++h) {
      float *head = v + static_cast<uint64_t>(h) * headDim;
      const uint32_t i0 = style == RopeStyle::Interleaved ? 2 * m : m;
      const uint32_t i1 = style == RopeStyle::Interleaved ? 2 * m + 1 : m + half;
      const float a = head[i0], b = head[i1];
      head[i0] = a * c - b * s;
      head[i1] = a * s + b * c;
    }
  }
}

void softmax(float *x, uint64_t n) {
  float max = x[0];
  for (uint64_t i = 1; i < n; ++i)
    if (x[i] > max)
      max = x[i];
  float sum = 0.0f;
  for (uint64_t i = 0; i < n; ++i) {
    x[i] = std::exp(x[i] - max);
    sum += x[i];
  }
  for (uint64_t i = 0; i < n; ++i)
    x[i] /= sum;
}

float silu(float x) { return x / (1.0f + std::exp(-x)); }

float gelu(float x, Activation kind) {
  if (kind == Activation::GeluErf)
    return 0.5f * x * (1.0f + std::erf(x / std::sqrt(2.0f)));
  const float k = std::sqrt(2.0f / static_cast<float>(M_PI));
  return 0.5f * x * (1.0f + std::tanh(k * (x + 0.044715f * x * x * x)));
}

void attention(float *out, const float *q, const float *kCache, const float *vCache,
               uint32_t len, uint32_t nHeads, uint32_t nKvHeads, uint32_t headDim,
               float *scores) {
  const uint64_t kvDim = static_cast<uint64_t>(nKvHeads) * headDim;
  const uint32_t group = nHeads / nKvHeads;
  const float sqrtHeadDim = std::sqrt(static_cast<float>(headDim));
  for (uint32_t h = 0; h < nHeads; ++h) {
    const float *qh = q + static_cast<uint64_t>(h) * headDim;
    const uint64_t kvOff = static_cast<uint64_t>(h / group) * headDim;
    for (uint32_t t = 0; t < len; ++t) {
      const float *kt = kCache + t * kvDim + kvOff;
      float dot = 0.0f;
      for (uint32_t i = 0; i < headDim; ++i)
        dot += qh[i] * kt[i];
      scores[t] = dot / sqrtHeadDim;
    }
    softmax(scores, len);
    float *oh = out + static_cast<uint64_t>(h) * headDim;
    for (uint32_t i = 0; i < headDim; ++i)
      oh[i] = 0.0f;
    for (uint32_t t = 0; t < len; ++t) {
      const float *vt = vCache + t * kvDim + kvOff;
      const float a = scores[t];
      for (uint32_t i = 0; i < headDim; ++i)
        oh[i] += a * vt[i];
    }
  }
}

} // namespace strata::models::reference
