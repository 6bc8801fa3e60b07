//===- PinWeightsExecTest.cpp - Weights kept resident in SRAM --------------===//
//
// strata-npu-pin-weights moves the weight loads of programs whose weights all
// fit in SRAM into a load_weights entry. The simulator runs that entry once,
// before the first other run; every later run computes the same values as
// the unpinned program without reading the weights from HBM again.
//
//===----------------------------------------------------------------------===//
#include "ExecReference.h"
#include "ExecTestSupport.h"
#include "GraphText.h"

#include <nlohmann/json.hpp>

namespace strata::exectest {
namespace {

/// Two chained linear layers (two weight matrices) of one row.
struct TwoLinears {
  static constexpr int64_t K = 256, H = 192, N = 128;
  GraphText g;
  std::vector<float> x = inputs(K, 301);
  std::vector<float> want;

  TwoLinears() {
    g.weight("w1", {H, K}, 302, 0.05);
    g.weight("w2", {N, H}, 303, 0.05);
    g.func("main", {"%x: " + t2(1, K)}, t2(1, N));
    g.op("%h = graph.linear %x, %w1 : (" + t2(1, K) + ", " + t2(H, K) + ") -> " + t2(1, H));
    g.op("%y = graph.linear %h, %w2 : (" + t2(1, H) + ", " + t2(N, H) + ") -> " + t2(1, N));
    g.ret("%y", t2(1, N));
    auto h = ref::linear(x, seeded({H, K}, 302, 0.05), 1, K, H);
    want = ref::linear(h, seeded({N, H}, 303, 0.05), 1, H, N);
  }
  static constexpr double weightBytes() { return double((H * K + N * H) * 4); }

  std::optional<CompileOutput> compile(bool pin) const {
    CompileOptions o;
    o.compareFusion = false;
    o.pinWeights = pin;
    return exectest::compile(g.str(), o);
  }
};

TEST(PinWeightsExec, SameResultsWithoutReadingWeightsEachRun) {
  TwoLinears c;
  auto pinned = c.compile(true), plain = c.compile(false);
  ASSERT_TRUE(pinned);
  ASSERT_TRUE(plain);
  ASSERT_NE(pinned->binary.findEntry(bin::kLoadWeightsEntry), nullptr);
  EXPECT_EQ(plain->binary.findEntry(bin::kLoadWeightsEntry), nullptr);
  // The compile report says what was reserved.
  auto report = nlohmann::json::parse(pinned->report);
  EXPECT_GE(report["pinned_weights"]["sram_bytes"].get<double>(), TwoLinears::weightBytes() / 8);
  EXPECT_GE(report["pinned_weights"]["loads_removed"].get<int>(), 2);
  EXPECT_TRUE(nlohmann::json::parse(plain->report)["pinned_weights"].is_null());

  Runner rp(pinned->binary), ru(plain->binary);
  ASSERT_TRUE(rp.ok() && ru.ok());
  std::vector<double> pinnedReads, plainReads;
  for (int run = 0; run < 2; ++run) {
    rp.write("input0", c.x);
    ru.write("input0", c.x);
    auto a = rp.run("main"), b = ru.run("main");
    ASSERT_TRUE(a && b);
    auto ya = rp.readF32("logits"), yb = ru.readF32("logits");
    EXPECT_TRUE(near(ya, c.want, 1e-5, 1e-5)) << "run " << run;
    EXPECT_EQ(ya, yb) << "run " << run; // same instructions on the same bytes
    pinnedReads.push_back(a->hbmReadBytes);
    plainReads.push_back(b->hbmReadBytes);
  }
  // The unpinned runs read every weight each time; the pinned ones only
  // their activations, the same amount each run.
  for (int run = 0; run < 2; ++run) {
    EXPECT_GE(plainReads[run], TwoLinears::weightBytes());
    EXPECT_LE(pinnedReads[run], plainReads[run] - TwoLinears::weightBytes()) << "run " << run;
  }
  EXPECT_EQ(pinnedReads[0], pinnedReads[1]);
  // The weights were read once, by load_weights, before the first run.
  const auto &load = rp.sim().weightLoad();
  ASSERT_TRUE(load.has_value());
  EXPECT_EQ(load->entry, bin::kLoadWeightsEntry);
  EXPECT_GE(load->hbmReadBytes, TwoLinears::weightBytes());
  EXPECT_EQ(rp.sim().history().size(), 3u); // load_weights, main, main
  EXPECT_FALSE(ru.sim().weightLoad().has_value());
}

TEST(PinWeightsExec, AnExplicitLoadIsNotRepeated) {
  TwoLinears c;
  auto pinned = c.compile(true);
  ASSERT_TRUE(pinned);
  Runner r(pinned->binary);
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE(r.run(bin::kLoadWeightsEntry));
  r.write("input0", c.x);
  ASSERT_TRUE(r.run("main"));
  EXPECT_TRUE(near(r.readF32("logits"), c.want, 1e-5, 1e-5));
  EXPECT_EQ(r.sim().history().size(), 2u);
}

} // namespace
} // namespace strata::exectest
