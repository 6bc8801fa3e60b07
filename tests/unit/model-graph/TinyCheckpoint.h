//===- TinyCheckpoint.h - Small llama2.c checkpoints for tests --*- C++ -*-===//
//
// Writes a llama2.c (version 0) checkpoint with seeded random weights, so
// graph-builder and runtime tests run without the shared reference models.
//
//===----------------------------------------------------------------------===//
#pragma once

#include <cstdint>
#include <fstream>
#include <random>
#include <string>
#include <vector>

namespace strata::test {

struct TinyShape {
  int32_t dim = 16, hidden = 24, layers = 2, heads = 4, kvHeads = 2, vocab = 32, seqLen = 64;
  /// Writes a separate classifier (negative vocab in the header).
  bool untied = false;
};

/// Writes the checkpoint to `path`; weights are uniform in [-scale, scale]
/// except the norm gains, which are near 1 (as in trained models).
inline bool writeTinyCheckpoint(const std::string &path, const TinyShape &s, uint32_t seed,
                                float scale = 0.3f) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out)
    return false;
  int32_t header[7] = {s.dim, s.hidden, s.layers, s.heads, s.kvHeads,
                       s.untied ? -s.vocab : s.vocab, s.seqLen};
  out.write(reinterpret_cast<const char *>(header), sizeof(header));
  std::mt19937 gen(seed);
  std::uniform_real_distribution<float> uni(-scale, scale);
  auto emit = [&](int64_t n, bool gain) {
    std::vector<float> v(static_cast<size_t>(n));
    for (float &x : v)
      x = gain ? 1.0f + uni(gen) * 0.2f : uni(gen);
    out.write(reinterpret_cast<const char *>(v.data()), std::streamsize(v.size() * 4));
  };
  int64_t dim = s.dim, kv = int64_t(s.dim) / s.heads * s.kvHeads, L = s.layers;
  emit(int64_t(s.vocab) * dim, false); // token embedding
  emit(L * dim, true);                 // attention norm
  emit(L * dim * dim, false);          // wq
  emit(L * kv * dim, false);           // wk
  emit(L * kv * dim, false);           // wv
  emit(L * dim * dim, false);          // wo
  emit(L * dim, true);                 // ffn norm
  emit(L * s.hidden * dim, false);     // w1
  emit(L * dim * s.hidden, false);     // w2
  emit(L * s.hidden * dim, false);     // w3
  emit(dim, true);                     // final norm
  emit(int64_t(s.seqLen) * (dim / s.heads), false); // legacy RoPE tables
  if (s.untied)
    emit(int64_t(s.vocab) * dim, false);
  return bool(out);
}

} // namespace strata::test
