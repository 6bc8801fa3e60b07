//===- TimingChecker.h - JEDEC constraints of one HBM channel ----*- C++ -*-===//
//
// The timing half of the controller (the scheduler is ChannelController):
// given what was issued, the earliest cycle each command may issue on a bank.
// Like a DRAM checker it keeps, per bank, bank group, pseudo-channel and
// channel, the earliest cycle of the next ACT/PRE/RD/WR/REF, and raises them
// as commands issue. Formulas (BC = burstLength / 2, the data-bus cycles of a
// burst):
//
//   ACT -> RD/WR same bank   tRCD          ACT -> PRE same bank   tRAS
//   ACT -> ACT same bank     tRC           PRE -> ACT same bank   tRP
//   ACT -> ACT same group    tRRD_L        other group            tRRD_S
//   any 5 ACTs of a pseudo-channel span at least tFAW
//   RD -> RD / WR -> WR      tCCD_L same group, max(tCCD_S, BC) otherwise
//   RD -> WR                 max(tCCD, tCL + BC + 1 - tWL)   (bus turnaround)
//   WR -> RD                 tWL + BC + tWTR
//   RD -> PRE                tRTP          WR -> PRE   tWL + BC + tWR
//   PRE(all) -> REF          tRP           REF -> ACT/REF   tRFC
//   row-command bus, shared by the channel's pseudo-channels:
//     ACT occupies tACT cycles, PRE and REF one cycle
//
// With hbm.refresh per-bank, Refresh is a single-bank refresh (REFsb) of the
// bank named, which must be precharged:
//
//   PRE -> REFsb same bank   tRP           REFsb -> ACT/REFsb same bank  tRFCsb
//   REFsb -> ACT/REFsb other bank of the pseudo-channel   tRREFD
//   ACT -> REFsb other bank  tRRD_L same group, tRRD_S otherwise
//
//===----------------------------------------------------------------------===//
#pragma once

#include "strata/sim/mem/MemoryListener.h"
#include "strata/target/ArchConfig.h"

#include <algorithm>
#include <cstdint>
#include <vector>

namespace strata::sim::mem {

class TimingChecker {
public:
  explicit TimingChecker(const HbmConfig &hbm);

  /// Earliest issue cycle of `kind` to bank `bank` (bank within the
  /// pseudo-channel) of pseudo-channel `pc`. An all-bank Refresh ignores
  /// `bank`; a per-bank one (hbm.refresh per-bank) refreshes that bank.
  uint64_t earliest(DramCommandKind kind, uint32_t pc, uint32_t bank) const;
  /// Records that `kind` issued at `cycle` (which must be >= earliest()).
  void issue(DramCommandKind kind, uint32_t pc, uint32_t bank, uint64_t cycle);

  uint32_t burstCycles() const { return bc_; }
  uint32_t readToWrite() const { return rtw_; }
  uint32_t writeToRead() const { return wtr_; }

private:
  struct Bank {
    uint64_t act = 0, pre = 0, rd = 0, wr = 0;
    uint64_t ref = 0; ///< per-bank mode: next REFsb of this bank
  };
  struct Group {
    uint64_t act = 0, rd = 0, wr = 0;
    uint64_t refsb = 0; ///< per-bank mode: REFsb after an ACT in the group
  };
  struct Pc {
    uint64_t act = 0, rd = 0, wr = 0, ref = 0;
    uint64_t refsb = 0; ///< per-bank mode: REFsb after ACT/REFsb of the pc
    uint64_t faw[4] = {0, 0, 0, 0}; ///< last four ACTs (ring)
    uint32_t fawNext = 0, fawCount = 0;
  };
  HbmTiming t_;
  bool perBank_;
  uint32_t groups_, banksPerGroup_, banksPerPc_;
  uint32_t bc_, rtw_, wtr_, wrToPre_;
  std::vector<Bank> banks_;   // [pc][bank]
  std::vector<Group> groups_v_; // [pc][group]
  std::vector<Pc> pcs_;
  uint64_t rowBusFree_ = 0;
};

// On the scheduler's hot path: inline.
inline uint64_t TimingChecker::earliest(DramCommandKind kind, uint32_t pc, uint32_t bank) const {
  const Pc &p = pcs_[pc];
  switch (kind) {
  case DramCommandKind::Activate: {
    const Bank &b = banks_[pc * banksPerPc_ + bank];
    const Group &g = groups_v_[pc * groups_ + bank / banksPerGroup_];
    uint64_t e = std::max({b.act, g.act, p.act, rowBusFree_});
    if (p.fawCount == 4) // the oldest of the last four ACTs
      e = std::max(e, p.faw[p.fawNext] + t_.tFAW);
    return e;
  }
  case DramCommandKind::Precharge:
    return std::max(banks_[pc * banksPerPc_ + bank].pre, rowBusFree_);
  case DramCommandKind::Read: {
    const Bank &b = banks_[pc * banksPerPc_ + bank];
    const Group &g = groups_v_[pc * groups_ + bank / banksPerGroup_];
    return std::max({b.rd, g.rd, p.rd});
  }
  case DramCommandKind::Write: {
    const Bank &b = banks_[pc * banksPerPc_ + bank];
    const Group &g = groups_v_[pc * groups_ + bank / banksPerGroup_];
    return std::max({b.wr, g.wr, p.wr});
  }
  case DramCommandKind::Refresh:
    if (perBank_) {
      const Bank &b = banks_[pc * banksPerPc_ + bank];
      const Group &g = groups_v_[pc * groups_ + bank / banksPerGroup_];
      return std::max({b.ref, g.refsb, p.refsb, rowBusFree_});
    }
    return std::max(p.ref, rowBusFree_);
  }
  return 0;
}

} // namespace strata::sim::mem
