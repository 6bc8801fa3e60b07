//===- TimingChecker.cpp - JEDEC constraints of one HBM channel ------------===//

#include "strata/sim/mem/TimingChecker.h"

#include <algorithm>

namespace strata::sim::mem {

TimingChecker::TimingChecker(const HbmConfig &h)
    : t_(h.timing), perBank_(h.perBankRefresh()), groups_(h.bankGroups), banksPerGroup_(h.banksPerGroup),
      banksPerPc_(h.bankGroups * h.banksPerGroup) {
  bc_ = h.burstLength / 2;
  uint32_t ccd = std::max(t_.tCCD_S, bc_);
  int64_t rtw = int64_t(t_.tCL) + bc_ + 1 - int64_t(t_.tWL);
  rtw_ = uint32_t(std::max<int64_t>(rtw, ccd));
  wtr_ = t_.tWL + bc_ + t_.tWTR;
  wrToPre_ = t_.tWL + bc_ + t_.tWR;
  banks_.resize(size_t(h.pseudoChannels) * banksPerPc_);
  groups_v_.resize(size_t(h.pseudoChannels) * groups_);
  pcs_.resize(h.pseudoChannels);
}

void TimingChecker::issue(DramCommandKind kind, uint32_t pc, uint32_t bank, uint64_t t) {
  Pc &p = pcs_[pc];
  auto raise = [](uint64_t &reg, uint64_t v) { reg = std::max(reg, v); };
  switch (kind) {
  case DramCommandKind::Activate: {
    Bank &b = banks_[pc * banksPerPc_ + bank];
    Group &g = groups_v_[pc * groups_ + bank / banksPerGroup_];
    raise(b.rd, t + t_.tRCD);
    raise(b.wr, t + t_.tRCD);
    raise(b.pre, t + t_.tRAS);
    raise(b.act, t + t_.tRC);
    raise(g.act, t + t_.tRRD_L);
    raise(p.act, t + t_.tRRD_S);
    raise(g.refsb, t + t_.tRRD_L);
    raise(p.refsb, t + t_.tRRD_S);
    p.faw[p.fawNext] = t;
    p.fawNext = (p.fawNext + 1) % 4;
    p.fawCount = std::min(p.fawCount + 1, 4u);
    raise(rowBusFree_, t + t_.tACT);
    break;
  }
  case DramCommandKind::Precharge: {
    Bank &b = banks_[pc * banksPerPc_ + bank];
    raise(b.act, t + t_.tRP);
    raise(b.ref, t + t_.tRP);
    raise(p.ref, t + t_.tRP);
    raise(rowBusFree_, t + 1);
    break;
  }
  case DramCommandKind::Read: {
    Bank &b = banks_[pc * banksPerPc_ + bank];
    Group &g = groups_v_[pc * groups_ + bank / banksPerGroup_];
    raise(b.pre, t + t_.tRTP);
    raise(g.rd, t + std::max(t_.tCCD_L, bc_));
    raise(g.wr, t + std::max(t_.tCCD_L, rtw_));
    raise(p.rd, t + std::max(t_.tCCD_S, bc_));
    raise(p.wr, t + rtw_);
    break;
  }
  case DramCommandKind::Write: {
    Bank &b = banks_[pc * banksPerPc_ + bank];
    Group &g = groups_v_[pc * groups_ + bank / banksPerGroup_];
    raise(b.pre, t + wrToPre_);
    raise(g.wr, t + std::max(t_.tCCD_L, bc_));
    raise(g.rd, t + std::max(t_.tCCD_L, wtr_));
    raise(p.wr, t + std::max(t_.tCCD_S, bc_));
    raise(p.rd, t + wtr_);
    break;
  }
  case DramCommandKind::Refresh: {
    if (perBank_) {
      // The refreshed bank is busy for tRFCsb; the others only keep tRREFD
      // from it, for their ACTs and the next REFsb.
      Bank &b = banks_[pc * banksPerPc_ + bank];
      raise(b.act, t + t_.tRFCsb);
      raise(b.ref, t + t_.tRFCsb);
      raise(p.act, t + t_.tRREFD);
      raise(p.refsb, t + t_.tRREFD);
      raise(rowBusFree_, t + 1);
      break;
    }
    for (uint32_t i = 0; i < banksPerPc_; ++i)
      raise(banks_[pc * banksPerPc_ + i].act, t + t_.tRFC);
    raise(p.ref, t + t_.tRFC);
    raise(rowBusFree_, t + 1);
    break;
  }
  }
}

} // namespace strata::sim::mem

namespace strata::sim::mem {

const char *dramCommandName(DramCommandKind kind) {
  switch (kind) {
  case DramCommandKind::Activate:
    return "ACT";
  case DramCommandKind::Precharge:
    return "PRE";
  case DramCommandKind::Read:
    return "RD";
  case DramCommandKind::Write:
    return "WR";
  case DramCommandKind::Refresh:
    return "REF";
  }
  return "?";
}

} // namespace strata::sim::mem
