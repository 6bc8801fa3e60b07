//===- Gemm.cpp - Functional execution of Gemm ----------------------------===//
//
// Semantics (Isa.h, Execute.h), per output element (m, n):
//   for each scale group g in increasing order (one group of all K without
//   PerGroup scales):
//     s_g = sum over k of the group, in increasing k, of A[m][k] * B[k][n]
//           - integers: exact INT32 (wrapping), then converted to FP32 (RNE);
//           - floats: FP32, starting at +0, each step a rounded multiply then
//             a rounded add (no fusion);
//     r  = r + (s_g * scaleA) * scaleB, r starting at +0, a missing scale
//          leaving the product as it is;
//   then  r = r + bias[n]; activation; r = r + C_old (accumulate); round to out.
// out == i32 keeps the exact INT32 sum; relu clamps it at 0 and accumulate
// adds the old C in 64 bits and saturates.
//
// Every input (A, B, scales, bias) is read before C is written, so C may
// overlap any input: the instruction reads, then writes.
//
// Implementation: Goto-style blocking. B is packed per (column block, k
// chunk) into NR-wide strips [k][NR] of FP32 or int16 pairs, A per MR rows;
// the micro-kernels (GemmKernels.h) accumulate into a partial-sum block P,
// which each completed group folds into the FP32 result T with its scales.
// Chunks never straddle a group, and a chunk continues the accumulators of
// the previous one, so every element still sums its group in increasing k.
//
//===----------------------------------------------------------------------===//

#include "GemmKernels.h"
#include "Layout.h"

#include "Activation.h"
#include "strata/sim/func/Convert.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <vector>

namespace strata::sim::func {

namespace {

using detail::GemmKernelSet;

// Panel shapes. With many rows of A the B panel is reused across them and
// should stay in L2 (256 x 512 x 4 bytes); with a single row tile nothing is
// reused and long k runs let the hardware prefetcher stream B.
constexpr size_t kKcFloat = 256; ///< k per chunk (float path)
constexpr size_t kKcInt = 512;   ///< k per chunk (integer path)
constexpr size_t kNc = 512;      ///< columns per block
constexpr size_t kKcSkinny = 2048;
constexpr size_t kNcSkinny = 64;

size_t roundUp(size_t x, size_t m) { return (x + m - 1) / m * m; }

class GemmRun {
public:
  GemmRun(const ResolvedGemm &op, const GemmLayout &l, uint8_t *sram)
      : g_(*op.instr), l_(l), sram_(sram), ks_(detail::gemmKernels(hostIsa())) {}

  void run();

private:
  const uint8_t *at(const Matrix &m) const { return sram_ + m.base; }

  void readScalesAndBias();
  void computeChunk(size_t k0, size_t kc, size_t n0, size_t nc, bool first);
  void fold(size_t group, size_t n0, size_t nc);
  void epilogueFloat();
  void epilogueInt();

  const isa::GemmInstr &g_;
  const GemmLayout &l_;
  uint8_t *sram_;
  const GemmKernelSet &ks_;
  bool intPath_ = false, intOut_ = false;
  size_t ldp_ = 0; ///< leading dimension of the partial block
  detail::PanelSource bSrc_;

  std::vector<float> scaleA_; ///< [M][groups], empty without A scales
  std::vector<float> scaleB_; ///< [groups][N], empty without B scales
  std::vector<float> bias_;   ///< [N], empty without bias

  // Per-thread buffers, reused across calls (resize() never shrinks the
  // capacity); every element read is written first in the same call.
  struct Scratch {
    std::vector<float> tF, pF, panelF, packAF;
    std::vector<int32_t> tI, pI;
    std::vector<int16_t> panelI, packAI;
  };
  static Scratch &scratch() {
    static thread_local Scratch s;
    return s;
  }
  std::vector<float> &tF_ = scratch().tF;     ///< result T, [M][N]
  std::vector<int32_t> &tI_ = scratch().tI;   ///< exact result for out == i32, [M][N]
  std::vector<float> &pF_ = scratch().pF;     ///< partial block P, [M][ldp]
  std::vector<int32_t> &pI_ = scratch().pI;
  std::vector<float> &panelF_ = scratch().panelF, &packAF_ = scratch().packAF;
  std::vector<int16_t> &panelI_ = scratch().panelI, &packAI_ = scratch().packAI;
};

void GemmRun::readScalesAndBias() {
  // Scales are expanded to [M][groups] and [groups][N] so the fold reads
  // one layout whatever the mode; a per-row scale repeats for every group.
  const size_t M = l_.m, N = l_.n, G = l_.groups;
  if (l_.scaleA) {
    scaleA_.resize(M * G);
    if (g_.aScale == isa::ScaleMode::PerGroup) {
      loadAsFloat(l_.scaleA->type, at(*l_.scaleA), 0, M * G, scaleA_.data());
    } else {
      std::vector<float> perRow(M);
      loadAsFloat(l_.scaleA->type, at(*l_.scaleA), 0, M, perRow.data());
      for (size_t m = 0; m < M; ++m)
        std::fill_n(scaleA_.begin() + m * G, G, perRow[m]);
    }
  }
  if (l_.scaleB) {
    scaleB_.resize(G * N);
    if (g_.bScale == isa::ScaleMode::PerRow) {
      loadAsFloat(l_.scaleB->type, at(*l_.scaleB), 0, N, scaleB_.data());
      for (size_t gr = 1; gr < G; ++gr)
        std::copy_n(scaleB_.begin(), N, scaleB_.begin() + gr * N);
    } else if (!g_.transB) {
      loadAsFloat(l_.scaleB->type, at(*l_.scaleB), 0, G * N, scaleB_.data());
    } else { // [N][groups] in SRAM
      std::vector<float> t(N * G);
      loadAsFloat(l_.scaleB->type, at(*l_.scaleB), 0, N * G, t.data());
      for (size_t n = 0; n < N; ++n)
        for (size_t gr = 0; gr < G; ++gr)
          scaleB_[gr * N + n] = t[n * G + gr];
    }
  }
  if (l_.bias) {
    bias_.resize(N);
    loadAsFloat(DType::F32, at(*l_.bias), 0, N, bias_.data());
  }
}

//===--- Blocked product --------------------------------------------------===//

void GemmRun::computeChunk(size_t k0, size_t kc, size_t n0, size_t nc, bool first) {
  const size_t M = l_.m, MR = ks_.mr, NR = ks_.nr, strips = (nc + NR - 1) / NR;
  if (!intPath_) {
    ks_.packBF32(bSrc_, k0, kc, n0, nc, panelF_.data());
    for (size_t m0 = 0; m0 < M; m0 += MR) {
      size_t rows = std::min(MR, M - m0);
      detail::packAF32(l_.a, at(l_.a), m0, rows, k0, kc, ks_.mr, packAF_.data());
      for (size_t s = 0; s < strips; ++s)
        ks_.f32[rows](kc, packAF_.data(), &panelF_[s * kc * NR], &pF_[m0 * ldp_ + s * NR],
                      ldp_, !first);
    }
    return;
  }
  const size_t pairs = (kc + 1) / 2;
  ks_.packBI16(bSrc_, k0, kc, n0, nc, panelI_.data());
  for (size_t m0 = 0; m0 < M; m0 += MR) {
    size_t rows = std::min(MR, M - m0);
    detail::packAI16(l_.a, at(l_.a), m0, rows, k0, kc, ks_.mr, packAI_.data());
    for (size_t s = 0; s < strips; ++s)
      ks_.i16[rows](pairs, packAI_.data(), &panelI_[s * pairs * NR * 2],
                    &pI_[m0 * ldp_ + s * NR], ldp_, !first);
  }
}

void GemmRun::fold(size_t group, size_t n0, size_t nc) {
  const size_t M = l_.m, N = l_.n, G = l_.groups;
  if (intOut_) {
    for (size_t m = 0; m < M; ++m)
      std::memcpy(&tI_[m * N + n0], &pI_[m * ldp_], nc * sizeof(int32_t));
    return;
  }
  const bool hasA = !scaleA_.empty(), hasB = !scaleB_.empty();
  // The result starts at +0: the first group adds to 0 rather than to T.
  const bool first = group == 0;
  thread_local std::vector<float> ones;
  if (ones.size() < nc)
    ones.assign(nc, 1.0f);
  // Multiplying by 1 is exact, so a missing scale is a factor of 1.
  const float *sb = hasB ? &scaleB_[group * N + n0] : ones.data();
  for (size_t m = 0; m < M; ++m) {
    float sa = hasA ? scaleA_[m * G + group] : 1.0f;
    float *t = &tF_[m * N + n0];
    if (intPath_) {
      const int32_t *p = &pI_[m * ldp_];
      if (first)
        for (size_t j = 0; j < nc; ++j)
          t[j] = 0.0f + (float(p[j]) * sa) * sb[j];
      else
        for (size_t j = 0; j < nc; ++j)
          t[j] = t[j] + (float(p[j]) * sa) * sb[j];
    } else {
      const float *p = &pF_[m * ldp_];
      if (first)
        for (size_t j = 0; j < nc; ++j)
          t[j] = 0.0f + (p[j] * sa) * sb[j];
      else
        for (size_t j = 0; j < nc; ++j)
          t[j] = t[j] + (p[j] * sa) * sb[j];
    }
  }
}

//===--- Epilogue ---------------------------------------------------------===//

void GemmRun::epilogueFloat() {
  const size_t M = l_.m, N = l_.n, nOut = l_.nOut;
  const Matrix &c = l_.c;
  uint8_t *cBase = sram_ + c.base;
  std::vector<float> r(N), old(nOut);
  for (size_t m = 0; m < M; ++m) {
    std::copy_n(&tF_[m * N], N, r.begin());
    if (!bias_.empty())
      for (size_t n = 0; n < N; ++n)
        r[n] = r[n] + bias_[n];
    switch (g_.act) {
    case isa::Activation::None: break;
    case isa::Activation::Relu:
      for (auto &x : r) x = reluF(x);
      break;
    case isa::Activation::Silu:
      for (auto &x : r) x = siluF(x);
      break;
    case isa::Activation::GeluTanh:
      for (auto &x : r) x = geluTanhF(x);
      break;
    case isa::Activation::GeluErf:
      for (auto &x : r) x = geluErfF(x);
      break;
    case isa::Activation::SwiGlu:
      for (size_t j = 0; j < nOut; ++j)
        r[j] = siluF(r[j]) * r[j + nOut];
      break;
    }
    if (g_.accumulate) {
      loadAsFloat(c.type, cBase, c.index(m, 0), nOut, old.data());
      for (size_t j = 0; j < nOut; ++j)
        r[j] = r[j] + old[j];
    }
    storeFromFloat(c.type, r.data(), nOut, cBase, c.index(m, 0));
  }
}

void GemmRun::epilogueInt() {
  const size_t M = l_.m, N = l_.n;
  const Matrix &c = l_.c;
  uint8_t *cBase = sram_ + c.base;
  std::vector<int32_t> r(N), old(N);
  for (size_t m = 0; m < M; ++m) {
    std::copy_n(&tI_[m * N], N, r.begin());
    if (g_.act == isa::Activation::Relu)
      for (auto &x : r) x = x < 0 ? 0 : x;
    if (g_.accumulate) {
      loadAsInt32(c.type, cBase, c.index(m, 0), N, old.data());
      for (size_t j = 0; j < N; ++j) {
        int64_t s = int64_t(r[j]) + old[j];
        r[j] = int32_t(std::clamp<int64_t>(s, std::numeric_limits<int32_t>::min(),
                                           std::numeric_limits<int32_t>::max()));
      }
    }
    storeFromInt32(c.type, r.data(), N, cBase, c.index(m, 0));
  }
}

void GemmRun::run() {
  const size_t M = l_.m, N = l_.n;
  intPath_ = isInteger(g_.a);
  intOut_ = g_.out == DType::I32;
  readScalesAndBias();
  bSrc_ = detail::PanelSource{at(l_.b), l_.b.type, l_.b.ld, g_.transB};

  const size_t NR = ks_.nr, MR = ks_.mr;
  const bool skinny = M <= MR;
  const size_t kcMax =
      std::min<size_t>(skinny ? kKcSkinny : intPath_ ? kKcInt : kKcFloat, l_.groupLen);
  const size_t ncMax = std::min(skinny ? kNcSkinny : kNc, roundUp(N, NR));
  ldp_ = roundUp(ncMax, NR);
  if (intOut_)
    tI_.resize(M * N);
  else
    tF_.resize(M * N);
  if (intPath_) {
    size_t pairs = (kcMax + 1) / 2;
    pI_.resize(M * ldp_);
    panelI_.resize(pairs * 2 * ldp_);
    packAI_.resize(pairs * 2 * MR);
  } else {
    pF_.resize(M * ldp_);
    panelF_.resize(kcMax * ldp_);
    packAF_.resize(kcMax * MR);
  }

  for (size_t n0 = 0; n0 < N; n0 += ncMax) {
    size_t nc = std::min(ncMax, N - n0);
    for (size_t group = 0; group < l_.groups; ++group) {
      size_t gBegin = group * size_t(l_.groupLen), gEnd = gBegin + l_.groupLen;
      for (size_t k0 = gBegin; k0 < gEnd; k0 += kcMax)
        computeChunk(k0, std::min(kcMax, gEnd - k0), n0, nc, k0 == gBegin);
      fold(group, n0, nc);
    }
  }
  if (intOut_)
    epilogueInt();
  else
    epilogueFloat();
}

} // namespace

void execute(const ResolvedGemm &op, uint8_t *sram) {
  Expected<GemmLayout> layout = layoutOf(op);
  // An invalid instruction (footprint() reports why) leaves SRAM untouched.
  if (!layout || layout->noOp())
    return;
  GemmRun(op, *layout, sram).run();
}

} // namespace strata::sim::func
