//===- BagModel.h - A hand-written model that follows the convention -*- C++ -*-===//
//
// A "bag of tokens" model in assembly that follows the runtime's convention
// (prefill with pos/n_valid, decode with pos, tokens and logits bindings, a
// kv_cache region): each token appends its row of a table to the KV cache,
// and the logits are the sum of every cached row (a GEMM of a ones vector
// with the cache). Its logits depend on the whole history, so a session that
// saw another session's cache would be caught. Table values are small
// integers, so the simulator's sums are exact.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "strata/runtime/Sampler.h"
#include "strata/target/Assembly.h"

#include <gtest/gtest.h>

#include <fmt/format.h>

#include <string>
#include <vector>

namespace strata::runtime::test {

constexpr int kVocab = 8, kMaxSeq = 16, kChunk = 4;

inline float tableValue(int token, int v) { return float((token * 3 + v * 5) % 7 - 3); }

/// One entry point: `rows` is a register holding the valid token count.
inline std::string body(bool prefill) {
  return fmt::format(R"(
    {}
    li r3, 0
loop:
    shli r4, r3, 2
    ld32 r5, [r4+0x2000]
    shli r6, r5, 5
    add r7, r1, r3
    shli r7, r7, 5
    dma.load src=hbm[r6+0x0] dst=sram[0x0] size=32
    sem.signal load, s0, 1
    sem.wait store, s0
    dma.store src=sram[0x0] dst=hbm[r7+0x1000] size=32
    sem.signal store, s1, 1
    sem.wait load, s1
    addi r3, r3, 1
    blt r3, r2, loop
    add r8, r1, r2
    shli r9, r8, 5
    dma.load src=hbm[0x1000] dst=sram[0x2000] size=r9
    dma.load src=hbm[0x100] dst=sram[0x1000] size=64
    sem.signal load, s2, 1
    sem.wait compute, s2
    tc.config gang=16x1 precision=f32
    gemm m=1 n=8 k=r8 a=f32 b=f32 out=f32 A=[0x1000] lda=16 B=[0x2000] ldb=8 C=[0x3000] ldc=8
    sem.signal compute, s3, 1
    sem.wait store, s3
    dma.store src=sram[0x3000] dst=hbm[0x2040] size=32
    halt
)",
                     prefill ? "" : "li r2, 1");
}

inline std::string program() {
  std::string s = R"(
.region weights kind=weights  addr=0x0    size=0x1000
.region kv_cache kind=kv-cache addr=0x1000 size=0x200
.region io      kind=io       addr=0x2000 size=0x100
.input  tokens i32[4]   addr=0x2000
.output logits f32[1,8] addr=0x2040
.meta model.max_seq "16"
.const table addr=0x0
)";
  for (int t = 0; t < kVocab; ++t) {
    s += "    .f32 ";
    for (int v = 0; v < kVocab; ++v)
      s += fmt::format("{}{}", v ? ", " : "", tableValue(t, v));
    s += "\n";
  }
  s += ".const ones addr=0x100\n    .f32 1";
  for (int i = 1; i < kMaxSeq; ++i)
    s += ", 1";
  s += "\n.entry prefill\n.param pos r1\n.param n_valid r2\n.core 0\n" + body(true);
  s += ".entry decode\n.param pos r1\n.core 0\n" + body(false);
  return s;
}

inline bin::Binary assemble() {
  auto b = bin::assemble(program(), "bag.s");
  EXPECT_TRUE(b) << b.message();
  return b ? b.takeValue() : bin::Binary();
}

/// Logits of the bag model after `history`.
inline std::vector<float> bagLogits(const std::vector<int32_t> &history) {
  std::vector<float> out(kVocab, 0.0f);
  for (int32_t t : history)
    for (int v = 0; v < kVocab; ++v)
      out[size_t(v)] += tableValue(t, v);
  return out;
}

inline std::vector<int32_t> bagGreedy(std::vector<int32_t> ids, uint32_t n) {
  for (uint32_t i = 0; i < n; ++i) {
    auto l = bagLogits(ids);
    ids.push_back(argmaxToken(l.data(), l.size()));
  }
  return ids;
}

} // namespace strata::runtime::test
