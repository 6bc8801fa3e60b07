//===- FusionSemanticsTest.cpp - strata-graph-fuse keeps every bit --------===//
//
// Each function is evaluated before and after fusion by the host evaluator;
// fusion promises the same f32 operations in the same order, so the outputs
// must be bit-identical, and the pass must actually have fused something.
//
//===----------------------------------------------------------------------===//
#include "GraphEvaluator.h"
#include "PassTestSupport.h"

#include <cstring>

using namespace strata;
using namespace strata::test;

namespace {

struct Case {
  const char *name;
  const char *ir;
  std::vector<std::vector<int64_t>> argShapes;
  int minFused; ///< graph.fused_linear ops expected after fusion
};

// Weights are seeded graph.weight symbols; activations are arguments.
const char *kPrelude = R"mlir(
graph.weight @g : tensor<16xf32> {seed = 1 : i64, role = "norm"}
graph.weight @b : tensor<16xf32> {seed = 2 : i64, role = "norm", init_scale = 0.1 : f64}
graph.weight @wq : tensor<16x16xf32> {seed = 3 : i64, role = "attention", init_scale = 0.25 : f64}
graph.weight @wk : tensor<8x16xf32> {seed = 4 : i64, role = "attention", init_scale = 0.25 : f64}
graph.weight @wv : tensor<8x16xf32> {seed = 5 : i64, role = "attention", init_scale = 0.25 : f64}
graph.weight @bq : tensor<16xf32> {seed = 6 : i64, role = "bias", init_scale = 0.1 : f64}
graph.weight @bk : tensor<8xf32> {seed = 7 : i64, role = "bias", init_scale = 0.1 : f64}
graph.weight @bv : tensor<8xf32> {seed = 8 : i64, role = "bias", init_scale = 0.1 : f64}
graph.weight @w1 : tensor<32x16xf32> {seed = 9 : i64, role = "ffn", init_scale = 0.25 : f64}
graph.weight @w3 : tensor<32x16xf32> {seed = 10 : i64, role = "ffn", init_scale = 0.25 : f64}
graph.weight @w2 : tensor<16x32xf32> {seed = 11 : i64, role = "ffn", init_scale = 0.2 : f64}
graph.weight @up_kn : tensor<16x32xf32> {seed = 12 : i64, role = "ffn", init_scale = 0.25 : f64}
graph.weight @down_kn : tensor<32x16xf32> {seed = 13 : i64, role = "ffn", init_scale = 0.2 : f64}
graph.weight @b32 : tensor<32xf32> {seed = 14 : i64, role = "bias", init_scale = 0.1 : f64}
)mlir";

const Case kCases[] = {
    {"llama_ffn",
     R"mlir(
func.func @f(%x: tensor<4x16xf32>) -> tensor<4x16xf32> {
  %g = graph.weight_ref @g : tensor<16xf32>
  %n = graph.rms_norm %x, %g {eps = 1.0e-05 : f64} : (tensor<4x16xf32>, tensor<16xf32>) -> tensor<4x16xf32>
  %w1 = graph.weight_ref @w1 : tensor<32x16xf32>
  %gate = graph.linear %n, %w1 : (tensor<4x16xf32>, tensor<32x16xf32>) -> tensor<4x32xf32>
  %w3 = graph.weight_ref @w3 : tensor<32x16xf32>
  %up = graph.linear %n, %w3 : (tensor<4x16xf32>, tensor<32x16xf32>) -> tensor<4x32xf32>
  %s = graph.silu %gate : tensor<4x32xf32>
  %h = graph.mul %up, %s : (tensor<4x32xf32>, tensor<4x32xf32>) -> tensor<4x32xf32>
  %w2 = graph.weight_ref @w2 : tensor<16x32xf32>
  %d = graph.linear %h, %w2 : (tensor<4x32xf32>, tensor<16x32xf32>) -> tensor<4x16xf32>
  %o = graph.add %x, %d : (tensor<4x16xf32>, tensor<4x16xf32>) -> tensor<4x16xf32>
  return %o : tensor<4x16xf32>
})mlir",
     {{4, 16}},
     2},
    {"qkv_with_bias_adds",
     R"mlir(
func.func @f(%x: tensor<4x16xf32>, %r: tensor<4x16xf32>) -> (tensor<4x16xf32>, tensor<4x8xf32>, tensor<4x8xf32>) {
  %g = graph.weight_ref @g : tensor<16xf32>
  %n = graph.rms_norm %x, %g {eps = 1.0e-06 : f64} : (tensor<4x16xf32>, tensor<16xf32>) -> tensor<4x16xf32>
  %wq = graph.weight_ref @wq : tensor<16x16xf32>
  %q0 = graph.linear %n, %wq : (tensor<4x16xf32>, tensor<16x16xf32>) -> tensor<4x16xf32>
  %bq = graph.weight_ref @bq : tensor<16xf32>
  %q = graph.add %q0, %bq : (tensor<4x16xf32>, tensor<16xf32>) -> tensor<4x16xf32>
  %wk = graph.weight_ref @wk : tensor<8x16xf32>
  %bk = graph.weight_ref @bk : tensor<8xf32>
  %k = graph.linear %n, %wk, %bk : (tensor<4x16xf32>, tensor<8x16xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  %wv = graph.weight_ref @wv : tensor<8x16xf32>
  %bv = graph.weight_ref @bv : tensor<8xf32>
  %v = graph.linear %n, %wv, %bv : (tensor<4x16xf32>, tensor<8x16xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  %qr = graph.mul %q, %r : (tensor<4x16xf32>, tensor<4x16xf32>) -> tensor<4x16xf32>
  return %qr, %k, %v : tensor<4x16xf32>, tensor<4x8xf32>, tensor<4x8xf32>
})mlir",
     {{4, 16}, {4, 16}},
     1},
    {"gpt2_block",
     R"mlir(
func.func @f(%x: tensor<4x16xf32>) -> tensor<4x16xf32> {
  %g = graph.weight_ref @g : tensor<16xf32>
  %b = graph.weight_ref @b : tensor<16xf32>
  %n = graph.layer_norm %x, %g, %b {eps = 1.0e-05 : f64} : (tensor<4x16xf32>, tensor<16xf32>, tensor<16xf32>) -> tensor<4x16xf32>
  %wu = graph.weight_ref @up_kn : tensor<16x32xf32>
  %bu = graph.weight_ref @b32 : tensor<32xf32>
  %u = graph.linear %n, %wu, %bu {weight_layout = #graph<weight_layout kn>} : (tensor<4x16xf32>, tensor<16x32xf32>, tensor<32xf32>) -> tensor<4x32xf32>
  %a = graph.gelu %u {approximate = #graph<gelu_approx tanh>} : tensor<4x32xf32>
  %wd = graph.weight_ref @down_kn : tensor<32x16xf32>
  %d = graph.linear %a, %wd {weight_layout = #graph<weight_layout kn>} : (tensor<4x32xf32>, tensor<32x16xf32>) -> tensor<4x16xf32>
  %bq = graph.weight_ref @bq : tensor<16xf32>
  %db = graph.add %d, %bq : (tensor<4x16xf32>, tensor<16xf32>) -> tensor<4x16xf32>
  %o = graph.add %x, %db : (tensor<4x16xf32>, tensor<4x16xf32>) -> tensor<4x16xf32>
  return %o : tensor<4x16xf32>
})mlir",
     {{4, 16}},
     2},
    {"relu_and_erf_gelu",
     R"mlir(
func.func @f(%x: tensor<2x16xf32>) -> (tensor<2x32xf32>, tensor<2x32xf32>) {
  %w1 = graph.weight_ref @w1 : tensor<32x16xf32>
  %a = graph.linear %x, %w1 : (tensor<2x16xf32>, tensor<32x16xf32>) -> tensor<2x32xf32>
  %ra = graph.relu %a : tensor<2x32xf32>
  %w3 = graph.weight_ref @w3 : tensor<32x16xf32>
  %b = graph.linear %x, %w3 : (tensor<2x16xf32>, tensor<32x16xf32>) -> tensor<2x32xf32>
  %gb = graph.gelu %b : tensor<2x32xf32>
  return %ra, %gb : tensor<2x32xf32>, tensor<2x32xf32>
})mlir",
     {{2, 16}},
     2},
};

int countFused(mlir::ModuleOp module) {
  int n = 0;
  module.walk([&](graph::FusedLinearOp) { ++n; });
  return n;
}

std::vector<HostTensor> evaluate(GraphContext &c, mlir::ModuleOp module,
                                 const std::vector<HostTensor> &args) {
  GraphEvaluator eval(c.store());
  auto func = module.lookupSymbol<mlir::func::FuncOp>("f");
  std::optional<std::vector<HostTensor>> out = eval.run(func, args);
  EXPECT_TRUE(out) << eval.error();
  return out ? *out : std::vector<HostTensor>{};
}

class FusionSemantics : public ::testing::TestWithParam<Case> {};

} // namespace

TEST_P(FusionSemantics, OutputsAreBitIdentical) {
  const Case &tc = GetParam();
  GraphContext c;
  auto module = c.parse(std::string(kPrelude) + tc.ir);
  ASSERT_TRUE(module);
  std::vector<HostTensor> args;
  unsigned seed = 100;
  for (const auto &shape : tc.argShapes)
    args.push_back({shape, randomValues(size_t(shape[0] * shape[1]), seed++)});

  std::vector<HostTensor> before = evaluate(c, *module, args);
  ASSERT_TRUE(mlir::succeeded(c.run(*module, "func.func(strata-graph-fuse)"))) << c.diagnostics;
  EXPECT_GE(countFused(*module), tc.minFused) << print(*module);
  std::vector<HostTensor> after = evaluate(c, *module, args);

  ASSERT_EQ(before.size(), after.size());
  for (size_t r = 0; r < before.size(); ++r) {
    ASSERT_EQ(before[r].shape, after[r].shape);
    EXPECT_EQ(0, std::memcmp(before[r].data.data(), after[r].data.data(),
                             before[r].data.size() * sizeof(float)))
        << "result " << r << " changed\n"
        << print(*module);
  }
}

INSTANTIATE_TEST_SUITE_P(Graphs, FusionSemantics, ::testing::ValuesIn(kCases),
                         [](const ::testing::TestParamInfo<Case> &info) {
                           return std::string(info.param.name);
                         });

// The end effect of quantization on a fused block: int8 weights move the
// output by well under a percent of its RMS, mixed by about as much, fp16 by
// much less.
TEST(QuantizedFusedBlock, OutputErrorStaysSmall) {
  std::vector<HostTensor> args = {{{4, 16}, randomValues(64, 7)}};
  auto outputOf = [&](const std::string &pipeline) {
    GraphContext c;
    auto module = c.parse(std::string(kPrelude) + kCases[0].ir);
    EXPECT_TRUE(mlir::succeeded(c.run(*module, pipeline))) << c.diagnostics;
    return evaluate(c, *module, args).at(0).data;
  };
  std::vector<float> ref = outputOf("strata-graph-pipeline{policy=fp32}");
  auto relRms = [&](const std::vector<float> &y) {
    double d2 = 0, r2 = 0;
    for (size_t i = 0; i < ref.size(); ++i) {
      d2 += double(y[i] - ref[i]) * (y[i] - ref[i]);
      r2 += double(ref[i]) * ref[i];
    }
    return std::sqrt(d2 / r2);
  };
  double int8 = relRms(outputOf("strata-graph-pipeline{policy=int8}"));
  double mixed = relRms(outputOf("strata-graph-pipeline{policy=mixed}"));
  double fp16 = relRms(outputOf("strata-graph-pipeline{policy=fp16}"));
  double int4 = relRms(outputOf("strata-graph-pipeline{policy=int4 group-size=16}"));
  RecordProperty("rel_rms_int8", std::to_string(int8));
  RecordProperty("rel_rms_mixed", std::to_string(mixed));
  RecordProperty("rel_rms_fp16", std::to_string(fp16));
  RecordProperty("rel_rms_int4", std::to_string(int4));
  EXPECT_GT(int8, 0.0);
  EXPECT_LT(int8, 0.01);
  EXPECT_LT(mixed, 0.01);
  EXPECT_LT(fp16, int8);
  EXPECT_GT(int4, int8);
  EXPECT_LT(int4, 0.1);
}
