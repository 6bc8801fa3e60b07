//===- Float16Test.cpp - FP16/BF16 conversions against the host's hardware ===//
//
// The scalar conversions of strata/support/Float16.h (shared by the compiler,
// the simulator and the model loaders) are the simulator's reference, so they
// are checked exhaustively against the x86 conversion instructions (F16C for
// binary16; AVX512-BF16 for bfloat16, which flushes subnormals, so only on
// normal results) and against exact arithmetic in double precision.
//
//===----------------------------------------------------------------------===//

#include "FuncTestSupport.h"

#include "strata/sim/func/Convert.h"

#include <cfloat>
#include <cmath>

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define STRATA_TEST_X86 1
#endif

namespace strata::sim::func {
namespace {

using namespace test;

#ifdef STRATA_TEST_X86
bool hostHasF16c() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("f16c") && __builtin_cpu_supports("avx");
}
bool hostHasAvx512Bf16() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512bf16") && __builtin_cpu_supports("avx512vl");
}

__attribute__((target("avx,f16c"))) void oracleF16ToF32(const uint16_t *in, float *out) {
  __m128i h = _mm_loadu_si128(reinterpret_cast<const __m128i *>(in));
  _mm256_storeu_ps(out, _mm256_cvtph_ps(h));
}

__attribute__((target("avx,f16c"))) void oracleF32ToF16(const float *in, uint16_t *out) {
  __m128i h = _mm256_cvtps_ph(_mm256_loadu_ps(in), _MM_FROUND_TO_NEAREST_INT);
  _mm_storeu_si128(reinterpret_cast<__m128i *>(out), h);
}

__attribute__((target("avx512bf16,avx512vl,avx512f"))) void oracleF32ToBf16(const float *in,
                                                                          uint16_t *out) {
  __m128bh h = _mm256_cvtneps_pbh(_mm256_loadu_ps(in));
  std::memcpy(out, &h, 16);
}
#endif

/// Exact value of a binary16 pattern from its fields, in double.
double f16Value(uint16_t h) {
  int e = (h >> 10) & 0x1F, m = h & 0x3FF;
  double s = (h & 0x8000) ? -1.0 : 1.0;
  if (e == 0)
    return s * std::ldexp(m, -24);
  return s * std::ldexp(1024 + m, e - 25);
}

/// Correctly rounded (nearest even) binary16 of a finite double, by search
/// over the representable magnitudes.
uint16_t f16Nearest(double x) {
  uint16_t sign = std::signbit(x) ? 0x8000 : 0;
  double a = std::fabs(x);
  if (a >= 65520.0)
    return sign | 0x7C00;
  // Largest non-negative pattern with value <= a.
  uint16_t lo = 0;
  for (int step = 1 << 14; step; step >>= 1)
    if (lo + step <= 0x7BFF && f16Value(uint16_t(lo + step)) <= a)
      lo = uint16_t(lo + step);
  double vlo = f16Value(lo), vhi = f16Value(uint16_t(lo + 1));
  if (vlo == a)
    return sign | lo;
  double dlo = a - vlo, dhi = vhi - a;
  uint16_t r = dlo < dhi ? lo : dhi < dlo ? uint16_t(lo + 1) : ((lo & 1) ? uint16_t(lo + 1) : lo);
  return sign | r;
}

TEST(Float16, WideningIsExactForAllPatterns) {
  for (uint32_t h = 0; h < 65536; ++h) {
    float f = f16ToF32(uint16_t(h));
    bool nan = (h & 0x7C00) == 0x7C00 && (h & 0x3FF);
    if (nan) {
      ASSERT_TRUE(std::isnan(f)) << h;
      ASSERT_EQ(std::signbit(f), bool(h & 0x8000)) << h;
    } else if ((h & 0x7FFF) == 0x7C00) {
      ASSERT_TRUE(std::isinf(f)) << h;
    } else {
      ASSERT_EQ(double(f), f16Value(uint16_t(h))) << h;
      ASSERT_EQ(std::signbit(f), bool(h & 0x8000)) << h;
    }
  }
}

TEST(Float16, RoundTripIsIdentityForAllNonNanPatterns) {
  for (uint32_t h = 0; h < 65536; ++h) {
    if ((h & 0x7C00) == 0x7C00 && (h & 0x3FF))
      continue;
    ASSERT_EQ(f32ToF16(f16ToF32(uint16_t(h))), h);
  }
}

TEST(Float16, NarrowingRoundsToNearestEvenAroundEveryValue) {
  // Between every pair of adjacent finite f16 values: the midpoint (a tie),
  // one FP32 ulp either side of it, and the FP32 neighbours of each value.
  for (uint32_t h = 0; h < 0x7C00; ++h) {
    float v = f16ToF32(uint16_t(h));
    double next = h + 1 < 0x7C00 ? f16Value(uint16_t(h + 1)) : 65536.0;
    float mid = float((double(v) + next) / 2); // exact: one more bit
    for (float x : {v, mid, std::nextafter(mid, 0.0f), std::nextafter(mid, 1e30f),
                    std::nextafter(v, 1e30f), std::nextafter(v, 0.0f)}) {
      for (float s : {x, -x}) {
        ASSERT_EQ(f32ToF16(s), f16Nearest(double(s))) << std::hexfloat << s;
      }
    }
  }
}

TEST(Float16, NarrowingSpecialValues) {
  EXPECT_EQ(f32ToF16(INFINITY), 0x7C00);
  EXPECT_EQ(f32ToF16(-INFINITY), 0xFC00);
  EXPECT_EQ(f32ToF16(65504.0f), 0x7BFF);
  EXPECT_EQ(f32ToF16(65519.99f), 0x7BFF);
  EXPECT_EQ(f32ToF16(65520.0f), 0x7C00); // tie rounds to even: Inf
  EXPECT_EQ(f32ToF16(1e10f), 0x7C00);
  EXPECT_EQ(f32ToF16(FLT_MAX), 0x7C00);
  EXPECT_EQ(f32ToF16(-0.0f), 0x8000);
  EXPECT_EQ(f32ToF16(std::ldexp(1.0f, -24)), 0x0001);  // smallest subnormal
  EXPECT_EQ(f32ToF16(std::ldexp(1.0f, -25)), 0x0000);  // tie to even zero
  EXPECT_EQ(f32ToF16(std::ldexp(1.5f, -25)), 0x0001);
  EXPECT_EQ(f32ToF16(std::ldexp(3.0f, -25)), 0x0002);  // 1.5 ulp: tie to even 2
  EXPECT_EQ(f32ToF16(FLT_MIN), 0x0000);
  EXPECT_EQ(f32ToF16(std::ldexp(1.0f, -14)), 0x0400); // smallest normal
  EXPECT_EQ(f32ToF16(std::ldexp(1023.5f, -24)), 0x0400); // subnormal carries into normal
  EXPECT_EQ(f32ToF16(bitsToFloat(0x7FC00000)), 0x7E00);
  EXPECT_EQ(f32ToF16(bitsToFloat(0xFF800001)), 0xFE00); // signalling -> quiet, sign kept
  EXPECT_EQ(f32ToF16(bitsToFloat(0x7F802000)), 0x7E01); // top payload bits kept
  EXPECT_EQ(floatBits(f16ToF32(0x7C01)), 0x7FC02000u);   // quiet bit set
}

#ifdef STRATA_TEST_X86
TEST(Float16, WideningMatchesF16cForAllPatterns) {
  if (!hostHasF16c())
    GTEST_SKIP() << "host has no F16C";
  for (uint32_t h0 = 0; h0 < 65536; h0 += 8) {
    uint16_t in[8];
    float want[8];
    for (int i = 0; i < 8; ++i)
      in[i] = uint16_t(h0 + i);
    oracleF16ToF32(in, want);
    for (int i = 0; i < 8; ++i)
      ASSERT_EQ(floatBits(f16ToF32(in[i])), floatBits(want[i])) << std::hex << in[i];
  }
}

TEST(Float16, NarrowingMatchesF16cOnASweepOfAllFloats) {
  if (!hostHasF16c())
    GTEST_SKIP() << "host has no F16C";
  // Every 251st bit pattern (all exponents, signs, NaNs and many mantissas),
  // then the low 16 bits exhaustively for every exponent (rounding bits).
  auto check = [](uint32_t first, uint32_t count, uint32_t stride) {
    float in[8];
    uint16_t want[8];
    for (uint64_t u = first, n = 0; n < count; n += 8) {
      for (int i = 0; i < 8; ++i, u += stride)
        in[i] = bitsToFloat(uint32_t(u));
      oracleF32ToF16(in, want);
      for (int i = 0; i < 8; ++i)
        if (f32ToF16(in[i]) != want[i])
          return ::testing::AssertionFailure()
                 << std::hex << "f32 " << floatBits(in[i]) << " -> " << f32ToF16(in[i])
                 << ", F16C " << want[i];
    }
    return ::testing::AssertionSuccess();
  };
  ASSERT_TRUE(check(0, (0xFFFFFFFFu / 251) & ~7u, 251));
  for (uint32_t e = 0; e < 512; ++e)
    ASSERT_TRUE(check((e << 23) | 0x2A0000, 65536, 1));
}

TEST(Float16, DISABLED_NarrowingMatchesF16cForAllFloats) {
  // 2^32 inputs through the scalar reference and every bulk path; run by
  // hand with --gtest_also_run_disabled_tests.
  if (!hostHasF16c())
    GTEST_SKIP() << "host has no F16C";
  constexpr size_t kBatch = 1 << 16;
  std::vector<float> in(kBatch);
  std::vector<uint16_t> want(kBatch);
  std::vector<uint8_t> got(2 * kBatch);
  for (uint64_t u0 = 0; u0 < (uint64_t(1) << 32); u0 += kBatch) {
    for (size_t i = 0; i < kBatch; ++i)
      in[i] = bitsToFloat(uint32_t(u0 + i));
    for (size_t i = 0; i < kBatch; i += 8)
      oracleF32ToF16(&in[i], &want[i]);
    for (size_t i = 0; i < kBatch; ++i)
      ASSERT_EQ(f32ToF16(in[i]), want[i]) << std::hex << u0 + i;
    forEachHostIsa([&] {
      storeFromFloat(DType::F16, in.data(), kBatch, got.data(), 0);
      ASSERT_EQ(std::memcmp(got.data(), want.data(), 2 * kBatch), 0) << std::hex << u0;
    });
  }
}

TEST(BFloat16, NarrowingMatchesAvx512Bf16OnNormalResults) {
  if (!hostHasAvx512Bf16())
    GTEST_SKIP() << "host has no AVX512-BF16";
  std::mt19937 rng(7);
  float in[8];
  uint16_t want[8];
  for (int iter = 0; iter < 200000; ++iter) {
    for (auto &f : in) {
      uint32_t u = rng();
      uint32_t e = (u >> 23) & 0xFF;
      if (e == 0) // the instruction flushes subnormals; keep to normals
        u |= 0x00800000u;
      f = bitsToFloat(u);
    }
    oracleF32ToBf16(in, want);
    for (int i = 0; i < 8; ++i) {
      uint16_t got = f32ToBf16(in[i]);
      if (std::isnan(in[i]))
        ASSERT_TRUE((got & 0x7F80) == 0x7F80 && (got & 0x7F)) << std::hex << floatBits(in[i]);
      else
        ASSERT_EQ(got, want[i]) << std::hex << floatBits(in[i]);
    }
  }
}
#endif

TEST(BFloat16, AllPatternsRoundTripAndRoundToNearestEven) {
  for (uint32_t b = 0; b < 65536; ++b) {
    float v = bf16ToF32(uint16_t(b));
    ASSERT_EQ(floatBits(v), b << 16);
    if (std::isnan(v)) {
      ASSERT_EQ(f32ToBf16(v), uint16_t(b | 0x40)); // quiet, payload kept
      continue;
    }
    ASSERT_EQ(f32ToBf16(v), b);
    if ((b & 0x7FFF) >= 0x7F80)
      continue;
    // The tie halfway to the next pattern rounds to the even one; one bit
    // either side rounds to the nearer.
    uint32_t mid = (b << 16) | 0x8000;
    uint16_t even = (b & 1) ? uint16_t(b + 1) : uint16_t(b);
    ASSERT_EQ(f32ToBf16(bitsToFloat(mid)), even) << std::hex << b;
    ASSERT_EQ(f32ToBf16(bitsToFloat(mid - 1)), b);
    ASSERT_EQ(f32ToBf16(bitsToFloat(mid + 1)), uint16_t(b + 1));
  }
  EXPECT_EQ(f32ToBf16(FLT_MAX), 0x7F80); // rounds up to Inf
  EXPECT_EQ(f32ToBf16(bitsToFloat(0x7F7F7FFF)), 0x7F7F);
  EXPECT_EQ(f32ToBf16(bitsToFloat(0x00008000)), 0x0000); // subnormal tie to even
  EXPECT_EQ(f32ToBf16(bitsToFloat(0x00018000)), 0x0002);
}

//===--- Bulk converters: every path gives the scalar bits ----------------===//

TEST(Convert, BulkFloat16AndBFloat16MatchScalarForAllPatterns) {
  std::vector<uint8_t> src(2 * 65536 + 2);
  for (uint32_t h = 0; h < 65536; ++h)
    std::memcpy(&src[2 * h], &h, 2);
  forEachHostIsa([&] {
    for (DType t : {DType::F16, DType::BF16}) {
      std::vector<float> f(65536);
      loadAsFloat(t, src.data(), 0, 65536, f.data());
      for (uint32_t h = 0; h < 65536; ++h) {
        float want = t == DType::F16 ? f16ToF32(uint16_t(h)) : bf16ToF32(uint16_t(h));
        ASSERT_EQ(floatBits(f[h]), floatBits(want)) << h;
      }
      // Store every FP32 value just around each pattern back.
      std::vector<float> in;
      for (uint32_t h = 0; h < 65536; ++h)
        for (int d : {-1, 0, 1, 0x7FF, 0x1000, 0xFFF})
          in.push_back(bitsToFloat((h << 16) + uint32_t(d)));
      std::vector<uint8_t> out(2 * in.size());
      storeFromFloat(t, in.data(), in.size(), out.data(), 0);
      for (size_t i = 0; i < in.size(); ++i) {
        uint16_t got;
        std::memcpy(&got, &out[2 * i], 2);
        uint16_t want = t == DType::F16 ? f32ToF16(in[i]) : f32ToBf16(in[i]);
        ASSERT_EQ(got, want) << std::hex << floatBits(in[i]);
      }
    }
    // Unaligned host buffers take the memcpy path and agree too.
    std::vector<float> f(1000), g(1000);
    loadAsFloat(DType::F16, src.data() + 1, 0, 1000, f.data());
    for (int i = 0; i < 1000; ++i) {
      uint16_t h;
      std::memcpy(&h, src.data() + 1 + 2 * i, 2);
      ASSERT_EQ(floatBits(f[i]), floatBits(f16ToF32(h)));
    }
  });
}

TEST(Convert, IntegersRoundHalfToEvenAndSaturate) {
  struct Case {
    float in;
    int32_t i4, i8, i32;
  };
  const Case cases[] = {
      {0.5f, 0, 0, 0},       {1.5f, 2, 2, 2},         {2.5f, 2, 2, 2},
      {-0.5f, 0, 0, 0},      {-1.5f, -2, -2, -2},     {-2.5f, -2, -2, -2},
      {7.49f, 7, 7, 7},      {7.5f, 7, 8, 8},         {-8.5f, -8, -8, -8},
      {126.5f, 7, 126, 126}, {127.5f, 7, 127, 128},   {-128.5f, -8, -128, -128},
      {-129.0f, -8, -128, -129}, {1e9f, 7, 127, 1000000000}, {3e9f, 7, 127, INT32_MAX},
      {-3e9f, -8, -128, INT32_MIN}, {2147483648.0f, 7, 127, INT32_MAX},
      {-2147483648.0f, -8, -128, INT32_MIN}, {INFINITY, 7, 127, INT32_MAX},
      {-INFINITY, -8, -128, INT32_MIN}, {NAN, 0, 0, 0}, {-0.0f, 0, 0, 0},
  };
  forEachHostIsa([&] {
    for (const Case &c : cases) {
      std::vector<uint8_t> mem(8, 0xAA);
      storeFromFloat(DType::I4, &c.in, 1, mem.data(), 1); // high nibble of byte 0
      EXPECT_EQ(int8_t(mem[0]) >> 4, c.i4) << c.in;
      EXPECT_EQ(mem[0] & 0xF, 0xA) << "low nibble kept";
      storeFromFloat(DType::I8, &c.in, 1, mem.data(), 1);
      EXPECT_EQ(int8_t(mem[1]), c.i8) << c.in;
      storeFromFloat(DType::I32, &c.in, 1, mem.data(), 1);
      int32_t v;
      std::memcpy(&v, &mem[4], 4);
      EXPECT_EQ(v, c.i32) << c.in;
    }
  });
}

TEST(Convert, Int4PacksLowNibbleFirstAndSignExtends) {
  std::vector<uint8_t> mem = {0x21, 0x8F, 0x07};
  const int8_t want[] = {1, 2, -1, -8, 7, 0};
  for (int i = 0; i < 6; ++i)
    EXPECT_EQ(loadI4(mem.data(), i), want[i]) << i;
  std::vector<int32_t> ints(5);
  loadAsInt32(DType::I4, mem.data(), 1, 5, ints.data()); // odd start
  EXPECT_EQ(ints, (std::vector<int32_t>{2, -1, -8, 7, 0}));
  std::vector<float> fl(3);
  loadAsFloat(DType::I4, mem.data(), 2, 3, fl.data());
  EXPECT_EQ(fl, (std::vector<float>{-1.0f, -8.0f, 7.0f}));

  std::vector<uint8_t> out(3, 0xFF);
  const int32_t vals[] = {-3, 5, 100}; // 100 saturates to 7
  storeFromInt32(DType::I4, vals, 3, out.data(), 1);
  EXPECT_EQ(out[0], 0xDF); // element 1 = -3 in the high nibble, element 0 kept
  EXPECT_EQ(out[1], 0x75);
  EXPECT_EQ(out[2], 0xFF);
}

TEST(Convert, IntegerStoresSaturateExactly) {
  const int32_t vals[] = {INT32_MIN, -129, -128, 127, 128, INT32_MAX};
  std::vector<uint8_t> out(6);
  storeFromInt32(DType::I8, vals, 6, out.data(), 0);
  EXPECT_EQ(out, (std::vector<uint8_t>{0x80, 0x80, 0x80, 0x7F, 0x7F, 0x7F}));
  std::vector<uint8_t> f(24);
  storeFromInt32(DType::F32, vals, 6, f.data(), 0);
  float first;
  std::memcpy(&first, f.data(), 4);
  EXPECT_EQ(first, -2147483648.0f);
}

} // namespace
} // namespace strata::sim::func
