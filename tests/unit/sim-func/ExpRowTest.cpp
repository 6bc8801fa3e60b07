//===- ExpRowTest.cpp - expfRow gives std::exp's bits ----------------------===//
//
// A dense sample of the float line (every 2039th bit pattern, about 2.1
// million inputs, both signs, every exponent) plus the inputs where the
// libm's expf changes branch: NaNs, infinities, zeros, denormals, and a few
// ulps either side of the overflow and underflow thresholds and of |x| = 88.
// StrataExpExhaustive (bench/func) checks all 2^32.
//
//===----------------------------------------------------------------------===//

#include "strata/sim/func/ExpRow.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <vector>

namespace strata::sim::func {
namespace {

uint32_t bitsOf(float f) {
  uint32_t b;
  std::memcpy(&b, &f, 4);
  return b;
}

float fromBits(uint32_t b) {
  float f;
  std::memcpy(&f, &b, 4);
  return f;
}

std::vector<float> sampleInputs() {
  std::vector<float> in;
  for (uint64_t b = 0; b < (uint64_t(1) << 32); b += 2039)
    in.push_back(fromBits(uint32_t(b)));
  const float edges[] = {0x1.62e42ep6f,  -0x1.9fe368p6f, -0x1.9d1d9ep6f, 88.0f, -88.0f,
                         0x1.5p6f,       -0x1.5p6f,      1.0f,           -1.0f, 0x1p-126f,
                         -0x1p-126f,     0x1p-149f,      -0x1p-149f,     0x1.fffffcp-127f};
  for (float e : edges)
    for (int d = -4; d <= 4; ++d)
      in.push_back(fromBits(bitsOf(e) + uint32_t(d)));
  const float inf = std::numeric_limits<float>::infinity();
  for (float v : {0.0f, -0.0f, inf, -inf, std::numeric_limits<float>::max(),
                  std::numeric_limits<float>::lowest()})
    in.push_back(v);
  for (uint32_t nan : {0x7fc00000u, 0xffc00000u, 0x7f800001u, 0xff800001u, 0x7fc12345u, 0x7fbfffffu})
    in.push_back(fromBits(nan));
  // Every input just below the special branch's threshold |x| = 88 and a
  // dense run over softmax's range, [-104, 0].
  for (uint32_t b = bitsOf(87.0f); b < bitsOf(88.0f); b += 7)
    in.push_back(fromBits(b));
  for (float x = -104.0f; x <= 0.0f; x += 0.0009765625f)
    in.push_back(x);
  return in;
}

void expectSameBits(const std::vector<float> &in, const std::vector<float> &got, const char *what) {
  int bad = 0;
  for (size_t i = 0; i < in.size(); ++i) {
    const uint32_t want = bitsOf(std::exp(in[i]));
    if (bitsOf(got[i]) != want && ++bad <= 5)
      ADD_FAILURE() << what << ": exp(" << std::hexfloat << in[i] << ") = " << got[i]
                    << ", std::exp gives " << fromBits(want);
  }
}

TEST(ExpRow, MatchesStdExpBitForBit) {
  const std::vector<float> in = sampleInputs();
  std::vector<float> out(in.size());
  expfRow(in.data(), out.data(), in.size());
  expectSameBits(in, out, "expfRow");
  if (expfVectorSupported()) {
    std::vector<float> vec(in.size());
    expfVector(in.data(), vec.data(), vec.size());
    expectSameBits(in, vec, "vector kernel");
    // The self-check passes wherever the kernel is the libm's algorithm.
    EXPECT_TRUE(expfRowVectorized()) << "the self-check rejected the vector kernel";
  }
}

/// Rows of every length up to two vectors and a bit, in place and not, at
/// every start offset: the partial last lanes and specials among them.
TEST(ExpRow, EveryRowLengthAndAliasing) {
  std::vector<float> base(40);
  for (size_t i = 0; i < base.size(); ++i)
    base[i] = -20.0f + 0.73f * float(i);
  base[5] = std::numeric_limits<float>::quiet_NaN();
  base[11] = -std::numeric_limits<float>::infinity();
  base[17] = 95.0f;  // overflows
  base[23] = -110.0f; // underflows to 0
  for (size_t start = 0; start < 8; ++start)
    for (size_t n = 0; n + start <= base.size(); ++n) {
      std::vector<float> out(n + 1, 123.0f), inPlace(base.begin() + start, base.begin() + start + n);
      expfRow(base.data() + start, out.data(), n);
      expfRow(inPlace.data(), inPlace.data(), n);
      for (size_t j = 0; j < n; ++j) {
        const uint32_t want = bitsOf(std::exp(base[start + j]));
        ASSERT_EQ(bitsOf(out[j]), want) << "start " << start << " n " << n << " j " << j;
        ASSERT_EQ(bitsOf(inPlace[j]), want) << "in place, start " << start << " n " << n;
      }
      ASSERT_EQ(out[n], 123.0f) << "wrote past the row";
    }
}

} // namespace
} // namespace strata::sim::func
