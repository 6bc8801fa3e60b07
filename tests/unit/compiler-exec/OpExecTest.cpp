//===- OpExecTest.cpp - Single graph ops compiled and run -----------------===//
#include "ExecReference.h"
#include "ExecTestSupport.h"

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

} // namespace
} // namespace strata::exectest
