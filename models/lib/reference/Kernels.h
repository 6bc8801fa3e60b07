//===- Kernels.h - Scalar FP32 building blocks of the reference --*- C++ -*-===//
//
// Written the plain way (sequential float accumulation in index order, as
// run.c does) so results are reproducible and easy to audit.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "strata/models/ModelConfig.h"

#include <cstdint>

namespace strata::models::reference {

/// A float32 matrix [rows][cols] (row-major), or a vector (rows == 1).
struct Matrix {
  const float *data = nullptr;
  uint64_t rows = 0;
  uint64_t cols = 0;
  explicit operator bool() const { return data != nullptr; }
};

/// out[i] = sum_j w[i][j] * x[j] (+ bias[i] if given).
void matvec(float *out, const Matrix &w, const float *x, const float *bias = nullptr);
/// out = x / sqrt(mean(x^2) + eps) * g
void rmsNorm(float *out, const float *x, const float *g, uint64_t n, float eps);
/// out = (x - mean) / sqrt(var + eps) * g + b
void layerNorm(float *out, const float *x, const float *g, const float *b, uint64_t n,
               float eps);
/// Rotates `nHeads` heads of `headDim` values in place for position `pos`.
void rope(float *v, uint32_t nHeads, uint32_t headDim, uint32_t pos, float theta,
          RopeStyle style);
/// In-place softmax over n values (max-subtracted).
void softmax(float *x, uint64_t n);
float silu(float x);
float gelu(float x, Activation kind);

/// Causal attention of one query position over `len` cached positions:
/// out[h] = softmax(q[h] . k[t][kvh] / sqrt(headDim)) . v[t][kvh] for every
/// query head h with kvh = h / (nHeads / nKvHeads). kCache/vCache rows are
/// kvDim = nKvHeads * headDim floats per position. `scores` needs len floats.
void attention(float *out, const float *q, const float *kCache, const float *vCache,
               uint32_t len, uint32_t nHeads, uint32_t nKvHeads, uint32_t headDim,
               float *scores);

} // namespace strata::models::reference
