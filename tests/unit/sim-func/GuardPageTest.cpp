//===- GuardPageTest.cpp - Kernels read nothing beyond their footprint -----===//
//
// Each input operand in turn is placed so that its footprint ends exactly
// where an inaccessible page begins: a vector load reading one byte past the
// operand faults. Catches over-reads that a larger SRAM image would hide.
//
//===----------------------------------------------------------------------===//

#include "VecTestSupport.h"

#include <sys/mman.h>
#include <unistd.h>

namespace strata::sim::func {
namespace {

using namespace test;

/// `size` usable bytes that end at a PROT_NONE page.
class GuardedBuffer {
public:
  explicit GuardedBuffer(size_t size) {
    page_ = size_t(sysconf(_SC_PAGESIZE));
    total_ = (size + page_ - 1) / page_ * page_ + page_;
    void *p = mmap(nullptr, total_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
      return;
    map_ = static_cast<uint8_t *>(p);
    mprotect(map_ + total_ - page_, page_, PROT_NONE);
    data_ = map_ + total_ - page_ - size;
  }
  ~GuardedBuffer() {
    if (map_)
      munmap(map_, total_);
  }
  uint8_t *data() const { return data_; }

private:
  uint8_t *map_ = nullptr, *data_ = nullptr;
  size_t page_ = 0, total_ = 0;
};

/// Moves operand `which` (its byte range [begin, end) as the footprint reads
/// it) to the top of a guarded buffer and runs the instruction there, so a
/// read past the operand's end faults. An operand the instruction does not
/// read is skipped, or is a failure when `mustRead`.
template <typename Op>
void runWithOperandLast(const Op &original, const std::vector<uint8_t> &mem,
                        uint64_t Op::*which, bool mustRead) {
  ByteRanges ranges;
  ASSERT_TRUE(footprint(original, ranges).isOk());
  uint64_t begin = original.*which, end = 0;
  for (const ByteRange &r : ranges)
    if (r.begin == begin && !r.write)
      end = std::max(end, r.end);
  if (!mustRead && end == 0)
    return;
  ASSERT_GT(end, begin);
  // The harness image ends after every operand; append the moved copy.
  const uint64_t len = end - begin;
  uint64_t top = (mem.size() + 63) / 64 * 64;
  top += (len % 64) ? 64 - len % 64 : 0; // keep 64-byte alignment of the start
  GuardedBuffer buf(top + len);
  ASSERT_NE(buf.data(), nullptr);
  std::memcpy(buf.data(), mem.data(), mem.size());
  std::memcpy(buf.data() + top, mem.data() + begin, len);
  Op op = original;
  op.*which = top;
  execute(op, buf.data());
}

TEST(GuardPage, GemmOperandsAreNotOverRead) {
  forEachHostIsa([&] {
    for (auto [a, b] : kGemmTypePairs)
      for (bool transB : {false, true})
        for (auto [m, n, k] : {std::tuple{1u, 37u, 46u}, {7u, 48u, 34u}, {13u, 16u, 16u}}) {
          GemmCase c = shapedCase(a, b, m, n, k, 2);
          c.transB = transB;
          c.aScale = isa::ScaleMode::PerGroup;
          c.bScale = isa::ScaleMode::PerGroup;
          c.hasBias = true;
          GemmHarness h(c);
          for (auto which : {&ResolvedGemm::a, &ResolvedGemm::b, &ResolvedGemm::scaleA,
                             &ResolvedGemm::scaleB, &ResolvedGemm::bias})
            runWithOperandLast(h.op, h.mem, which, true);
        }
  });
}

TEST(GuardPage, VectorOperandsAreNotOverRead) {
  using isa::Opcode;
  forEachHostIsa([&] {
    for (Opcode op : {Opcode::VAdd, Opcode::VExp, Opcode::VReduceSum, Opcode::VSoftmax,
                      Opcode::VRmsNorm, Opcode::VLayerNorm, Opcode::VDequantize,
                      Opcode::VQuantize, Opcode::VCast, Opcode::VCopy, Opcode::VTranspose})
      for (DType t : kAllTypes) {
        VecCase c;
        c.op = op;
        c.in = c.out = t;
        if (op == Opcode::VQuantize) {
          if (isInteger(t))
            continue;
          c.out = DType::I4;
        }
        if (op == Opcode::VDequantize) {
          if (isFloat(t))
            continue;
          c.out = DType::F32;
        }
        if (op == Opcode::VReduceSum)
          c.out = DType::F32;
        c.rows = 3;
        c.cols = 13;
        c.pad0 = 1;
        VecHarness h(c);
        for (auto which : {&ResolvedVec::x, &ResolvedVec::y, &ResolvedVec::z})
          runWithOperandLast(h.op, h.mem, which, false);
      }
  });
}

} // namespace
} // namespace strata::sim::func
