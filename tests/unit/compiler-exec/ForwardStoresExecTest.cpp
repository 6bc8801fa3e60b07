//===- ForwardStoresExecTest.cpp - Results read from the stored buffer ----===//
//
// strata-npu-forward-stores lets a kernel read its input from the buffer the
// same core stored it from, instead of loading it back from HBM. The
// programs must compute the same bytes with fewer instructions, fewer HBM
// bytes and less time.
//
//===----------------------------------------------------------------------===//
#include "ExecReference.h"
#include "ExecTestSupport.h"
#include "GraphText.h"

#include <nlohmann/json.hpp>

namespace strata::exectest {
namespace {

/// linear -> rms_norm -> linear -> silu on one row: each op is its own
/// kernel (fusion off), so every intermediate goes through a scratch tensor.
struct Chain {
  static constexpr int64_t K = 64, H = 96, N = 64;
  GraphText g;
  std::vector<float> x = inputs(K, 401);
  std::vector<float> want;

  Chain() {
    g.weight("w1", {H, K}, 402, 0.05);
    g.weight("gamma", {H}, 403, 0.5);
    g.weight("w2", {N, H}, 404, 0.05);
    g.func("main", {"%x: " + t2(1, K)}, t2(1, N));
    g.op("%h = graph.linear %x, %w1 : (" + t2(1, K) + ", " + t2(H, K) + ") -> " + t2(1, H));
    g.op("%n = graph.rms_norm %h, %gamma {eps = 1.0e-05 : f64} : (" + t2(1, H) +
         ", tensor<96xf32>) -> " + t2(1, H));
    g.op("%y = graph.linear %n, %w2 : (" + t2(1, H) + ", " + t2(N, H) + ") -> " + t2(1, N));
    g.op("%z = graph.silu %y : " + t2(1, N));
    g.ret("%z", t2(1, N));
    auto h = ref::linear(x, seeded({H, K}, 402, 0.05), 1, K, H);
    auto n = ref::rmsNorm(h, seeded({H}, 403, 0.5), 1, H, 1e-5f);
    auto y = ref::linear(n, seeded({N, H}, 404, 0.05), 1, H, N);
    for (float &v : y)
      v = ref::silu(v);
    want = y;
  }

  std::optional<CompileOutput> compile(bool forward, unsigned cores) const {
    CompileOptions o;
    o.compareFusion = false;
    o.fuse = false;
    o.cores = cores;
    o.forwardStores = forward;
    return exectest::compile(g.str(), o);
  }
};

TEST(ForwardStoresExec, SameBytesFewerInstructionsOnOneCore) {
  Chain c;
  auto fwd = c.compile(true, 1), plain = c.compile(false, 1);
  ASSERT_TRUE(fwd);
  ASSERT_TRUE(plain);
  auto report = nlohmann::json::parse(fwd->report);
  ASSERT_TRUE(report.contains("forward_stats"));
  const int forwarded = report["forward_stats"]["loads_forwarded"].get<int>();
  EXPECT_GE(forwarded, 3); // each kernel's input but the first
  EXPECT_GE(report["forward_stats"]["stores_removed"].get<int>(), 3);
  EXPECT_FALSE(nlohmann::json::parse(plain->report).contains("forward_stats"));

  Runner rf(fwd->binary), rp(plain->binary);
  ASSERT_TRUE(rf.ok() && rp.ok());
  rf.write("input0", c.x);
  rp.write("input0", c.x);
  auto a = rf.run("main"), b = rp.run("main");
  ASSERT_TRUE(a && b);
  auto ya = rf.readF32("logits"), yb = rp.readF32("logits");
  EXPECT_TRUE(near(ya, c.want, 1e-5, 1e-5));
  EXPECT_EQ(ya, yb); // the same arithmetic on the same bytes
  // Each forwarded load takes a DMA and its semaphores out of the program,
  // and its bytes out of the HBM traffic.
  EXPECT_LE(a->tileInstructions + 2 * uint64_t(forwarded), b->tileInstructions);
  EXPECT_LT(a->hbmReadBytes, b->hbmReadBytes);
  EXPECT_LT(a->hbmWriteBytes, b->hbmWriteBytes);
  EXPECT_LT(a->seconds, b->seconds);
}

TEST(ForwardStoresExec, SameBytesOnEveryCore) {
  // Across cores most hand-offs read other cores' slices and stay; whatever
  // is forwarded must not change a value.
  Chain c;
  auto fwd = c.compile(true, 0), plain = c.compile(false, 0);
  ASSERT_TRUE(fwd && plain);
  Runner rf(fwd->binary), rp(plain->binary);
  ASSERT_TRUE(rf.ok() && rp.ok());
  for (int run = 0; run < 2; ++run) {
    rf.write("input0", c.x);
    rp.write("input0", c.x);
    auto a = rf.run("main"), b = rp.run("main");
    ASSERT_TRUE(a && b);
    auto ya = rf.readF32("logits");
    EXPECT_TRUE(near(ya, c.want, 1e-5, 1e-5)) << "run " << run;
    EXPECT_EQ(ya, rp.readF32("logits")) << "run " << run;
    EXPECT_LE(a->seconds, b->seconds) << "run " << run;
  }
}

} // namespace
} // namespace strata::exectest
