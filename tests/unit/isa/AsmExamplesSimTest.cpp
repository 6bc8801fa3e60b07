//===- AsmExamplesSimTest.cpp - The sample programs compute what they say -===//
//
// Assembles each program of examples/asm/, runs it on the simulator and
// compares its outputs with a plain C++ reference of what its comments
// promise, so the samples stay correct as the ISA and the simulator evolve.
//
//===----------------------------------------------------------------------===//
#include "strata/sim/Simulator.h"
#include "strata/support/Float16.h"
#include "strata/target/ArchConfig.h"
#include "strata/target/Assembly.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>

namespace strata {
namespace {

std::string example(const std::string &name) {
  return std::string(STRATA_SOURCE_DIR) + "/examples/asm/" + name;
}

struct Loaded {
  bin::Binary binary;
  std::unique_ptr<sim::Simulator> sim;
};

Loaded load(const std::string &name) {
  Loaded l;
  ArchConfig arch;
  bin::AssembleOptions opts;
  opts.arch = &arch;
  Expected<bin::Binary> b = bin::assembleFile(example(name), opts);
  EXPECT_TRUE(b) << (b ? "" : b.message());
  if (!b)
    return l;
  l.binary = b.takeValue();
  auto sim = sim::Simulator::create(arch);
  EXPECT_TRUE(sim) << (sim ? "" : sim.message());
  if (!sim)
    return l;
  l.sim = sim.takeValue();
  Status s = l.sim->load(l.binary);
  EXPECT_TRUE(s) << (s ? "" : s.message());
  return l;
}

float f16(float v) { return roundToF16(v); }

std::vector<float> f16Bytes(const uint8_t *p, size_t n) {
  std::vector<float> v(n);
  for (size_t i = 0; i < n; ++i)
    v[i] = f16ToF32(uint16_t(p[2 * i] | p[2 * i + 1] << 8));
  return v;
}

TEST(AsmExamplesOnSimulator, GemmSoftmax) {
  Loaded l = load("gemm_softmax.s");
  ASSERT_TRUE(l.sim);
  Expected<sim::RunResult> r = l.sim->run("main");
  ASSERT_TRUE(r) << r.message();
  std::vector<float> probs(8 * 16);
  ASSERT_TRUE(l.sim->readIo("probs", probs.data(), probs.size() * 4));

  std::vector<float> a = f16Bytes(l.binary.constants[0].data, 8 * 16);
  std::vector<float> b = f16Bytes(l.binary.constants[1].data, 16 * 16);
  for (int i = 0; i < 8; ++i) {
    EXPECT_EQ(a[i * 16 + 1], float(((i * 16 + 1) % 7 - 3) * 0.25)) << "A as documented";
    double row[16], max = -1e30, sum = 0;
    for (int n = 0; n < 16; ++n) {
      double acc = 0;
      for (int k = 0; k < 16; ++k)
        acc += double(a[i * 16 + k]) * b[k * 16 + n];
      row[n] = acc;
      max = std::max(max, acc);
    }
    for (double &v : row)
      sum += (v = std::exp(v - max));
    for (int n = 0; n < 16; ++n)
      EXPECT_NEAR(probs[i * 16 + n], row[n] / sum, 1e-5) << i << "," << n;
  }
  EXPECT_GT(r->cycles, 0u);
}

float silu(float x) { return x / (1.0f + std::exp(-x)); }

TEST(AsmExamplesOnSimulator, DoubleBufferStreamsEveryTile) {
  Loaded l = load("double_buffer.s");
  ASSERT_TRUE(l.sim);
  std::vector<float> x(128 * 256), y(128 * 256, -1.0f);
  std::mt19937 rng(1);
  std::uniform_real_distribution<float> dist(-6.0f, 6.0f);
  for (float &v : x)
    v = dist(rng);
  ASSERT_TRUE(l.sim->writeIo("x", x.data(), x.size() * 4));
  Expected<sim::RunResult> r = l.sim->run("main", {{"pairs", 4}});
  ASSERT_TRUE(r) << r.message();
  ASSERT_TRUE(l.sim->readIo("y", y.data(), y.size() * 4));
  for (size_t i = 0; i < x.size(); ++i)
    ASSERT_NEAR(y[i], silu(x[i]), 1e-5f * std::max(1.0f, std::fabs(y[i]))) << i;

  // The same work through one buffer: every load waits for the previous
  // store, so nothing overlaps. Two buffers must be clearly faster.
  std::string single = R"(
.region io kind=io addr=0x100000 size=0x200000
.input  x f32[128,256] addr=0x100000
.output y f32[128,256] addr=0x200000
.entry main
.core 0
    li r1, 0
    li r2, 8
    li r3, 0
    sem.signal store, s4
loop:
    sem.wait load, s4
    dma.load src=hbm[r3+0x100000] dst=sram[0x0] size=16384
    sem.signal load, s0
    sem.wait compute, s0
    vsilu rows=16 cols=256 in=f32 out=f32 x=[0x0] ld0=256 dst=[0x8000] ldd=256
    sem.signal compute, s2
    sem.wait store, s2
    dma.store src=sram[0x8000] dst=hbm[r3+0x200000] size=16384
    sem.signal store, s4
    addi r3, r3, 16384
    addi r1, r1, 1
    blt r1, r2, loop
    halt
)";
  Expected<bin::Binary> serial = bin::assemble(single, "single_buffer.s");
  ASSERT_TRUE(serial) << serial.message();
  auto sim = sim::Simulator::create(ArchConfig{});
  ASSERT_TRUE(sim) << sim.message();
  ASSERT_TRUE((*sim)->load(*serial));
  ASSERT_TRUE((*sim)->writeIo("x", x.data(), x.size() * 4));
  Expected<sim::RunResult> rs = (*sim)->run("main");
  ASSERT_TRUE(rs) << rs.message();
  std::vector<float> ys(y.size());
  ASSERT_TRUE((*sim)->readIo("y", ys.data(), ys.size() * 4));
  EXPECT_EQ(ys, y);
  double doubled = r->endNs - r->startNs, serialNs = rs->endNs - rs->startNs;
  EXPECT_LT(doubled, 0.8 * serialNs) << "double-buffered " << doubled << " ns, single "
                                     << serialNs << " ns";
}

TEST(AsmExamplesOnSimulator, Int8LinearMatchesTheQuantizedReference) {
  Loaded l = load("int8_linear.s");
  ASSERT_TRUE(l.sim);
  constexpr int M = 8, N = 16, K = 64, G = 32;
  std::vector<float> x(M * K);
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> dist(-2.0f, 2.0f);
  for (float &v : x)
    v = dist(rng);
  ASSERT_TRUE(l.sim->writeIo("x", x.data(), x.size() * 4));
  Expected<sim::RunResult> r = l.sim->run("main");
  ASSERT_TRUE(r) << r.message();
  std::vector<uint16_t> y(M * N);
  ASSERT_TRUE(l.sim->readIo("y", y.data(), y.size() * 2));

  auto w = [](int n, int k) { return (7 * n + 3 * k) % 15 - 7; };
  auto wScale = [](int n, int g) { return f16(0.05f + 0.01f * float((n + g) % 5)); };
  for (int i = 0; i < M; ++i) {
    float amax = 0;
    for (int k = 0; k < K; ++k)
      amax = std::max(amax, std::fabs(x[i * K + k]));
    float d = f16(amax / 127.0f);
    int q[K];
    for (int k = 0; k < K; ++k)
      q[k] = int(std::clamp(std::nearbyint(x[i * K + k] * (127.0f / amax)), -127.0f, 127.0f));
    for (int n = 0; n < N; ++n) {
      float acc = 0;
      for (int g = 0; g < K / G; ++g) {
        int32_t sum = 0;
        for (int k = g * G; k < (g + 1) * G; ++k)
          sum += q[k] * w(n, k);
        acc += float(sum) * d * wScale(n, g);
      }
      float v = acc + 0.1f * float(n - 8);
      float gelu =
          0.5f * v * (1.0f + std::tanh(0.7978845608f * (v + 0.044715f * v * v * v)));
      float got = bf16ToF32(y[i * N + n]);
      EXPECT_NEAR(got, gelu, 1e-2f * std::max(1.0f, std::fabs(gelu))) << i << "," << n;
    }
  }
}

TEST(AsmExamplesOnSimulator, KvDecodeAppendsAndAttendsOverTheCache) {
  Loaded l = load("kv_decode.s");
  ASSERT_TRUE(l.sim);
  std::mt19937 rng(3);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  // Keys and values of every step, per head, as the kernel stores them (f16).
  std::vector<std::vector<float>> keys[2], values[2];
  for (int pos = 0; pos < 3; ++pos) {
    std::vector<uint16_t> q(128), k(128), v(128);
    std::vector<float> qf(128), kf(128), vf(128);
    for (int i = 0; i < 128; ++i) {
      qf[i] = f16(dist(rng));
      kf[i] = f16(dist(rng));
      vf[i] = f16(dist(rng));
      q[i] = f32ToF16(qf[i]);
      k[i] = f32ToF16(kf[i]);
      v[i] = f32ToF16(vf[i]);
    }
    ASSERT_TRUE(l.sim->writeIo("q", q.data(), 256));
    ASSERT_TRUE(l.sim->writeIo("k_new", k.data(), 256));
    ASSERT_TRUE(l.sim->writeIo("v_new", v.data(), 256));
    Expected<sim::RunResult> r = l.sim->run("decode", {{"pos", pos}});
    ASSERT_TRUE(r) << r.message();
    std::vector<float> out(128);
    ASSERT_TRUE(l.sim->readIo("out", out.data(), 512));
    for (int h = 0; h < 2; ++h) {
      keys[h].emplace_back(kf.begin() + 64 * h, kf.begin() + 64 * h + 64);
      values[h].emplace_back(vf.begin() + 64 * h, vf.begin() + 64 * h + 64);
      std::vector<double> s(pos + 1);
      double max = -1e30, sum = 0;
      for (int t = 0; t <= pos; ++t) {
        double dot = 0;
        for (int j = 0; j < 64; ++j)
          dot += double(qf[64 * h + j]) * keys[h][t][j];
        s[t] = dot * 0.125;
        max = std::max(max, s[t]);
      }
      for (double &e : s)
        sum += (e = std::exp(e - max));
      for (int j = 0; j < 64; ++j) {
        double o = 0;
        for (int t = 0; t <= pos; ++t)
          o += f16(float(s[t] / sum)) * values[h][t][j];
        EXPECT_NEAR(out[64 * h + j], o, 1e-4) << "pos " << pos << " head " << h << " j " << j;
      }
    }
  }
}

} // namespace
} // namespace strata
