//===- GemmKernels.cpp - Register-blocked GEMM micro-kernels --------------===//
//
// One body per kernel kind, written on GCC/Clang vector types so the
// accumulator tile lives in registers, instantiated twice: for the baseline
// target and inside target("avx2") wrappers. Inlining the body into the
// wrapper compiles it for AVX2; the operations, and so the bits, are the same.
//
//===----------------------------------------------------------------------===//

#include "GemmKernels.h"

#include <cstring>
#include <utility>

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define STRATA_FUNC_X86 1
#endif

#define STRATA_INLINE inline __attribute__((always_inline))

namespace strata::sim::func::detail {

namespace {

typedef float V4F __attribute__((vector_size(16)));
typedef float V8F __attribute__((vector_size(32)));

// By reference: returning a 256-bit vector from a baseline function would
// change the ABI (-Wpsabi); these are always inlined anyway.
template <typename V> STRATA_INLINE void loadV(V &v, const float *p) {
  std::memcpy(&v, p, sizeof v);
}

template <typename V> STRATA_INLINE void storeV(float *p, const V &v) { std::memcpy(p, &v, sizeof v); }

/// c[R][NV*L] (+)= ap[k][MR] * bp[k][NV*L], one k at a time: multiply, then add.
template <typename V, unsigned MR, unsigned R, unsigned NV>
STRATA_INLINE void f32Body(size_t kc, const float *ap, const float *bp, float *c, size_t ldc,
                           bool load) {
  constexpr unsigned L = sizeof(V) / sizeof(float);
  constexpr unsigned NR = NV * L;
  V acc[R][NV];
#pragma GCC unroll 16
  for (unsigned i = 0; i < R; ++i)
#pragma GCC unroll 16
    for (unsigned v = 0; v < NV; ++v)
      if (load)
        loadV(acc[i][v], c + i * ldc + v * L);
      else
        acc[i][v] = V{};
  for (size_t k = 0; k < kc; ++k) {
    V b[NV];
#pragma GCC unroll 16
    for (unsigned v = 0; v < NV; ++v)
      loadV(b[v], bp + k * NR + v * L);
#pragma GCC unroll 16
    for (unsigned i = 0; i < R; ++i) {
      float a = ap[k * MR + i];
#pragma GCC unroll 16
      for (unsigned v = 0; v < NV; ++v)
        acc[i][v] = acc[i][v] + b[v] * a;
    }
  }
#pragma GCC unroll 16
  for (unsigned i = 0; i < R; ++i)
#pragma GCC unroll 16
    for (unsigned v = 0; v < NV; ++v)
      storeV(c + i * ldc + v * L, acc[i][v]);
}

/// Portable integer body: exact INT32 sums of int16 pairs, wrapping.
template <unsigned MR, unsigned NR, unsigned R>
STRATA_INLINE void i16Body(size_t pairs, const int16_t *ap, const int16_t *bp, int32_t *c,
                           size_t ldc, bool load) {
  uint32_t acc[R][NR];
  for (unsigned i = 0; i < R; ++i)
    for (unsigned j = 0; j < NR; ++j)
      acc[i][j] = load ? uint32_t(c[i * ldc + j]) : 0u;
  for (size_t p = 0; p < pairs; ++p) {
    const int16_t *b = bp + p * NR * 2;
    for (unsigned i = 0; i < R; ++i) {
      int32_t a0 = ap[(p * MR + i) * 2], a1 = ap[(p * MR + i) * 2 + 1];
      for (unsigned j = 0; j < NR; ++j)
        acc[i][j] += uint32_t(a0 * b[2 * j] + a1 * b[2 * j + 1]);
    }
  }
  for (unsigned i = 0; i < R; ++i)
    for (unsigned j = 0; j < NR; ++j)
      c[i * ldc + j] = int32_t(acc[i][j]);
}

//===--- Portable set: 4 x 8 tiles on 128-bit vectors ---------------------===//

constexpr unsigned kPortMr = 4, kPortNr = 8;

template <unsigned R>
void f32Portable(size_t kc, const float *ap, const float *bp, float *c, size_t ldc, bool load) {
  f32Body<V4F, kPortMr, R, kPortNr / 4>(kc, ap, bp, c, ldc, load);
}

template <unsigned R>
void i16Portable(size_t pairs, const int16_t *ap, const int16_t *bp, int32_t *c, size_t ldc,
                 bool load) {
  i16Body<kPortMr, kPortNr, R>(pairs, ap, bp, c, ldc, load);
}

void packBF32Port(const PanelSource &b, size_t k0, size_t kc, size_t n0, size_t nc,
                  float *panel) {
  packBF32Portable(b, k0, kc, n0, nc, kPortNr, panel);
}

void packBI16Port(const PanelSource &b, size_t k0, size_t kc, size_t n0, size_t nc,
                  int16_t *panel) {
  packBI16Portable(b, k0, kc, n0, nc, kPortNr, panel);
}

template <unsigned... R> GemmKernelSet makePortable(std::integer_sequence<unsigned, R...>) {
  GemmKernelSet s;
  s.mr = kPortMr;
  s.nr = kPortNr;
  ((s.f32[R + 1] = &f32Portable<R + 1>), ...);
  ((s.i16[R + 1] = &i16Portable<R + 1>), ...);
  s.packBF32 = &packBF32Port;
  s.packBI16 = &packBI16Port;
  return s;
}

#ifdef STRATA_FUNC_X86
//===--- AVX2 set: 6 x 16 tiles on 256-bit vectors ------------------------===//

constexpr unsigned kAvxMr = 6, kAvxNr = 16;

template <unsigned R>
__attribute__((target("avx2,f16c"))) void f32Avx2(size_t kc, const float *ap, const float *bp,
                                                  float *c, size_t ldc, bool load) {
  f32Body<V8F, kAvxMr, R, kAvxNr / 8>(kc, ap, bp, c, ldc, load);
}

/// vpmaddwd multiplies int16 pairs exactly and adds each pair into an INT32
/// lane; 16 products per instruction.
template <unsigned R>
__attribute__((target("avx2,f16c"))) void i16Avx2(size_t pairs, const int16_t *ap,
                                                  const int16_t *bp, int32_t *c, size_t ldc,
                                                  bool load) {
  __m256i acc[R][2];
  for (unsigned i = 0; i < R; ++i)
    for (unsigned v = 0; v < 2; ++v)
      acc[i][v] = load ? _mm256_loadu_si256(reinterpret_cast<const __m256i *>(c + i * ldc + 8 * v))
                       : _mm256_setzero_si256();
  for (size_t p = 0; p < pairs; ++p) {
    const __m256i *b = reinterpret_cast<const __m256i *>(bp + p * kAvxNr * 2);
    __m256i b0 = _mm256_loadu_si256(b), b1 = _mm256_loadu_si256(b + 1);
    for (unsigned i = 0; i < R; ++i) {
      int32_t pair;
      std::memcpy(&pair, ap + (p * kAvxMr + i) * 2, 4);
      __m256i a = _mm256_set1_epi32(pair);
      acc[i][0] = _mm256_add_epi32(acc[i][0], _mm256_madd_epi16(b0, a));
      acc[i][1] = _mm256_add_epi32(acc[i][1], _mm256_madd_epi16(b1, a));
    }
  }
  for (unsigned i = 0; i < R; ++i)
    for (unsigned v = 0; v < 2; ++v)
      _mm256_storeu_si256(reinterpret_cast<__m256i *>(c + i * ldc + 8 * v), acc[i][v]);
}

template <unsigned... R> GemmKernelSet makeAvx2(std::integer_sequence<unsigned, R...>) {
  GemmKernelSet s;
  s.mr = kAvxMr;
  s.nr = kAvxNr;
  ((s.f32[R + 1] = &f32Avx2<R + 1>), ...);
  ((s.i16[R + 1] = &i16Avx2<R + 1>), ...);
  ((s.directF32[R + 1] = directF32Avx2(R + 1)), ...);
  s.packBF32 = &packBF32Avx2;
  s.packBI16 = &packBI16Avx2;
  return s;
}
#endif

} // namespace

const GemmKernelSet &gemmKernels(HostIsa isa) {
  static const GemmKernelSet portable =
      makePortable(std::make_integer_sequence<unsigned, kPortMr>());
#ifdef STRATA_FUNC_X86
  static const GemmKernelSet avx2 = makeAvx2(std::make_integer_sequence<unsigned, kAvxMr>());
  if (isa == HostIsa::Avx2)
    return avx2;
#endif
  return portable;
}

} // namespace strata::sim::func::detail
