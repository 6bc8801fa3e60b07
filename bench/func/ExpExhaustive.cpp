//===- ExpExhaustive.cpp - expfRow against expf on every float input ------===//
//
// The proof that the vector expf (ExpRow.h) is the host libm's expf: all
// 2^32 bit patterns, in blocks, through the vector kernel (special inputs
// handed to expf, as expfRow does) and through expf, compared bitwise. It
// also counts how many inputs the vector lanes computed themselves. Takes
// about a minute on one core; not a ctest. Exit status 0 iff no input
// differs. Run:  StrataExpExhaustive
//
//===----------------------------------------------------------------------===//

#include "strata/sim/func/ExpRow.h"

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <vector>

int main() {
  using namespace strata::sim::func;
  if (!expfVectorSupported()) {
    std::printf("host lacks AVX2/FMA: expfRow always calls expf; nothing to check\n");
    return 0;
  }
  constexpr uint64_t kBlock = 1 << 16;
  std::vector<float> in(kBlock), want(kBlock), got(kBlock), lanes(kBlock);
  uint64_t mismatches = 0, laneComputed = 0;
  for (uint64_t start = 0; start < (uint64_t(1) << 32); start += kBlock) {
    for (uint64_t i = 0; i < kBlock; ++i) {
      uint32_t bits = uint32_t(start + i);
      std::memcpy(&in[i], &bits, 4);
      want[i] = std::exp(in[i]);
    }
    expfVector(in.data(), got.data(), kBlock, /*scalarSpecials=*/true);
    expfVector(in.data(), lanes.data(), kBlock, /*scalarSpecials=*/false);
    for (uint64_t i = 0; i < kBlock; ++i) {
      if (std::memcmp(&want[i], &got[i], 4) != 0) {
        if (++mismatches <= 10) {
          uint32_t x, w, g;
          std::memcpy(&x, &in[i], 4);
          std::memcpy(&w, &want[i], 4);
          std::memcpy(&g, &got[i], 4);
          std::printf("differs: x = %#010x (%a): expf %#010x, vector %#010x\n", x, in[i], w, g);
        }
      }
      laneComputed += std::memcmp(&got[i], &lanes[i], 4) == 0;
    }
    if ((start >> 28) != ((start + kBlock) >> 28))
      std::fprintf(stderr, "%.0f%%\n", 100.0 * double(start + kBlock) / 4294967296.0);
  }
  std::printf("%llu of 4294967296 inputs differ from expf; the vector lanes' own value "
              "is the result for %llu of them; expfRow %s the vector kernel here\n",
              static_cast<unsigned long long>(mismatches),
              static_cast<unsigned long long>(laneComputed),
              expfRowVectorized() ? "uses" : "does not use");
  return mismatches == 0 ? 0 : 1;
}
