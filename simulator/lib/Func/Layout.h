//===- Layout.h - Operand layouts of compute instructions -------*- C++ -*-===//
//
// Every operand of a Gemm or vector instruction is a strided [rows][cols]
// matrix of one DType in local SRAM: element (i, j) is element i*ld + j
// counted from the operand's byte address (I4 elements are nibbles). The
// leading dimension only matters when there is more than one row.
// Validation and footprints (Footprint.cpp) and execution share these
// descriptions, so what execute() touches is exactly what footprint() reports.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "strata/sim/func/Execute.h"
#include "strata/support/Error.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace strata::sim::func {

struct Matrix {
  uint64_t base = 0; ///< byte offset in SRAM
  DType type = DType::F32;
  uint64_t rows = 0, cols = 0, ld = 0; ///< ld in elements
  /// Element index of (i, j), counted from base.
  uint64_t index(uint64_t i, uint64_t j) const { return i * ld + j; }
  bool empty() const { return rows == 0 || cols == 0; }
};

/// Bounding byte range of a non-empty matrix.
ByteRange byteRangeOf(const Matrix &m, bool write);

/// Checks that the operand is addressable: its byte address is a multiple of
/// its element size, ld >= cols and (I4) ld even when it has several rows.
/// `what` names the instruction, `name` the operand and `ldName` its
/// leading-dimension field, e.g. ("gemm", "A", "lda").
Status diagnoseMatrix(std::string_view what, std::string_view name, std::string_view ldName,
                      const Matrix &m);

/// True for an operand of ordinary size (rows, cols, ld below 2^28, base
/// below 2^40) that diagnoseMatrix() accepts: the check a layout miss makes
/// for every operand, without building a Status.
inline bool plainlyAddressable(const Matrix &m) {
  if ((m.rows | m.cols | m.ld) >= (uint64_t(1) << 28) || m.base >= (uint64_t(1) << 40))
    return false;
  const unsigned bits = dtypeBits(m.type);
  if (bits == 0 || m.base % (bits >= 8 ? bits / 8 : 1) != 0)
    return false;
  return m.rows <= 1 || (m.ld >= m.cols && (m.type != DType::I4 || m.ld % 2 == 0));
}

/// diagnoseMatrix() with the common valid case inline.
inline Status checkMatrix(std::string_view what, std::string_view name, std::string_view ldName,
                          const Matrix &m) {
  if (m.empty() || plainlyAddressable(m))
    return Status::ok();
  return diagnoseMatrix(what, name, ldName, m);
}

/// Everything execute() needs to know about a validated Gemm.
struct GemmLayout {
  uint32_t m = 0, n = 0, k = 0;
  uint32_t nOut = 0;     ///< output columns: n, or n/2 with SwiGlu
  uint32_t groups = 1;   ///< scale groups along K (1 without PerGroup)
  uint32_t groupLen = 0; ///< K elements per group
  Matrix a, b, c;        ///< b is [k][n], or [n][k] with transB
  std::optional<Matrix> scaleA, scaleB, bias;
  bool noOp() const { return m == 0 || n == 0 || k == 0; }
};

/// Validates a Gemm and describes its operands; the error names the field.
Expected<GemmLayout> layoutOf(const ResolvedGemm &op);
/// The layout of a valid Gemm (memoised per thread), or null if layoutOf()
/// reports an error. Valid until this thread's next Gemm layout query.
const GemmLayout *findLayout(const ResolvedGemm &op);

/// Everything execute() needs to know about a validated vector instruction.
struct VecLayout {
  isa::Opcode op = isa::Opcode::VCopy;
  uint32_t rows = 0, cols = 0;
  std::optional<Matrix> x, y, z; ///< inputs (y is the output for VQuantize scales)
  Matrix out;
  bool yWritten = false; ///< VQuantize writes its scales to y
  uint32_t groupCols = 0; ///< VQuantize/VDequantize columns per scale (cols when per row)
  bool noOp() const { return rows == 0 || cols == 0; }
};

Expected<VecLayout> layoutOf(const ResolvedVec &op);
/// As findLayout(ResolvedGemm), for vector instructions.
const VecLayout *findLayout(const ResolvedVec &op);

/// "i8", "f16", ...; "type 9" for an invalid value.
std::string typeName(DType t);

} // namespace strata::sim::func
