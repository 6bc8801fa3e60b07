//===- AttentionExecTest.cpp - KV-cache attention across runs -------------===//
//
// A prefill chunk and decode steps of one binary share the KV cache in HBM:
// each run appends its rows at the runtime position and attends over every
// row so far. Compared with the reference after each run, for an f32 and an
// f16 cache, with grouped-query heads spread over cores. The f32 cache's
// decode rows stay resident in SRAM: each decode step is told (kv_valid)
// how many leading rows its SRAM copy holds, as the runtime tracks them,
// including rows a prefill chunk added in HBM only.
//
//===----------------------------------------------------------------------===//
#include "ExecReference.h"
#include "ExecTestSupport.h"
#include "GraphText.h"

namespace strata::exectest {
namespace {

struct AttentionCase {
  std::string cache;
  int64_t heads, kvHeads, headDim;
  double tolerance;
};

class AttentionExec : public ::testing::TestWithParam<AttentionCase> {};

TEST_P(AttentionExec, PrefillThenDecodeMatchReference) {
  const AttentionCase c = GetParam();
  const int64_t H = c.heads, Hkv = c.kvHeads, hd = c.headDim, T = 4, maxSeq = 16;
  const int64_t qd = H * hd, kd = Hkv * hd;
  GraphText g;
  g.kvCache(1, maxSeq, Hkv, hd, c.cache);
  for (auto [name, rows] : {std::pair<std::string, int64_t>{"prefill", T}, {"decode", 1}}) {
    g.func(name, {"%q: " + t2(rows, qd), "%k: " + t2(rows, kd), "%v: " + t2(rows, kd), "%pos: index"},
           t2(rows, qd));
    g.op("%o = graph.attention %q, %k, %v, %pos {cache = @kv_cache, layer = 0 : i64, num_heads = " +
         std::to_string(H) + " : i64, num_kv_heads = " + std::to_string(Hkv) +
         " : i64, head_dim = " + std::to_string(hd) + " : i64} : (" + t2(rows, qd) + ", " +
         t2(rows, kd) + ", " + t2(rows, kd) + ", index) -> " + t2(rows, qd));
    g.ret("%o", t2(rows, qd));
  }
  CompileOptions options;
  options.compareFusion = false;
  auto out = compile(g.str(), options);
  ASSERT_TRUE(out);
  Runner run(out->binary);
  ASSERT_TRUE(run.ok());

  const bool resident = c.cache == "f32";
  ASSERT_EQ(run.takes("decode", "kv_valid"), resident);
  std::vector<float> kCache, vCache;
  int64_t pos = 0, held = 0; // rows of the resident copy (SimExecutor's rule)
  auto step = [&](const std::string &entry, int64_t rows, uint64_t seed) {
    std::vector<float> q = inputs(size_t(rows * qd), seed), k = inputs(size_t(rows * kd), seed + 1),
                       v = inputs(size_t(rows * kd), seed + 2);
    run.write("input0", q);
    run.write("input1", k);
    run.write("input2", v);
    // Runner::run passes kv_valid as the runtime would; spelled out here.
    std::vector<std::pair<std::string, int64_t>> params{{"pos", pos}};
    if (entry == "decode" && resident)
      params.emplace_back("kv_valid", std::min(held, pos));
    held = entry == "decode" ? pos + 1 : std::min(held, pos);
    ASSERT_TRUE(run.run(entry, params));
    std::vector<float> want = ref::attention(q, k, v, kCache, vCache, rows, pos, H, Hkv, hd);
    std::vector<float> got = run.readF32("logits");
    got.resize(want.size());
    EXPECT_TRUE(near(got, want, c.tolerance, c.tolerance)) << entry << " at pos " << pos;
    pos += rows;
  };
  step("prefill", T, 10);
  step("decode", 1, 20);
  step("decode", 1, 30);
  step("prefill", T, 40); // a second chunk: causal mask at offset pos
  step("decode", 1, 50);
  while (pos < maxSeq && !HasFatalFailure()) // decode steps up to the cache's last row
    step("decode", 1, uint64_t(60 + pos));
}

// The same program on the detailed HBM model: eight cores appending and
// reading their heads at once leave many ports blocked on HBM queue credits
// at the same instant, the case that once stalled the memory system's
// admission of blocked requests.
TEST(AttentionExecDetailedHbm, EightCoresOnTheDetailedModel) {
  const int64_t H = 8, hd = 8, T = 4;
  GraphText g;
  g.kvCache(1, 16, H, hd);
  g.func("prefill", {"%q: " + t2(T, H * hd), "%k: " + t2(T, H * hd), "%v: " + t2(T, H * hd),
                     "%pos: index"},
         t2(T, H * hd));
  g.op("%o = graph.attention %q, %k, %v, %pos {cache = @kv_cache, layer = 0 : i64, num_heads = 8 "
       ": i64, num_kv_heads = 8 : i64, head_dim = 8 : i64} : (" + t2(T, H * hd) + ", " +
       t2(T, H * hd) + ", " + t2(T, H * hd) + ", index) -> " + t2(T, H * hd));
  g.ret("%o", t2(T, H * hd));
  CompileOptions options;
  options.compareFusion = false;
  auto out = compile(g.str(), options);
  ASSERT_TRUE(out);
  Runner run(out->binary, false, Hbm::AsCompiled);
  ASSERT_TRUE(run.ok());
  EXPECT_TRUE(run.run("prefill", {{"pos", 0}}));
}

INSTANTIATE_TEST_SUITE_P(Caches, AttentionExec,
                         ::testing::Values(AttentionCase{"f32", 4, 2, 8, 1e-5},
                                           AttentionCase{"f16", 4, 2, 8, 3e-3},
                                           AttentionCase{"bf16", 8, 2, 16, 2e-2},
                                           AttentionCase{"f32", 8, 8, 8, 1e-5}));

} // namespace
} // namespace strata::exectest
