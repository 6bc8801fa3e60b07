//===- Layout.cpp - Operand byte ranges and addressability checks ---------===//

#include "Layout.h"

#include <fmt/format.h>

namespace strata::sim::func {

namespace {
/// No operand may reach beyond this offset: far past any SRAM, and small
/// enough that offset arithmetic never wraps.
constexpr unsigned __int128 kAddressLimit = (unsigned __int128)1 << 62;

/// With rows, cols and ld below 2^28 and the base below 2^62 (every
/// operand a real program has), (rows - 1) * ld + cols < 2^57, times 32 bits
/// < 2^62, so the end fits 64-bit arithmetic: the cheap common case of
/// endOf, taken at every dispatch.
bool smallFields(const Matrix &m) {
  return (m.rows | m.cols | m.ld) < (uint64_t(1) << 28) && m.base < (uint64_t(1) << 62);
}

uint64_t endOfSmall(const Matrix &m) {
  const uint64_t elems = (m.rows - 1) * (m.rows > 1 ? m.ld : 0) + m.cols;
  return m.base + (elems * dtypeBits(m.type) + 7) / 8;
}

unsigned __int128 endOf(const Matrix &m) {
  if (smallFields(m))
    return endOfSmall(m);
  unsigned __int128 elems = (unsigned __int128)(m.rows - 1) * (m.rows > 1 ? m.ld : 0) + m.cols;
  unsigned __int128 bytes = (elems * dtypeBits(m.type) + 7) / 8;
  return (unsigned __int128)m.base + bytes;
}
} // namespace

std::string typeName(DType t) {
  if (!isValidDType(static_cast<uint8_t>(t)))
    return fmt::format("type {}", static_cast<unsigned>(t));
  return std::string(dtypeName(t));
}

ByteRange byteRangeOf(const Matrix &m, bool write) {
  return ByteRange{m.base, smallFields(m) ? endOfSmall(m) : static_cast<uint64_t>(endOf(m)),
                   write};
}

Status diagnoseMatrix(std::string_view what, std::string_view name, std::string_view ldName,
                      const Matrix &m) {
  if (m.empty())
    return Status::ok();
  unsigned elemBytes = dtypeBits(m.type) >= 8 ? dtypeBits(m.type) / 8 : 1;
  if (m.base % elemBytes != 0)
    return Error(fmt::format("{}: operand {} at SRAM byte {:#x} is not aligned to its "
                             "{}-byte {} elements",
                             what, name, m.base, elemBytes, typeName(m.type)));
  if (m.rows > 1) {
    if (m.ld < m.cols)
      return Error(fmt::format("{}: {} = {} is smaller than the {} columns of operand {}",
                               what, ldName, m.ld, m.cols, name));
    if (m.type == DType::I4 && m.ld % 2 != 0)
      return Error(fmt::format("{}: {} = {} must be even for the packed i4 operand {} "
                               "(each row starts on a byte)",
                               what, ldName, m.ld, name));
  }
  if (endOf(m) > kAddressLimit)
    return Error(fmt::format("{}: operand {} ({} x {}, {} = {}) extends past the "
                             "addressable range",
                             what, name, m.rows, m.cols, ldName, m.ld));
  return Status::ok();
}

} // namespace strata::sim::func
