//===- OpExecTest.cpp - Single graph ops compiled and run -----------------===//
#include "ExecReference.h"
#include "ExecTestSupport.h"
#include "GraphText.h"

#include <sstream>

namespace strata::exectest {
namespace {

std::string linearModule(int64_t M, int64_t K, int64_t N, bool bias) {
  std::ostringstream s;
  s << "module {\n"
    << "  graph.weight @w : tensor<" << N << "x" << K << "xf32> {seed = 11 : i64, init_scale = 0.5 : f64}\n";
  if (bias)
    s << "  graph.weight @b : tensor<" << N << "xf32> {seed = 12 : i64}\n";
  s << "  func.func @main(%x: tensor<" << M << "x" << K << "xf32>) -> tensor<" << M << "x" << N
    << "xf32> attributes {graph.entry} {\n"
    << "    %w = graph.weight_ref @w : tensor<" << N << "x" << K << "xf32>\n";
  if (bias)
    s << "    %b = graph.weight_ref @b : tensor<" << N << "xf32>\n";
  s << "    %y = graph.linear %x, %w" << (bias ? ", %b" : "") << " : (tensor<" << M << "x" << K
    << "xf32>, tensor<" << N << "x" << K << "xf32>" << (bias ? ", tensor<" + std::to_string(N) + "xf32>" : "")
    << ") -> tensor<" << M << "x" << N << "xf32>\n"
    << "    return %y : tensor<" << M << "x" << N << "xf32>\n  }\n}\n";
  return s.str();
}

struct LinearCase {
  int64_t M, K, N;
  bool bias;
  unsigned cores;
};

class LinearExec : public ::testing::TestWithParam<LinearCase> {};

TEST_P(LinearExec, MatchesReferenceF32) {
  const LinearCase c = GetParam();
  CompileOptions options;
  options.cores = c.cores;
  options.compareFusion = false;
  auto out = compile(linearModule(c.M, c.K, c.N, c.bias), options);
  ASSERT_TRUE(out);
  Runner run(out->binary);
  ASSERT_TRUE(run.ok());
  std::vector<float> x = inputs(size_t(c.M * c.K), 3);
  run.write("input0", x);
  ASSERT_TRUE(run.run("main"));
  std::vector<float> w = seeded({c.N, c.K}, 11, 0.5);
  std::vector<float> b = seeded({c.N}, 12);
  std::vector<float> want = ref::linear(x, w, c.M, c.K, c.N, c.bias ? &b : nullptr);
  EXPECT_TRUE(near(run.readF32("logits"), want, 1e-5, 1e-5));
}

INSTANTIATE_TEST_SUITE_P(Shapes, LinearExec,
                         ::testing::Values(LinearCase{4, 64, 96, false, 1},
                                           LinearCase{4, 64, 96, true, 1},
                                           LinearCase{1, 256, 1024, true, 4},
                                           LinearCase{7, 96, 200, true, 2}));

TEST(RowOpExec, RmsNorm) {
  const int64_t M = 5, K = 64;
  GraphText g;
  g.weight("g", {K}, 4);
  g.func("main", {"%x: " + t2(M, K)}, t2(M, K));
  g.op("%y = graph.rms_norm %x, %g {eps = 1.0e-05 : f64} : (" + t2(M, K) + ", tensor<64xf32>) -> " + t2(M, K));
  g.ret("%y", t2(M, K));
  std::vector<float> x = inputs(M * K, 1);
  EXPECT_TRUE(near(runMain(g.str(), {x}), ref::rmsNorm(x, seeded({K}, 4), M, K, 1e-5f), 1e-5, 1e-5));
}

TEST(RowOpExec, LayerNormSplitOverCores) {
  const int64_t M = 40, K = 96;
  GraphText g;
  g.weight("g", {K}, 4);
  g.weight("b", {K}, 5);
  g.func("main", {"%x: " + t2(M, K)}, t2(M, K));
  g.op("%y = graph.layer_norm %x, %g, %b {eps = 1.0e-05 : f64} : (" + t2(M, K) +
       ", tensor<96xf32>, tensor<96xf32>) -> " + t2(M, K));
  g.ret("%y", t2(M, K));
  std::vector<float> x = inputs(M * K, 2);
  EXPECT_TRUE(near(runMain(g.str(), {x}), ref::layerNorm(x, seeded({K}, 4), seeded({K}, 5), M, K, 1e-5f),
                   1e-5, 1e-5));
}

TEST(RowOpExec, ElementwiseChain) {
  // silu, gelu (both forms), relu, add of a broadcast weight row, mul.
  const int64_t M = 3, K = 48;
  GraphText g;
  g.weight("r", {K}, 6);
  g.func("main", {"%x: " + t2(M, K)}, t2(M, K));
  std::string t = t2(M, K);
  g.op("%a = graph.silu %x : " + t);
  g.op("%b = graph.gelu %a {approximate = #graph<gelu_approx tanh>} : " + t);
  g.op("%c = graph.gelu %x : " + t);
  g.op("%d = graph.add %b, %r : (" + t + ", tensor<48xf32>) -> " + t);
  g.op("%e = graph.mul %d, %c : (" + t + ", " + t + ") -> " + t);
  g.op("%f = graph.relu %e : " + t);
  g.ret("%f", t);
  std::vector<float> x = inputs(M * K, 3);
  std::vector<float> r = seeded({K}, 6), want(x.size());
  for (int64_t i = 0; i < M * K; ++i) {
    float b = ref::geluTanh(ref::silu(x[size_t(i)]));
    float d = b + r[size_t(i % K)];
    want[size_t(i)] = std::max(0.0f, d * ref::geluErf(x[size_t(i)]));
  }
  EXPECT_TRUE(near(runMain(g.str(), {x}), want, 1e-5, 1e-4));
}

TEST(RowOpExec, Softmax) {
  const int64_t M = 4, K = 33;
  GraphText g;
  g.func("main", {"%x: " + t2(M, K)}, t2(M, K));
  g.op("%y = graph.softmax %x {scale = 2.0 : f64} : " + t2(M, K));
  g.ret("%y", t2(M, K));
  std::vector<float> x = inputs(M * K, 4);
  EXPECT_TRUE(near(runMain(g.str(), {x}), ref::softmaxRows(x, M, K, 2.0), 1e-6, 1e-5));
}

TEST(RowOpExec, RopeAtRuntimePosition) {
  const int64_t M = 3, D = 32, hd = 8;
  for (bool half : {false, true}) {
    GraphText g;
    g.func("main", {"%x: " + t2(M, D), "%pos: index"}, t2(M, D));
    g.op(std::string("%y = graph.rope %x, %pos {head_dim = 8 : i64, theta = 1.0e+04 : f64, style = #graph<rope_style ") +
         (half ? "half_split" : "interleaved") + ">} : (" + t2(M, D) + ", index) -> " + t2(M, D));
    g.ret("%y", t2(M, D));
    CompileOptions options;
    options.compareFusion = false;
    auto out = compile(g.str(), options);
    ASSERT_TRUE(out);
    Runner run(out->binary);
    ASSERT_TRUE(run.ok());
    std::vector<float> x = inputs(M * D, 5);
    run.write("input0", x);
    ASSERT_TRUE(run.run("main", {{"pos", 7}}));
    EXPECT_TRUE(near(run.readF32("logits"), ref::rope(x, M, D, hd, 7, 1e4, half), 1e-5, 1e-4))
        << (half ? "half_split" : "interleaved");
  }
}

TEST(GatherExec, EmbeddingAndTakeRow) {
  // tokens -> embedding rows; take_row(n_valid - 1) of them.
  const int64_t V = 50, D = 24, T = 6;
  GraphText g;
  g.weight("emb", {V, D}, 8, 1.0, "embedding");
  g.func("prefill", {"%tokens: tensor<6xi32>", "%pos: index", "%n_valid: index"}, t2(1, D));
  g.op("%x = graph.embedding %emb, %tokens : (" + t2(V, D) + ", tensor<6xi32>) -> " + t2(T, D));
  g.op("%one = arith.constant 1 : index");
  g.op("%last = arith.subi %n_valid, %one : index");
  g.op("%r = graph.take_row %x, %last : (" + t2(T, D) + ", index) -> " + t2(1, D));
  g.ret("%r", t2(1, D));
  CompileOptions options;
  options.compareFusion = false;
  auto out = compile(g.str(), options);
  ASSERT_TRUE(out);
  Runner run(out->binary);
  ASSERT_TRUE(run.ok());
  std::vector<int32_t> tokens{3, 49, 0, 17, 17, 8};
  run.write("tokens", tokens);
  ASSERT_TRUE(run.run("prefill", {{"pos", 0}, {"n_valid", 4}}));
  std::vector<float> emb = seeded({V, D}, 8);
  std::vector<float> want(emb.begin() + 17 * D, emb.begin() + 18 * D);
  EXPECT_TRUE(near(run.readF32("logits"), want, 0, 0));
  ASSERT_TRUE(run.run("prefill", {{"pos", 0}, {"n_valid", 2}}));
  want.assign(emb.begin() + 49 * D, emb.begin() + 50 * D);
  EXPECT_TRUE(near(run.readF32("logits"), want, 0, 0));
}

} // namespace
} // namespace strata::exectest
