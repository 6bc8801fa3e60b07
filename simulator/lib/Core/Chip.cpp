//===- Chip.cpp - The NPU chip ---------------------------------------------===//
#include "strata/sim/core/Chip.h"
#include "strata/sim/core/LabelAccounting.h"

#include "strata/sim/mem/MemoryListener.h"
#include "strata/sim/power/Governor.h"
#include "strata/sim/SimTime.h"
#include "strata/target/Assembly.h"
#include "strata/target/Validator.h"

#include <fmt/format.h>

#include <algorithm>

namespace strata::sim::core {

/// Prices the memory system's activity: every DRAM command, bulk transfer
/// and NoC transfer becomes energy events of the "hbm" and "noc" units of
/// the memory clock domain.
class Chip::PowerListener final : public mem::MemoryListener {
public:
  PowerListener(PowerMonitor &power, uint32_t domain) : power_(power) {
    hbm_ = power.addUnit("hbm", domain,
                         {EnergyEvent::HbmActivate, EnergyEvent::HbmReadBit,
                          EnergyEvent::HbmWriteBit, EnergyEvent::HbmIoBit, EnergyEvent::TsvBit,
                          EnergyEvent::HbmRefresh});
    noc_ = power.addUnit("noc", domain, {EnergyEvent::NocByte});
  }

  void onCommand(const mem::DramCommand &c) override {
    const double now = simNowNs();
    switch (c.kind) {
    case mem::DramCommandKind::Activate:
      power_.add(hbm_, EnergyEvent::HbmActivate, 1, now);
      break;
    case mem::DramCommandKind::Precharge:
      break; // priced with its activate
    case mem::DramCommandKind::Read:
    case mem::DramCommandKind::Write: {
      const double bits = double(c.bytes) * 8;
      power_.add(hbm_,
                 c.kind == mem::DramCommandKind::Read ? EnergyEvent::HbmReadBit
                                                      : EnergyEvent::HbmWriteBit,
                 bits, now);
      power_.add(hbm_, EnergyEvent::HbmIoBit, bits, now);
      power_.add(hbm_, EnergyEvent::TsvBit, bits, now);
      break;
    }
    case mem::DramCommandKind::Refresh:
      power_.add(hbm_, EnergyEvent::HbmRefresh, 1, now);
      break;
    }
  }

  void onNocTransfer(uint64_t bytes, uint32_t hops, double timeNs) override {
    power_.add(noc_, EnergyEvent::NocByte, double(bytes) * std::max(1u, hops), timeNs);
  }

  void onBulkActivity(const mem::MemoryActivity &a, double startNs, double endNs) override {
    const double bits = double(a.readBytes + a.writeBytes) * 8;
    // The HBM and the NoC units share the memory domain: one spread. A
    // small transfer has no activate, refresh, read or write of several of
    // these kinds; charging none adds exactly nothing.
    double pj = power_.charge(noc_, EnergyEvent::NocByte, double(a.nocByteHops));
    auto charge = [&](EnergyEvent e, double count) {
      if (count > 0)
        pj += power_.charge(hbm_, e, count);
    };
    charge(EnergyEvent::HbmActivate, double(a.activates));
    charge(EnergyEvent::HbmRefresh, double(a.refreshes));
    charge(EnergyEvent::HbmReadBit, double(a.readBytes) * 8);
    charge(EnergyEvent::HbmWriteBit, double(a.writeBytes) * 8);
    charge(EnergyEvent::HbmIoBit, bits);
    charge(EnergyEvent::TsvBit, bits);
    power_.spread(power_.unitDomain(hbm_), pj, startNs, endNs);
  }

private:
  PowerMonitor &power_;
  PowerMonitor::UnitId hbm_ = 0, noc_ = 0;
};

Chip::Chip(sc_core::sc_module_name name, const ArchConfig &arch, const ChipOptions &options,
           StatGroup &stats, TraceWriter *trace, std::optional<Error> &error)
    : sc_module(name), arch_(arch), options_(options) {
  if (arch.numCores == 0 || arch.numCores > 32) {
    error = Error(fmt::format("arch '{}': numCores is {}; the simulator supports 1 to 32 cores",
                              arch.name, arch.numCores));
    return;
  }
  if (arch.core.tensorCores.count == 0 || arch.core.tensorCores.count > 64) {
    error = Error(fmt::format("arch '{}': core.tensorCores.count is {}; the simulator "
                              "supports 1 to 64 tensor cores per core",
                              arch.name, arch.core.tensorCores.count));
    return;
  }
  auto domains = ClockDomainSet::create(arch);
  if (!domains) {
    error = domains.error();
    return;
  }
  domains_.emplace(domains.takeValue());
  auto governor = options.governor.empty() ? makeGovernor(arch.dvfs)
                                            : makeGovernor(options.governor, arch.dvfs);
  if (!governor) {
    error = governor.error();
    return;
  }
  hbm_ = std::make_unique<mem::HbmStorage>(arch.hbm.totalCapacityBytes());
  dvfs_ = std::make_unique<DvfsController>("dvfs", *domains_, governor.takeValue(), arch.dvfs,
                                           stats);
  if (trace && trace->enabled())
    dvfs_->setTrace(trace);
  power_ = std::make_unique<PowerMonitor>(arch, *domains_, stats, options.powerWindowNs);
  memory_ = std::make_unique<mem::MemorySystem>("memory", arch, *hbm_, stats, trace);
  const ClockDomain *memDomain = domains_->find("memory");
  listener_ = std::make_unique<PowerListener>(*power_, memDomain ? memDomain->index() : 0);
  memory_->setListener(listener_.get());
  if (memDomain) {
    // The memory system times HBM and NoC in the memory clock.
    mem::MemorySystem *memory = memory_.get();
    domains_->find("memory")->addListener(
        [memory](const ClockDomain &d, DomainChange change, double) {
          if (change == DomainChange::TransitionEnd)
            memory->setClockMHz(d.freqMHz());
        });
    memory_->setClockMHz(memDomain->freqMHz());
  }
  barriers_ = std::make_unique<BarrierHub>(arch.numCores);
  labels_ = std::make_unique<LabelAccounting>();
  context_.reset(new ChipContext{arch_, *hbm_, *memory_, *domains_, *dvfs_, *power_,
                                 *barriers_, trace, options.timingOnly, {}, {}, {}, false});
  context_->fault = [this](Fault f) { raise(std::move(f)); };
  context_->coreStateChanged = [this]() {
    if (!checkPending_) {
      checkPending_ = true;
      notifyNow(check_);
    }
  };
  for (uint32_t c = 0; c < arch.numCores; ++c) {
    StatGroup &coreStats = stats.child(fmt::format("core{}", c));
    cores_.push_back(std::make_unique<NpuCore>(fmt::format("core{}", c).c_str(), c,
                                               *context_, coreStats));
    context_->cores.push_back(cores_.back().get());
    context_->nextEventPs.push_back(UINT64_MAX);
    cores_.back()->socket.bind(memory_->socket(c));
  }
  SC_METHOD(check);
  sensitive << check_;
  dont_initialize();
}

Chip::~Chip() {
  if (memory_)
    memory_->setListener(nullptr);
}

double Chip::coreCycles(uint32_t i, double ns) const {
  const ClockDomain &d = (*domains_)[i];
  double cycles = 0;
  for (uint32_t l = 0; l < d.numLevels(); ++l)
    cycles += d.residencyNs(l, ns) * d.point(l).freqMHz / 1000.0;
  return cycles;
}

void Chip::raise(Fault f) {
  if (!fault_)
    fault_ = std::move(f);
  context_->faulted = true;
  running_ = false;
  done_ = true;
  if (sc_core::sc_is_running())
    sc_core::sc_pause();
}

Status Chip::startRun(const bin::EntryPoint &entry, const std::array<int64_t, 32> &regs,
                      bool checked) {
  if (fault_)
    return Error("the chip stopped on a fault in an earlier run: " + fault_->format());
  if (entry.cores.size() > cores_.size())
    return Error(fmt::format("entry point '{}' has code for {} cores but the chip has {}",
                             entry.name, entry.cores.size(), cores_.size()));
  // What can be checked before running: each instruction's encoding rules and
  // branch targets. The rest (register-dependent) faults at run time.
  for (uint32_t c = 0; c < entry.cores.size() && !checked; ++c) {
    const std::vector<isa::Instr> &prog = entry.cores[c];
    for (uint32_t pc = 0; pc < prog.size(); ++pc) {
      Status s = isa::validateInstr(prog[pc]);
      std::string message;
      if (!s)
        message = "malformed instruction: " + s.message();
      else if (const auto *b = std::get_if<isa::BranchInstr>(&prog[pc]);
               b && b->target >= prog.size())
        message = fmt::format("branch target {} lies outside the program ({} instructions)",
                              b->target, prog.size());
      if (message.empty())
        continue;
      Fault f;
      f.core = c;
      f.unit = "sequencer";
      f.pc = pc;
      f.message = message;
      f.timeNs = simNowNs();
      if (isa::isValidOpcode(uint8_t(isa::opcodeOf(prog[pc]))) && s)
        f.instr = isa::printInstr(prog[pc]);
      raise(f);
      return Error(fault_->format());
    }
  }
  barriers_->reset();
  context_->labels = labels_->begin(entry, checked) ? labels_.get() : nullptr;
  running_ = true;
  done_ = false;
  endNs_ = simNowNs();
  for (uint32_t c = 0; c < cores_.size(); ++c)
    cores_[c]->start(c < entry.cores.size() ? &entry.cores[c] : nullptr, regs);
  context_->coreStateChanged();
  return Status::ok();
}

void Chip::check() {
  checkPending_ = false;
  if (!running_ || done_)
    return;
  bool all = true, quiet = true;
  double end = endNs_;
  for (const auto &core : cores_) {
    if (core->finished()) {
      end = std::max(end, core->finishNs());
      continue;
    }
    all = false;
    if (!core->quiescent())
      quiet = false;
  }
  if (all) {
    endNs_ = std::max(end, simNowNs());
    running_ = false;
    done_ = true;
    sc_core::sc_pause();
    return;
  }
  if (!quiet || memory_->requestsInFlight() != 0)
    return;
  // Nothing is scheduled anywhere and nothing is in flight: every unfinished
  // queue waits for a semaphore or barrier that nobody can signal any more.
  std::string detail;
  Fault f;
  for (const auto &core : cores_) {
    const std::string lines = core->describeBlocked();
    if (lines.empty())
      continue;
    if (f.core == Fault::kNoCore) {
      f.core = core->id();
      const auto &blocked = core->firstBlocked();
      f.unit = blocked.unit;
      f.pc = blocked.pc;
      f.instr = blocked.instr;
    }
    detail += lines;
  }
  f.message = "deadlock: no queue of any core can make progress and nothing is in "
              "flight\n" +
              detail;
  if (!f.message.empty() && f.message.back() == '\n')
    f.message.pop_back();
  f.timeNs = simNowNs();
  raise(std::move(f));
}

} // namespace strata::sim::core
