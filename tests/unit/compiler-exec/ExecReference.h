//===- ExecReference.h - Plain FP32 reference kernels -----------*- C++ -*-===//
//
// The semantics of the graph ops (GraphOps.td), written as directly as
// possible: no tiling, no precision tricks, FP32 everywhere (double where a
// sum would otherwise lose accuracy on the reference side).
//
//===----------------------------------------------------------------------===//
#pragma once

#include <cmath>
#include <cstdint>
#include <vector>

namespace strata::exectest::ref {

using Vec = std::vector<float>;

/// y[M][N] = x[M][K] . W^T (W is [N][K]) + bias.
inline Vec linear(const Vec &x, const Vec &w, int64_t M, int64_t K, int64_t N,
                  const Vec *bias = nullptr) {
  Vec y(size_t(M * N));
  for (int64_t m = 0; m < M; ++m)
    for (int64_t n = 0; n < N; ++n) {
      double acc = 0;
      for (int64_t k = 0; k < K; ++k)
        acc += double(x[size_t(m * K + k)]) * double(w[size_t(n * K + k)]);
      y[size_t(m * N + n)] = float(acc + (bias ? (*bias)[size_t(n)] : 0.0f));
    }
  return y;
}

inline Vec rmsNorm(const Vec &x, const Vec &g, int64_t M, int64_t K, float eps) {
  Vec y(x.size());
  for (int64_t m = 0; m < M; ++m) {
    double ss = 0;
    for (int64_t k = 0; k < K; ++k)
      ss += double(x[size_t(m * K + k)]) * x[size_t(m * K + k)];
    double inv = 1.0 / std::sqrt(ss / double(K) + eps);
    for (int64_t k = 0; k < K; ++k)
      y[size_t(m * K + k)] = float(x[size_t(m * K + k)] * inv * g[size_t(k)]);
  }
  return y;
}

inline Vec layerNorm(const Vec &x, const Vec &g, const Vec &b, int64_t M, int64_t K, float eps) {
  Vec y(x.size());
  for (int64_t m = 0; m < M; ++m) {
    double mean = 0, var = 0;
    for (int64_t k = 0; k < K; ++k)
      mean += x[size_t(m * K + k)];
    mean /= double(K);
    for (int64_t k = 0; k < K; ++k) {
      double d = x[size_t(m * K + k)] - mean;
      var += d * d;
    }
    var /= double(K);
    double inv = 1.0 / std::sqrt(var + eps);
    for (int64_t k = 0; k < K; ++k)
      y[size_t(m * K + k)] = float((x[size_t(m * K + k)] - mean) * inv * g[size_t(k)] + b[size_t(k)]);
  }
  return y;
}

inline float silu(float v) { return float(v / (1.0 + std::exp(-double(v)))); }
inline float geluTanh(float v) {
  double x = v;
  return float(0.5 * x * (1.0 + std::tanh(std::sqrt(2.0 / M_PI) * (x + 0.044715 * x * x * x))));
}
inline float geluErf(float v) { return float(0.5 * v * (1.0 + std::erf(v / std::sqrt(2.0)))); }

/// Rotary embedding of [M][D] rows at positions pos + m, heads of hd.
inline Vec rope(const Vec &x, int64_t M, int64_t D, int64_t hd, int64_t pos, double theta,
                bool halfSplit) {
  Vec y = x;
  for (int64_t m = 0; m < M; ++m)
    for (int64_t h = 0; h < D / hd; ++h)
      for (int64_t i = 0; i < hd / 2; ++i) {
        double freq = std::pow(theta, -2.0 * double(i) / double(hd));
        double a = double(pos + m) * freq;
        int64_t j0 = halfSplit ? i : 2 * i, j1 = halfSplit ? i + hd / 2 : 2 * i + 1;
        size_t p0 = size_t(m * D + h * hd + j0), p1 = size_t(m * D + h * hd + j1);
        double v0 = x[p0], v1 = x[p1];
        y[p0] = float(v0 * std::cos(a) - v1 * std::sin(a));
        y[p1] = float(v0 * std::sin(a) + v1 * std::cos(a));
      }
  return y;
}

inline Vec softmaxRows(const Vec &x, int64_t M, int64_t N, double scale = 1.0) {
  Vec y(x.size());
  for (int64_t m = 0; m < M; ++m) {
    double mx = -INFINITY;
    for (int64_t n = 0; n < N; ++n)
      mx = std::max(mx, scale * x[size_t(m * N + n)]);
    double sum = 0;
    for (int64_t n = 0; n < N; ++n)
      sum += std::exp(scale * x[size_t(m * N + n)] - mx);
    for (int64_t n = 0; n < N; ++n)
      y[size_t(m * N + n)] = float(std::exp(scale * x[size_t(m * N + n)] - mx) / sum);
  }
  return y;
}

/// Causal GQA attention of T new rows at positions pos.. over a cache that
/// already holds `kCache`/`vCache` rows 0..pos-1 ([pos][kvHeads*hd] each);
/// the new k/v rows are appended (the caches grow).
inline Vec attention(const Vec &q, const Vec &k, const Vec &v, Vec &kCache, Vec &vCache,
                     int64_t T, int64_t pos, int64_t H, int64_t Hkv, int64_t hd) {
  int64_t kvDim = Hkv * hd;
  kCache.resize(size_t((pos + T) * kvDim));
  vCache.resize(size_t((pos + T) * kvDim));
  for (int64_t t = 0; t < T; ++t)
    for (int64_t j = 0; j < kvDim; ++j) {
      kCache[size_t((pos + t) * kvDim + j)] = k[size_t(t * kvDim + j)];
      vCache[size_t((pos + t) * kvDim + j)] = v[size_t(t * kvDim + j)];
    }
  Vec out(size_t(T * H * hd));
  double scale = 1.0 / std::sqrt(double(hd));
  for (int64_t t = 0; t < T; ++t)
    for (int64_t h = 0; h < H; ++h) {
      int64_t g = h / (H / Hkv);
      int64_t L = pos + t + 1;
      std::vector<double> s(static_cast<size_t>(L));
      double mx = -INFINITY;
      for (int64_t j = 0; j < L; ++j) {
        double acc = 0;
        for (int64_t d = 0; d < hd; ++d)
          acc += double(q[size_t(t * H * hd + h * hd + d)]) * kCache[size_t(j * kvDim + g * hd + d)];
        s[size_t(j)] = acc * scale;
        mx = std::max(mx, s[size_t(j)]);
      }
      double sum = 0;
      for (double &e : s) {
        e = std::exp(e - mx);
        sum += e;
      }
      for (int64_t d = 0; d < hd; ++d) {
        double acc = 0;
        for (int64_t j = 0; j < L; ++j)
          acc += s[size_t(j)] / sum * vCache[size_t(j * kvDim + g * hd + d)];
        out[size_t(t * H * hd + h * hd + d)] = float(acc);
      }
    }
  return out;
}

} // namespace strata::exectest::ref
