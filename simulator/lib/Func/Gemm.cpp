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
// The packed panels of a whole B are kept in a per-thread cache
// (PanelCache.h) and reused while B's bytes are unchanged; packing only
// moves values, so a reused panel holds exactly what re-packing would give.
// A float product of one row tile (decode) skips packing B altogether: the
// direct kernels (GemmDirect.h) read it in place, in the same k order (a
// cached transposed copy would save the transposes but triples the bytes a
// step reads, which costs more host time than it saves: docs/simulator.md).
// The plain case (FP32 out, one unscaled group, no bias, activation or
// accumulation) folds each column block straight into C.
//
//===----------------------------------------------------------------------===//

#include "GemmKernels.h"
#include "GrowBuffer.h"
#include "Layout.h"
#include "PanelCache.h"

#include "Activation.h"
#include "strata/sim/func/Convert.h"

#include <algorithm>
#include <cstring>
#include <limits>

namespace strata::sim::func {

namespace {

using detail::GemmKernelSet;
using detail::GrowBuffer;

// Panel shapes. With many rows of A the B panel is reused across them and
// should stay in L2 (256 x 512 x 4 bytes); with a single row tile nothing is
// reused and long k runs let the hardware prefetcher stream B.
constexpr size_t kKcFloat = 256; ///< k per chunk (float path)
constexpr size_t kKcInt = 512;   ///< k per chunk (integer path)
constexpr size_t kNc = 512;      ///< columns per block
constexpr size_t kKcSkinny = 2048;
constexpr size_t kNcSkinny = 64;

size_t roundUp(size_t x, size_t m) { return (x + m - 1) / m * m; }

/// One k chunk of one column block: the unit B is packed in.
struct Chunk {
  size_t group, k0, kc, n0, nc;
  bool firstOfGroup, lastOfGroup;
};

// Per-thread buffers, reused across calls; every element read is written
// first in the same call.
struct Scratch {
  GrowBuffer<float> tF, pF, panelF, packAF, scaleA, scaleB, bias, row, old, ones, act;
  GrowBuffer<int32_t> tI, pI, rowI, oldI;
  GrowBuffer<int16_t> panelI, packAI;
};

Scratch &scratch() {
  static thread_local Scratch s;
  return s;
}

class GemmRun {
public:
  GemmRun(const ResolvedGemm &op, const GemmLayout &l, uint8_t *sram)
      : g_(*op.instr), l_(l), sram_(sram), ks_(detail::gemmKernels(hostIsa())), s_(scratch()) {}

  void run();

private:
  const uint8_t *at(const Matrix &m) const { return sram_ + m.base; }

  template <typename F> void forEachChunk(F &&f) const;
  size_t panelBytes(const Chunk &c) const;
  void packB(const Chunk &c, void *panel) const;
  detail::PanelSlot cachedPanels() const;

  void readScalesAndBias();
  void computeChunk(const Chunk &c, const void *panel);
  void fold(size_t group, size_t n0, size_t nc);
  void epilogueFloat();
  void epilogueInt();

  const isa::GemmInstr &g_;
  const GemmLayout &l_;
  uint8_t *sram_;
  const GemmKernelSet &ks_;
  Scratch &s_;
  bool intPath_ = false, intOut_ = false;
  size_t kcMax_ = 0, ncMax_ = 0;
  size_t ldp_ = 0; ///< leading dimension of the partial block
  detail::PanelSource bSrc_;

  const float *scaleA_ = nullptr; ///< [M][groups], null without A scales
  const float *scaleB_ = nullptr; ///< [groups][N], null without B scales
  const float *bias_ = nullptr;   ///< [N], null without bias
  float *tF_ = nullptr;           ///< result T, [M][N]
  int32_t *tI_ = nullptr;         ///< exact result for out == i32, [M][N]
  float *pF_ = nullptr;           ///< partial block P, [M][ldp]
  int32_t *pI_ = nullptr;
  float *packAF_ = nullptr;
  int16_t *packAI_ = nullptr;
  /// With a single row tile, A is packed once over all of K (the chunks
  /// take their k range of it) rather than once per chunk and column block.
  bool wholeA_ = false;
  /// The single row tile's float product reads B in place (GemmDirect.h),
  /// and FP32 rows of A too (lda apart).
  detail::GemmDirectF32 direct_ = nullptr;
  const float *aInPlace_ = nullptr;
  /// The fold writes FP32 results straight into C (the plain case).
  float *cDirect_ = nullptr;
};

void GemmRun::readScalesAndBias() {
  // Scales are expanded to [M][groups] and [groups][N] so the fold reads
  // one layout whatever the mode; a per-row scale repeats for every group.
  const size_t M = l_.m, N = l_.n, G = l_.groups;
  if (l_.scaleA) {
    float *sa = s_.scaleA.get(M * G);
    if (g_.aScale == isa::ScaleMode::PerGroup) {
      loadAsFloat(l_.scaleA->type, at(*l_.scaleA), 0, M * G, sa);
    } else {
      float *perRow = s_.row.get(M);
      loadAsFloat(l_.scaleA->type, at(*l_.scaleA), 0, M, perRow);
      for (size_t m = 0; m < M; ++m)
        std::fill_n(sa + m * G, G, perRow[m]);
    }
    scaleA_ = sa;
  }
  if (l_.scaleB) {
    float *sb = s_.scaleB.get(G * N);
    if (g_.bScale == isa::ScaleMode::PerRow) {
      loadAsFloat(l_.scaleB->type, at(*l_.scaleB), 0, N, sb);
      for (size_t gr = 1; gr < G; ++gr)
        std::copy_n(sb, N, sb + gr * N);
    } else if (!g_.transB) {
      loadAsFloat(l_.scaleB->type, at(*l_.scaleB), 0, G * N, sb);
    } else { // [N][groups] in SRAM
      float *t = s_.row.get(N * G);
      loadAsFloat(l_.scaleB->type, at(*l_.scaleB), 0, N * G, t);
      for (size_t n = 0; n < N; ++n)
        for (size_t gr = 0; gr < G; ++gr)
          sb[gr * N + n] = t[n * G + gr];
    }
    scaleB_ = sb;
  }
  if (l_.bias) {
    float *b = s_.bias.get(N);
    loadAsFloat(DType::F32, at(*l_.bias), 0, N, b);
    bias_ = b;
  }
}

//===--- Blocked product --------------------------------------------------===//

/// Visits the chunks in the order the product consumes them: column blocks,
/// then groups, then k chunks of the group.
template <typename F> void GemmRun::forEachChunk(F &&f) const {
  const size_t N = l_.n;
  for (size_t n0 = 0; n0 < N; n0 += ncMax_) {
    size_t nc = std::min(ncMax_, N - n0);
    for (size_t group = 0; group < l_.groups; ++group) {
      size_t gBegin = group * size_t(l_.groupLen), gEnd = gBegin + l_.groupLen;
      for (size_t k0 = gBegin; k0 < gEnd; k0 += kcMax_) {
        size_t kc = std::min(kcMax_, gEnd - k0);
        f(Chunk{group, k0, kc, n0, nc, k0 == gBegin, k0 + kc == gEnd});
      }
    }
  }
}

size_t GemmRun::panelBytes(const Chunk &c) const {
  size_t width = roundUp(c.nc, ks_.nr);
  return intPath_ ? (c.kc + 1) / 2 * 2 * width * sizeof(int16_t) : c.kc * width * sizeof(float);
}

void GemmRun::packB(const Chunk &c, void *panel) const {
  if (intPath_)
    ks_.packBI16(bSrc_, c.k0, c.kc, c.n0, c.nc, static_cast<int16_t *>(panel));
  else
    ks_.packBF32(bSrc_, c.k0, c.kc, c.n0, c.nc, static_cast<float *>(panel));
}

/// The cache entry for this B (packed now if it is new), or no panels when
/// the cache does not take it.
detail::PanelSlot GemmRun::cachedPanels() const {
  const Matrix &b = l_.b;
  const uint64_t bits = dtypeBits(b.type);
  // Runs are B's rows as stored; an i4 row with an odd ld can only be the
  // single row (checkMatrix), so every stride is whole bytes. A run's last
  // byte may hold a nibble beyond the row: comparing it can only cause a
  // spurious miss.
  detail::SourceBytes src{at(b), b.rows, (b.cols * bits + 7) / 8, b.ld * bits / 8};
  detail::PanelKey key;
  key.base = src.base;
  key.ld = b.ld;
  key.k = l_.k;
  key.n = l_.n;
  key.groupLen = l_.groupLen;
  key.kcMax = uint32_t(kcMax_);
  key.ncMax = uint32_t(ncMax_);
  key.type = b.type;
  key.trans = g_.transB;
  key.int16 = intPath_;
  key.nr = uint16_t(ks_.nr);
  size_t total = 0;
  forEachChunk([&](const Chunk &c) { total += panelBytes(c); });
  detail::PanelSlot slot = detail::threadPanelCache().acquire(key, src, total);
  if (slot.panels && !slot.filled) {
    uint8_t *panel = slot.panels;
    forEachChunk([&](const Chunk &c) {
      packB(c, panel);
      panel += panelBytes(c);
    });
  }
  return slot;
}

void GemmRun::computeChunk(const Chunk &c, const void *panel) {
  const size_t M = l_.m, MR = ks_.mr, NR = ks_.nr, strips = (c.nc + NR - 1) / NR;
  const bool load = !c.firstOfGroup;
  if (direct_) {
    // A read in place: element (i, k) at i * lda + k; packed: k * MR + i.
    const float *ap = aInPlace_ ? aInPlace_ + c.k0 : packAF_ + c.k0 * MR;
    const size_t as = aInPlace_ ? 1 : MR, rs = aInPlace_ ? l_.a.ld : 1;
    direct_(bSrc_, c.k0, c.kc, c.n0, c.nc, ap, as, rs, pF_, ldp_, load);
    return;
  }
  if (!intPath_) {
    const float *panelF = static_cast<const float *>(panel);
    for (size_t m0 = 0; m0 < M; m0 += MR) {
      size_t rows = std::min(MR, M - m0);
      const float *ap = packAF_ + c.k0 * MR;
      if (!wholeA_) {
        detail::packAF32(l_.a, at(l_.a), m0, rows, c.k0, c.kc, ks_.mr, packAF_);
        ap = packAF_;
      }
      for (size_t s = 0; s < strips; ++s)
        ks_.f32[rows](c.kc, ap, &panelF[s * c.kc * NR], &pF_[m0 * ldp_ + s * NR], ldp_, load);
    }
    return;
  }
  const size_t pairs = (c.kc + 1) / 2;
  const int16_t *panelI = static_cast<const int16_t *>(panel);
  for (size_t m0 = 0; m0 < M; m0 += MR) {
    size_t rows = std::min(MR, M - m0);
    const int16_t *ap = packAI_ + c.k0 / 2 * MR * 2;
    if (!wholeA_) {
      detail::packAI16(l_.a, at(l_.a), m0, rows, c.k0, c.kc, ks_.mr, packAI_);
      ap = packAI_;
    }
    for (size_t s = 0; s < strips; ++s)
      ks_.i16[rows](pairs, ap, &panelI[s * pairs * NR * 2], &pI_[m0 * ldp_ + s * NR], ldp_, load);
  }
}

void GemmRun::fold(size_t group, size_t n0, size_t nc) {
  const size_t M = l_.m, N = l_.n, G = l_.groups;
  if (intOut_) {
    for (size_t m = 0; m < M; ++m)
      std::memcpy(&tI_[m * N + n0], &pI_[m * ldp_], nc * sizeof(int32_t));
    return;
  }
  // The result starts at +0: the first group adds to 0 rather than to T.
  const bool first = group == 0;
  if (!intPath_ && first && G == 1 && !scaleA_ && !scaleB_) {
    // One unscaled float group: T = 0 + P, which is P itself. Every
    // kernel starts its sums at +0 and only adds, and a sum is -0 only
    // when both addends are (x + -x is +0, and a nonzero exact sum never
    // rounds to zero), so P is never -0 and 0 + P changes no bit (a NaN
    // is already quiet). Multiplying by a missing scale of 1 is exact.
    for (size_t m = 0; m < M; ++m) {
      float *t = cDirect_ ? cDirect_ + l_.c.index(m, n0) : &tF_[m * N + n0];
      std::memcpy(t, &pF_[m * ldp_], nc * sizeof(float));
    }
    return;
  }
  // Multiplying by 1 is exact, so a missing scale is a factor of 1.
  const float *sb;
  if (scaleB_) {
    sb = &scaleB_[group * N + n0];
  } else {
    float *ones = s_.ones.get(nc);
    std::fill_n(ones, nc, 1.0f);
    sb = ones;
  }
  for (size_t m = 0; m < M; ++m) {
    float sa = scaleA_ ? scaleA_[m * G + group] : 1.0f;
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
  float *r = s_.row.get(N), *old = s_.old.get(nOut);
  for (size_t m = 0; m < M; ++m) {
    std::copy_n(&tF_[m * N], N, r);
    if (bias_)
      for (size_t n = 0; n < N; ++n)
        r[n] = r[n] + bias_[n];
    switch (g_.act) {
    case isa::Activation::None: break;
    case isa::Activation::Relu:
      for (size_t n = 0; n < N; ++n) r[n] = reluF(r[n]);
      break;
    case isa::Activation::Silu: siluRow(r, nullptr, s_.act.get(N), N); break;
    case isa::Activation::GeluTanh:
      for (size_t n = 0; n < N; ++n) r[n] = geluTanhF(r[n]);
      break;
    case isa::Activation::GeluErf:
      for (size_t n = 0; n < N; ++n) r[n] = geluErfF(r[n]);
      break;
    case isa::Activation::SwiGlu: siluRow(r, r + nOut, s_.act.get(nOut), nOut); break;
    }
    if (g_.accumulate) {
      loadAsFloat(c.type, cBase, c.index(m, 0), nOut, old);
      for (size_t j = 0; j < nOut; ++j)
        r[j] = r[j] + old[j];
    }
    storeFromFloat(c.type, r, nOut, cBase, c.index(m, 0));
  }
}

void GemmRun::epilogueInt() {
  const size_t M = l_.m, N = l_.n;
  const Matrix &c = l_.c;
  uint8_t *cBase = sram_ + c.base;
  int32_t *r = s_.rowI.get(N), *old = s_.oldI.get(N);
  for (size_t m = 0; m < M; ++m) {
    std::copy_n(&tI_[m * N], N, r);
    if (g_.act == isa::Activation::Relu)
      for (size_t n = 0; n < N; ++n) r[n] = r[n] < 0 ? 0 : r[n];
    if (g_.accumulate) {
      loadAsInt32(c.type, cBase, c.index(m, 0), N, old);
      for (size_t j = 0; j < N; ++j) {
        int64_t s = int64_t(r[j]) + old[j];
        r[j] = int32_t(std::clamp<int64_t>(s, std::numeric_limits<int32_t>::min(),
                                           std::numeric_limits<int32_t>::max()));
      }
    }
    storeFromInt32(c.type, r, N, cBase, c.index(m, 0));
  }
}

bool disjoint(const ByteRange &x, const ByteRange &y) { return x.end <= y.begin || y.end <= x.begin; }

void GemmRun::run() {
  const size_t M = l_.m, N = l_.n, K = l_.k;
  intPath_ = isInteger(g_.a);
  intOut_ = g_.out == DType::I32;
  readScalesAndBias();
  bSrc_ = detail::PanelSource{at(l_.b), l_.b.type, l_.b.ld, g_.transB};

  const size_t NR = ks_.nr, MR = ks_.mr;
  const bool skinny = M <= MR;
  kcMax_ = std::min<size_t>(skinny ? kKcSkinny : intPath_ ? kKcInt : kKcFloat, l_.groupLen);
  ncMax_ = std::min(skinny ? kNcSkinny : kNc, roundUp(N, NR));
  ldp_ = roundUp(ncMax_, NR);
  // Integer slivers hold k pairs, so a whole-K sliver serves the chunks
  // only if every chunk starts at an even k.
  wholeA_ = skinny && (!intPath_ || l_.groups == 1 || l_.groupLen % 2 == 0);
  if (wholeA_ && !intPath_ && isFloat(l_.b.type))
    direct_ = ks_.directF32[M];
  if (direct_ && l_.a.type == DType::F32)
    aInPlace_ = reinterpret_cast<const float *>(at(l_.a)); // aligned (checkMatrix)
  // Panels come from the cache when it holds (or now took) this B;
  // otherwise each chunk is packed into scratch just before its use.
  const detail::PanelSlot slot = direct_ ? detail::PanelSlot{} : cachedPanels();

  // The plain case folds into C itself. Later column blocks still read A
  // and B, so C must not overlap them unless there is a single block.
  const bool plain = !intPath_ && !intOut_ && l_.groups == 1 && !scaleA_ && !scaleB_ &&
                     !bias_ && g_.act == isa::Activation::None && !g_.accumulate &&
                     l_.c.type == DType::F32;
  if (plain) {
    const ByteRange cr = byteRangeOf(l_.c, true);
    if (ncMax_ >= N ||
        (disjoint(cr, byteRangeOf(l_.a, false)) && disjoint(cr, byteRangeOf(l_.b, false))))
      cDirect_ = reinterpret_cast<float *>(sram_ + l_.c.base); // aligned (checkMatrix)
  }
  if (intOut_)
    tI_ = s_.tI.get(M * N);
  else if (!cDirect_)
    tF_ = s_.tF.get(M * N);

  const size_t aK = wholeA_ ? K : kcMax_;
  if (intPath_) {
    pI_ = s_.pI.get(M * ldp_);
    packAI_ = s_.packAI.get((aK + 1) / 2 * 2 * MR);
    if (wholeA_)
      detail::packAI16(l_.a, at(l_.a), 0, M, 0, K, ks_.mr, packAI_);
  } else {
    pF_ = s_.pF.get(M * ldp_);
    if (!aInPlace_) {
      packAF_ = s_.packAF.get(aK * MR);
      if (wholeA_)
        detail::packAF32(l_.a, at(l_.a), 0, M, 0, K, ks_.mr, packAF_);
    }
  }

  const uint8_t *cached = slot.panels;
  void *scratchPanel = nullptr;
  if (!cached && !direct_)
    scratchPanel = intPath_ ? static_cast<void *>(s_.panelI.get((kcMax_ + 1) / 2 * 2 * ldp_))
                            : static_cast<void *>(s_.panelF.get(kcMax_ * ldp_));
  forEachChunk([&](const Chunk &c) {
    const void *panel = cached;
    if (cached) {
      cached += panelBytes(c);
    } else if (!direct_) {
      packB(c, scratchPanel);
      panel = scratchPanel;
    }
    computeChunk(c, panel);
    if (c.lastOfGroup)
      fold(c.group, c.n0, c.nc);
  });
  if (intOut_)
    epilogueInt();
  else if (!cDirect_)
    epilogueFloat();
}

} // namespace

void execute(const ResolvedGemm &op, uint8_t *sram) {
  const GemmLayout *layout = findLayout(op);
  // An invalid instruction (footprint() reports why) leaves SRAM untouched.
  if (!layout || layout->noOp())
    return;
  GemmRun(op, *layout, sram).run();
}

} // namespace strata::sim::func
