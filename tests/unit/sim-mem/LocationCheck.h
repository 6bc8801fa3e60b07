//===- LocationCheck.h - Small mapping geometries and location checks -*- C++ -*-===//
#pragma once

#include "strata/sim/mem/AddressMapper.h"

#include <gtest/gtest.h>

namespace strata::sim::mem::test {

/// A geometry small enough to decode every address of: `stacks` stacks of 2
/// channels x 2 pseudo-channels x 2 x 2 banks, rows of 4 chunks of 64 B,
/// `rowsPerBank` rows.
inline HbmConfig smallGeometry(const char *mapping, uint32_t stacks, uint32_t rowsPerBank) {
  HbmConfig h;
  h.addressMapping = mapping;
  h.stacks = stacks;
  h.channelsPerStack = 2;
  h.pseudoChannels = 2;
  h.bankGroups = 2;
  h.banksPerGroup = 2;
  h.rowBytes = 256;
  h.interleaveBytes = 64;
  h.capacityBytesPerStack = 2 * 2 * 4 * 256 * uint64_t(rowsPerBank);
  return h;
}

/// Every field of `l` within the geometry of `h`, and its derived indices
/// (global pseudo-channel and channel, bank within the pseudo-channel) right.
inline ::testing::AssertionResult inGeometry(const HbmConfig &h, const AddressMapper &m,
                                             const DramLocation &l) {
  auto fail = [](const char *what) { return ::testing::AssertionFailure() << what; };
  if (l.stack >= h.stacks)
    return fail("stack out of range");
  if (l.channel >= h.channelsPerStack)
    return fail("channel out of range");
  if (l.pseudoChannel >= h.pseudoChannels)
    return fail("pseudo-channel out of range");
  if (l.bankGroup >= h.bankGroups)
    return fail("bank group out of range");
  if (l.bank >= h.banksPerGroup)
    return fail("bank out of range");
  if (l.row >= m.rowsPerBank())
    return fail("row out of range");
  if (l.column >= h.rowBytes)
    return fail("column out of range");
  if (l.globalPc != (l.stack * h.channelsPerStack + l.channel) * h.pseudoChannels +
                        l.pseudoChannel)
    return fail("globalPc is not derived from stack, channel and pseudo-channel");
  if (l.globalChannel != l.stack * h.channelsPerStack + l.channel)
    return fail("globalChannel is not derived from stack and channel");
  if (l.pcBank != l.bankGroup * h.banksPerGroup + l.bank)
    return fail("pcBank is not derived from bank group and bank");
  return ::testing::AssertionSuccess();
}

} // namespace strata::sim::mem::test
