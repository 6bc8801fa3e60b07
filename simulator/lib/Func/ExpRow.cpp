//===- ExpRow.cpp - expf over a row, bit-identical to the host libm --------===//
//
// The algorithm (glibc's sysdeps/ieee754/flt-32/e_expf.c, used since glibc
// 2.28), for |x| < 88, in double:
//   kS = fma(x, N/ln2, 0x1.8p52)       (N = 32; the low bits of kS are k)
//   kd = kS - 0x1.8p52;  r = fma(N/ln2, x, -kd)
//   s  = asdouble(T[k % 32] + (k << 47))       2^(k/32)
//   y  = fma(fma(r, C0, C1), r * r, fma(r, C2, 1)) * s;  result (float) y
// The fused steps are those of the libm's __expf_fma build (its
// disassembly: vfmadd for kS, vfmsub for r, three vfmadd in the
// polynomial); the constants and table are the libm's own data.
//
//===----------------------------------------------------------------------===//

#include "strata/sim/func/ExpRow.h"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <initializer_list>

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define STRATA_EXP_X86 1
#endif

namespace strata::sim::func {

namespace {

#ifdef STRATA_EXP_X86

#define STRATA_AVX2_FMA __attribute__((target("avx2,fma")))

// 2^(i/32) as double bits, less i << 47 (added back with k's bits).
alignas(64) constexpr uint64_t kTable[32] = {
    0x3ff0000000000000, 0x3fefd9b0d3158574, 0x3fefb5586cf9890f, 0x3fef9301d0125b51,
    0x3fef72b83c7d517b, 0x3fef54873168b9aa, 0x3fef387a6e756238, 0x3fef1e9df51fdee1,
    0x3fef06fe0a31b715, 0x3feef1a7373aa9cb, 0x3feedea64c123422, 0x3feece086061892d,
    0x3feebfdad5362a27, 0x3feeb42b569d4f82, 0x3feeab07dd485429, 0x3feea47eb03a5585,
    0x3feea09e667f3bcd, 0x3fee9f75e8ec5f74, 0x3feea11473eb0187, 0x3feea589994cce13,
    0x3feeace5422aa0db, 0x3feeb737b0cdc5e5, 0x3feec49182a3f090, 0x3feed503b23e255d,
    0x3feee89f995ad3ad, 0x3feeff76f2fb5e47, 0x3fef199bdd85529c, 0x3fef3720dcef9069,
    0x3fef5818dcfba487, 0x3fef7c97337b9b5f, 0x3fefa4afa2a490da, 0x3fefd0765b6e4540,
};
constexpr double kInvLn2N = 0x1.71547652b82fep+5; // 32 / ln 2
constexpr double kShift = 0x1.8p+52;
constexpr double kC0 = 0x1.c6af84b912394p-20, kC1 = 0x1.ebfce50fac4f3p-13,
                 kC2 = 0x1.62e42ff0c52d6p-6;
/// Inputs whose top 12 bits (sign cleared) reach 88.0f's take the libm's
/// special-case branch.
constexpr int kSpecialTop = 0x42b;

/// Four lanes (as double) of the algorithm.
STRATA_AVX2_FMA inline __m128 exp4(__m128 x) {
  const __m256d xd = _mm256_cvtps_pd(x);
  const __m256d invLn2N = _mm256_set1_pd(kInvLn2N), shift = _mm256_set1_pd(kShift);
  const __m256d kS = _mm256_fmadd_pd(invLn2N, xd, shift);
  const __m256i ki = _mm256_castpd_si256(kS);
  const __m256d kd = _mm256_sub_pd(kS, shift);
  const __m256d r = _mm256_fmsub_pd(invLn2N, xd, kd);
  const __m256i idx = _mm256_and_si256(ki, _mm256_set1_epi64x(31));
  __m256i t = _mm256_i64gather_epi64(reinterpret_cast<const long long *>(kTable), idx, 8);
  t = _mm256_add_epi64(t, _mm256_slli_epi64(ki, 47));
  const __m256d z = _mm256_fmadd_pd(r, _mm256_set1_pd(kC0), _mm256_set1_pd(kC1));
  const __m256d r2 = _mm256_mul_pd(r, r);
  __m256d y = _mm256_fmadd_pd(r, _mm256_set1_pd(kC2), _mm256_set1_pd(1.0));
  y = _mm256_fmadd_pd(z, r2, y);
  y = _mm256_mul_pd(y, _mm256_castsi256_pd(t));
  return _mm256_cvtpd_ps(y);
}

/// Eight lanes; `special` gets the mask of lanes the libm treats apart.
STRATA_AVX2_FMA inline __m256 exp8(__m256 v, int &special) {
  const __m256i top =
      _mm256_and_si256(_mm256_srli_epi32(_mm256_castps_si256(v), 20), _mm256_set1_epi32(0x7ff));
  special = _mm256_movemask_ps(
      _mm256_castsi256_ps(_mm256_cmpgt_epi32(top, _mm256_set1_epi32(kSpecialTop - 1))));
  const __m128 lo = exp4(_mm256_castps256_ps128(v)), hi = exp4(_mm256_extractf128_ps(v, 1));
  return _mm256_insertf128_ps(_mm256_castps128_ps256(lo), hi, 1);
}

/// Stores the first `live` lanes of y to out, special lanes (of input v)
/// from expf when asked. Reads only v, so out may be the input.
STRATA_AVX2_FMA inline void store8(__m256 v, __m256 y, int special, bool scalarSpecials,
                                   float *out, size_t live) {
  if (live == 8 && !(special && scalarSpecials)) {
    _mm256_storeu_ps(out, y);
    return;
  }
  alignas(32) float in[8], res[8];
  _mm256_store_ps(in, v);
  _mm256_store_ps(res, y);
  for (size_t l = 0; l < live; ++l)
    out[l] = special >> l & 1 && scalarSpecials ? std::exp(in[l]) : res[l];
}

STRATA_AVX2_FMA void expVectorImpl(const float *x, float *out, size_t n, bool scalarSpecials) {
  size_t j = 0;
  int special = 0;
  for (; j + 8 <= n; j += 8) {
    const __m256 v = _mm256_loadu_ps(x + j);
    const __m256 y = exp8(v, special);
    store8(v, y, special, scalarSpecials, out + j, 8);
  }
  if (j == n)
    return;
  // The last n % 8 elements through a zero-padded copy; padding lanes are
  // dropped.
  alignas(32) float in[8] = {};
  std::memcpy(in, x + j, (n - j) * sizeof(float));
  const __m256 v = _mm256_load_ps(in);
  const __m256 y = exp8(v, special);
  store8(v, y, special, scalarSpecials, out + j, n - j);
}

bool hostHasAvx2Fma() {
  static const bool has = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  return has;
}

/// Compares the vector kernel with expf on 2^16 inputs spread over every
/// exponent and sign, plus the boundaries of the libm's special cases.
bool selfCheck() {
  constexpr size_t kCount = 1 << 16;
  static float in[kCount + 8], want[kCount + 8], got[kCount + 8];
  size_t n = 0;
  for (uint64_t i = 0; i < kCount; ++i) {
    uint32_t bits = uint32_t(i * 0x10001u + (i >> 7) * 0x3d);
    std::memcpy(&in[n++], &bits, 4);
  }
  for (float v : {88.0f, -88.0f, 0x1.62e42ep6f, -0x1.9fe368p6f, 0x1p-149f, 0.0f, -0.0f})
    in[n++] = v;
  for (size_t i = 0; i < n; ++i)
    want[i] = std::exp(in[i]);
  expVectorImpl(in, got, n, true);
  return std::memcmp(want, got, n * sizeof(float)) == 0;
}

bool vectorInUse() {
  static const bool use = hostHasAvx2Fma() && selfCheck();
  return use;
}

#endif

} // namespace

bool expfVectorSupported() {
#ifdef STRATA_EXP_X86
  return hostHasAvx2Fma();
#else
  return false;
#endif
}

bool expfRowVectorized() {
#ifdef STRATA_EXP_X86
  return vectorInUse();
#else
  return false;
#endif
}

void expfVector(const float *x, float *out, size_t n, bool scalarSpecials) {
#ifdef STRATA_EXP_X86
  expVectorImpl(x, out, n, scalarSpecials);
#else
  (void)scalarSpecials;
  for (size_t j = 0; j < n; ++j)
    out[j] = std::exp(x[j]);
#endif
}

void expfRow(const float *x, float *out, size_t n) {
#ifdef STRATA_EXP_X86
  if (vectorInUse())
    return expVectorImpl(x, out, n, true);
#endif
  for (size_t j = 0; j < n; ++j)
    out[j] = std::exp(x[j]);
}

} // namespace strata::sim::func
