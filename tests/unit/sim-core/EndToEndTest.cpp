//===- EndToEndTest.cpp - Whole programs: values, determinism, sessions ---===//
#include "TestPaths.h"
#include "SimTestUtil.h"

#include "strata/sim/core/Chip.h"
#include "strata/support/Float16.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <random>
#include <set>
#include <sstream>

using namespace strata;
using namespace strata::test;

namespace {

constexpr int M = 16, N = 48, K = 64;
constexpr uint64_t kA = 0x100000, kB = 0x200000, kOut = 0x300000;

bin::Binary gemmSoftmaxBinary() {
  bin::Binary b = binaryOf({kGemmSoftmaxProgram});
  b.regions.push_back({"io", bin::RegionKind::Io, 0x100000, 0x300000});
  bin::IoBinding a{"a", bin::IoDirection::Input, DType::F16, {M, K}, kA};
  bin::IoBinding w{"b", bin::IoDirection::Input, DType::F16, {K, N}, kB};
  bin::IoBinding o{"probs", bin::IoDirection::Output, DType::F32, {M, N}, kOut};
  b.io = {a, w, o};
  return b;
}

struct Inputs {
  std::vector<uint16_t> a, b;
  std::vector<float> af, bf;
};

Inputs makeInputs(uint32_t seed) {
  // Multiples of 1/16 in [-2, 2]: exact in f16, products exact in f32.
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> dist(-32, 32);
  Inputs in;
  for (int i = 0; i < M * K; ++i) {
    in.af.push_back(dist(rng) / 16.0f);
    in.a.push_back(f32ToF16(in.af.back()));
  }
  for (int i = 0; i < K * N; ++i) {
    in.bf.push_back(dist(rng) / 16.0f);
    in.b.push_back(f32ToF16(in.bf.back()));
  }
  return in;
}

std::vector<double> reference(const Inputs &in) {
  std::vector<double> out(M * N);
  for (int i = 0; i < M; ++i) {
    std::vector<double> row(N);
    double mx = -1e300;
    for (int j = 0; j < N; ++j) {
      double s = 0;
      for (int k = 0; k < K; ++k)
        s += double(in.af[i * K + k]) * in.bf[k * N + j];
      row[j] = s * 0.125;
      mx = std::max(mx, row[j]);
    }
    double sum = 0;
    for (int j = 0; j < N; ++j)
      sum += row[j] = std::exp(row[j] - mx);
    for (int j = 0; j < N; ++j)
      out[i * N + j] = row[j] / sum;
  }
  return out;
}

struct Outcome {
  sim::RunResult result;
  std::vector<float> probs;
  std::string stats;
};

Outcome runGemmSoftmax(const Inputs &in, const sim::SimOptions &options = {}) {
  Outcome o;
  auto sim = makeSim(testArch(), options);
  EXPECT_TRUE(sim->load(gemmSoftmaxBinary()));
  EXPECT_TRUE(sim->writeIo("a", in.a.data(), in.a.size() * 2));
  EXPECT_TRUE(sim->writeIo("b", in.b.data(), in.b.size() * 2));
  auto r = sim->run("main");
  EXPECT_TRUE(r) << r.message();
  if (r)
    o.result = *r;
  o.probs.resize(M * N);
  EXPECT_TRUE(sim->readIo("probs", o.probs.data(), o.probs.size() * 4));
  const std::string path = strata::test::tempPath("strata-e2e-stats.json");
  EXPECT_TRUE(sim->writeStats(path));
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  o.stats = ss.str();
  return o;
}

} // namespace

TEST(EndToEnd, GemmSoftmaxComputesTheReferenceValues) {
  const Inputs in = makeInputs(1);
  const std::vector<double> ref = reference(in);
  const Outcome o = runGemmSoftmax(in);
  for (int i = 0; i < M * N; ++i)
    ASSERT_NEAR(o.probs[i], ref[i], 1e-6 + 1e-5 * ref[i]) << "element " << i;
  for (int i = 0; i < M; ++i) {
    double sum = 0;
    for (int j = 0; j < N; ++j)
      sum += o.probs[i * N + j];
    EXPECT_NEAR(sum, 1.0, 1e-5);
  }
  EXPECT_EQ(o.result.tileInstructions, 10u);
  EXPECT_EQ(o.result.macs, double(M) * N * K);
  EXPECT_EQ(o.result.hbmReadBytes, 8192);
  EXPECT_EQ(o.result.hbmWriteBytes, 3072);
}

TEST(EndToEnd, TimingOnlySkipsValuesButKeepsTiming) {
  const Inputs in = makeInputs(2);
  sim::SimOptions timing;
  timing.timingOnly = true;
  const Outcome full = runGemmSoftmax(in);
  const Outcome fast = runGemmSoftmax(in, timing);
  EXPECT_EQ(full.result.cycles, fast.result.cycles);
  EXPECT_EQ(full.result.energyJ, fast.result.energyJ);
  for (float p : fast.probs)
    EXPECT_EQ(p, 0.0f);
}

TEST(EndToEnd, DeterministicCyclesStatsAndBytes) {
  const Inputs in = makeInputs(3);
  const Outcome a = runGemmSoftmax(in);
  const Outcome b = runGemmSoftmax(in);
  EXPECT_EQ(a.result.cycles, b.result.cycles);
  EXPECT_EQ(a.result.seconds, b.result.seconds);
  EXPECT_EQ(a.result.energyJ, b.result.energyJ);
  EXPECT_EQ(a.stats, b.stats);
  EXPECT_EQ(0, std::memcmp(a.probs.data(), b.probs.data(), a.probs.size() * 4));
}

TEST(EndToEnd, StatsAreNamedDescribedAndUnitTagged) {
  const Outcome o = runGemmSoftmax(makeInputs(4));
  nlohmann::json j = nlohmann::json::parse(o.stats);
  const nlohmann::json &core = j["stats"]["core0"];
  ASSERT_TRUE(core.contains("tensor"));
  const nlohmann::json &macs = core["tensor"]["macs_f16"];
  EXPECT_EQ(macs["value"].get<double>(), double(M) * N * K);
  EXPECT_EQ(macs["unit"], "MACs");
  EXPECT_FALSE(macs["desc"].get<std::string>().empty());
  const nlohmann::json &vu = core["vector"]["utilisation"];
  EXPECT_EQ(vu["unit"], "ratio");
  EXPECT_GT(vu["value"].get<double>(), 0.0);
  EXPECT_LE(vu["value"].get<double>(), 1.0);
  for (const char *group : {"sequencer", "load", "compute", "store", "vector", "dma", "sram"})
    EXPECT_TRUE(core.contains(group)) << group;
  EXPECT_TRUE(j["stats"].contains("power"));
  EXPECT_TRUE(j["stats"].contains("dvfs"));
  ASSERT_EQ(j["runs"].size(), 1u);
  EXPECT_EQ(j["runs"][0]["cycles"].get<uint64_t>(), o.result.cycles);
}

TEST(EndToEnd, RunsAccumulateTimeAndHbmPersists) {
  // Each run adds 1 to a vector in HBM (a stand-in for a KV cache).
  auto sim = makeSim(testArch());
  ASSERT_TRUE(sim->load(binaryOf({R"(
      dma.load src=hbm[0x1000] dst=sram[0x0] size=256
      sem.signal load, s0
      sem.wait compute, s0
      vadd rows=1 cols=64 in=f32 in1=f32 out=f32 bcast=scalar x=[0x0] ld0=64 dst=[0x0] ldd=64 imm=1.0
      sem.signal compute, s1
      sem.wait store, s1
      dma.store src=sram[0x0] dst=hbm[0x1000] size=256
      halt
    )"})));
  double lastEnd = 0;
  for (int i = 0; i < 3; ++i) {
    auto r = sim->run("main");
    ASSERT_TRUE(r) << r.message();
    EXPECT_DOUBLE_EQ(r->startNs, lastEnd);
    EXPECT_GT(r->endNs, r->startNs);
    lastEnd = r->endNs;
  }
  std::vector<float> v(64);
  ASSERT_TRUE(sim->readHbm(0x1000, v.data(), 256));
  EXPECT_EQ(v[0], 3.0f);
  EXPECT_EQ(v[63], 3.0f);
  EXPECT_EQ(sim->runs(), 3u);
}

TEST(EndToEnd, TwoSimulatorsInOneProcess) {
  const Inputs in = makeInputs(5);
  auto a = makeSim(testArch());
  auto b = makeSim(testArch(2));
  ASSERT_TRUE(a->load(gemmSoftmaxBinary()));
  ASSERT_TRUE(b->load(gemmSoftmaxBinary()));
  for (auto *s : {a.get(), b.get()}) {
    ASSERT_TRUE(s->writeIo("a", in.a.data(), in.a.size() * 2));
    ASSERT_TRUE(s->writeIo("b", in.b.data(), in.b.size() * 2));
  }
  auto ra = a->run("main");
  auto rb = b->run("main");
  auto ra2 = a->run("main");
  auto rb2 = b->run("main");
  ASSERT_TRUE(ra && rb && ra2 && rb2);
  EXPECT_EQ(ra->cycles, rb->cycles);
  // Second runs find the HBM rows of the first still open: faster, and the
  // same in both simulators.
  EXPECT_LT(ra2->cycles, ra->cycles);
  EXPECT_EQ(ra2->cycles, rb2->cycles);
  EXPECT_DOUBLE_EQ(ra2->startNs, ra->endNs);
  std::vector<float> pa(M * N), pb(M * N);
  ASSERT_TRUE(a->readIo("probs", pa.data(), pa.size() * 4));
  ASSERT_TRUE(b->readIo("probs", pb.data(), pb.size() * 4));
  EXPECT_EQ(pa, pb);
}

TEST(EndToEnd, TraceHasATrackPerQueueAndUnit) {
  const std::string path = strata::test::tempPath("strata-e2e-trace.json");
  {
    sim::SimOptions o;
    o.tracePath = path;
    Outcome out = runGemmSoftmax(makeInputs(6), o);
    (void)out;
  }
  std::ifstream f(path);
  ASSERT_TRUE(f.good());
  nlohmann::json j = nlohmann::json::parse(f);
  const nlohmann::json &events = j.is_array() ? j : j["traceEvents"];
  std::set<std::string> threads, slices, counters;
  for (const nlohmann::json &e : events) {
    const std::string ph = e.value("ph", "");
    if (ph == "M" && e.value("name", "") == "thread_name")
      threads.insert(e["args"]["name"].get<std::string>());
    else if (ph == "X")
      slices.insert(e["name"].get<std::string>());
    else if (ph == "C")
      counters.insert(e["name"].get<std::string>());
  }
  for (const char *t : {"sequencer", "load queue", "compute queue", "store queue", "vector unit",
                        "dma engine 0", "tensor group 0"})
    EXPECT_TRUE(threads.count(t)) << t;
  for (const char *s : {"gemm", "vsoftmax", "dma.load", "dma.store"})
    EXPECT_TRUE(slices.count(s)) << s;
  EXPECT_FALSE(counters.empty()) << "DVFS level and power counters";
}

TEST(EndToEnd, ScalarOnlyRunsStillAdvanceTime) {
  // The sequencer finishes ahead of the kernel's clock; the next run must
  // still start where this one ended.
  auto sim = makeSim(testArch());
  ASSERT_TRUE(sim->load(binaryOf({"li r1, 1\naddi r1, r1, 1\nhalt\n"})));
  auto a = sim->run("main");
  auto b = sim->run("main");
  ASSERT_TRUE(a && b);
  EXPECT_DOUBLE_EQ(a->endNs, 3.0);
  EXPECT_DOUBLE_EQ(b->startNs, 3.0);
  EXPECT_DOUBLE_EQ(b->endNs, 6.0);
  EXPECT_DOUBLE_EQ(sim->nowNs(), 6.0);
}
