//===- LocationCheck.h - A decoded location lies inside the geometry -*- C++ -*-===//
#pragma once

#include "strata/sim/mem/AddressMapper.h"

#include <gtest/gtest.h>

namespace strata::sim::mem::test {

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
