//===- SamplerTest.cpp - Greedy, temperature, top-k, top-p, seeds ---------===//
#include "strata/runtime/Sampler.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <vector>

namespace strata::runtime {
namespace {

TEST(Sampler, GreedyTakesTheLowestIndexOfATie) {
  Sampler s({});
  EXPECT_EQ(s.sample({0.5f, 2.0f, 1.0f, 2.0f}), 1);
  EXPECT_EQ(s.sample({-1.0f, -1.0f}), 0);
  EXPECT_EQ(argmaxToken(std::vector<float>{3, 1, 3}.data(), 3), 0);
}

TEST(Sampler, GeneratorIsRunCsXorshift) {
  // Values of run.c's random_f32 for seeds 42 and 1 (computed independently
  // from its xorshift64* definition).
  SamplingOptions o;
  o.seed = 42;
  Sampler a(o);
  EXPECT_FLOAT_EQ(a.nextUniform(), 0.3390852212905884f);
  EXPECT_FLOAT_EQ(a.nextUniform(), 0.7822558283805847f);
  EXPECT_FLOAT_EQ(a.nextUniform(), 0.790136992931366f);
  EXPECT_FLOAT_EQ(a.nextUniform(), 0.9440426230430603f);
  o.seed = 1;
  Sampler b(o);
  EXPECT_FLOAT_EQ(b.nextUniform(), 0.28083503246307373f);
  EXPECT_FLOAT_EQ(b.nextUniform(), 0.6711372137069702f);
}

TEST(Sampler, ZeroSeedStillDraws) {
  SamplingOptions o;
  o.seed = 0;
  Sampler s(o);
  float first = s.nextUniform(), second = s.nextUniform();
  EXPECT_NE(first, second);
}

TEST(Sampler, MultinomialWalksTheCdfInIndexOrder) {
  // With probabilities (from logits log p) 0.2, 0.5, 0.3 and temperature 1,
  // coin c picks the first index whose CDF exceeds c.
  std::vector<float> logits{std::log(0.2f), std::log(0.5f), std::log(0.3f)};
  SamplingOptions o;
  o.temperature = 1.0f;
  o.seed = 42; // first coin 0.339 -> CDF 0.2, 0.7 -> index 1
  Sampler s(o);
  EXPECT_EQ(s.sample(logits), 1);
  // Second coin 0.782 -> beyond 0.7 -> index 2.
  EXPECT_EQ(s.sample(logits), 2);
}

TEST(Sampler, SameSeedSameTokens) {
  std::vector<float> logits(50);
  for (size_t i = 0; i < logits.size(); ++i)
    logits[i] = std::sin(float(i));
  SamplingOptions o;
  o.temperature = 0.8f;
  o.topP = 0.9f;
  o.seed = 1234;
  Sampler a(o), b(o);
  for (int i = 0; i < 100; ++i)
    ASSERT_EQ(a.sample(logits), b.sample(logits));
  o.seed = 1235;
  Sampler c(o);
  Sampler d({o.temperature, o.topK, o.topP, 1234});
  int differ = 0;
  for (int i = 0; i < 100; ++i)
    differ += c.sample(logits) != d.sample(logits);
  EXPECT_GT(differ, 0);
}

TEST(Sampler, FrequenciesFollowTheSoftmax) {
  std::vector<float> logits{0.0f, std::log(3.0f)}; // p = 0.25, 0.75
  SamplingOptions o;
  o.temperature = 1.0f;
  o.seed = 7;
  Sampler s(o);
  int ones = 0;
  const int n = 20000;
  for (int i = 0; i < n; ++i)
    ones += s.sample(logits);
  EXPECT_NEAR(double(ones) / n, 0.75, 0.015);
}

TEST(Sampler, TemperatureSharpensAndFlattens) {
  std::vector<float> logits{0.0f, 1.0f};
  auto freq = [&](float t) {
    SamplingOptions o;
    o.temperature = t;
    o.seed = 99;
    Sampler s(o);
    int ones = 0;
    for (int i = 0; i < 10000; ++i)
      ones += s.sample(logits);
    return ones / 10000.0;
  };
  double p1 = 1.0 / (1.0 + std::exp(-1.0));   // 0.731 at T = 1
  double pCold = 1.0 / (1.0 + std::exp(-4.0)); // T = 0.25
  double pHot = 1.0 / (1.0 + std::exp(-0.25)); // T = 4
  EXPECT_NEAR(freq(1.0f), p1, 0.02);
  EXPECT_NEAR(freq(0.25f), pCold, 0.02);
  EXPECT_NEAR(freq(4.0f), pHot, 0.02);
}

TEST(Sampler, TopKKeepsOnlyTheKBest) {
  std::vector<float> logits{1.0f, 3.0f, 0.5f, 2.9f, 2.0f};
  SamplingOptions o;
  o.temperature = 5.0f; // nearly flat: without top-k every token appears
  o.topK = 2;
  o.seed = 3;
  Sampler s(o);
  std::map<int32_t, int> seen;
  for (int i = 0; i < 2000; ++i)
    ++seen[s.sample(logits)];
  EXPECT_EQ(seen.size(), 2u);
  EXPECT_GT(seen[1], 0);
  EXPECT_GT(seen[3], 0);
  o.topK = 1;
  Sampler one(o);
  for (int i = 0; i < 50; ++i)
    EXPECT_EQ(one.sample(logits), 1);
}

TEST(Sampler, TopPKeepsTheNucleus) {
  // p ~ 0.6, 0.3, 0.1: top-p 0.5 keeps only the first; 0.85 keeps two.
  std::vector<float> logits{std::log(0.6f), std::log(0.3f), std::log(0.1f)};
  SamplingOptions o;
  o.temperature = 1.0f;
  o.topP = 0.5f;
  o.seed = 5;
  Sampler s(o);
  for (int i = 0; i < 200; ++i)
    EXPECT_EQ(s.sample(logits), 0);
  o.topP = 0.85f;
  Sampler two(o);
  std::map<int32_t, int> seen;
  for (int i = 0; i < 3000; ++i)
    ++seen[two.sample(logits)];
  EXPECT_EQ(seen.count(2), 0u);
  EXPECT_NEAR(seen[0] / 3000.0, 2.0 / 3.0, 0.03); // renormalised over the nucleus
}

TEST(Sampler, TopKThenTopP) {
  std::vector<float> logits{std::log(0.4f), std::log(0.3f), std::log(0.2f), std::log(0.1f)};
  SamplingOptions o;
  o.temperature = 1.0f;
  o.topK = 3;   // 0.444, 0.333, 0.222 after renormalising
  o.topP = 0.7f; // cumulative passes 0.7 at the second candidate
  o.seed = 11;
  Sampler s(o);
  std::map<int32_t, int> seen;
  for (int i = 0; i < 2000; ++i)
    ++seen[s.sample(logits)];
  EXPECT_EQ(seen.count(2) + seen.count(3), 0u);
  EXPECT_GT(seen[0], 0);
  EXPECT_GT(seen[1], 0);
}

TEST(Sampler, ValidatesOptions) {
  SamplingOptions o;
  EXPECT_TRUE(o.validate().empty());
  o.temperature = -1.0f;
  EXPECT_FALSE(o.validate().empty());
  o.temperature = NAN;
  EXPECT_FALSE(o.validate().empty());
  o.temperature = 1.0f;
  o.topP = NAN;
  EXPECT_FALSE(o.validate().empty());
}

TEST(Sampler, DegenerateInputs) {
  SamplingOptions o;
  o.temperature = 1.0f;
  o.topP = 0.01f; // flatter than the cutoff: falls back to the most probable
  Sampler s(o);
  std::vector<float> flat(8, 0.0f);
  flat[5] = 1e-3f;
  EXPECT_EQ(s.sample(flat), 5);
  std::vector<float> single{0.3f};
  EXPECT_EQ(s.sample(single), 0);
  EXPECT_EQ(s.sample(nullptr, 0), -1);
}

} // namespace
} // namespace strata::runtime
