//===- DvfsController.h - Governors, transitions, residency -----*- C++ -*-===//
//
// The SystemC side of DVFS. It owns no domains: it drives a ClockDomainSet
// (completes transitions at their end time, runs the governor), collects unit
// utilisation for `ondemand`, takes DvfsHint instructions for `hinted`, wakes
// units whose clock changed, and reports per-domain residency, transition
// counts and trace counter tracks (level, frequency).
//
// Usage (chip elaboration):
//   auto domains = ClockDomainSet::create(arch);            // keep it alive
//   auto governor = makeGovernor(governorName, arch.dvfs);
//   DvfsController dvfs("dvfs", *domains, std::move(*governor), arch.dvfs, chipStats);
//   dvfs.setTrace(&trace);                                  // optional
//   uint32_t tcBusy = dvfs.addBusyUnit(core, "tensor");     // for ondemand
// In a unit's SC_THREAD:
//   dvfs.busyBegin(tcBusy);
//   dvfs.waitCycles(core, cycles);   // follows frequency changes and stalls
//   dvfs.busyEnd(tcBusy);
// On a DvfsHint instruction of core c:
//   auto d = domains->resolveHint(c, instr.id);
//   Status s = d ? dvfs.hint(*d, instr.value) : d.status();  // fault on error
// When the program finishes (all cores halted):
//   dvfs.finish();   // stops sampling, freezes residency at sc_time_stamp()
//
// The ondemand sampler runs every ondemandWindowNs. After a window without
// unit activity in which every domain already sits at its lowest level it
// sleeps until a unit reports busy again, so an idle chip generates no events.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "strata/sim/power/ClockDomain.h"
#include "strata/sim/power/Governor.h"
#include "strata/sim/power/UtilizationMeter.h"
#include "strata/sim/stats/Stats.h"
#include "strata/sim/trace/Trace.h"

#include <systemc>

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace strata::sim {

class DvfsController : public sc_core::sc_module {
public:
  /// Registers stats under parentStats.child("dvfs"). `domains` must outlive
  /// the controller.
  DvfsController(sc_core::sc_module_name name, ClockDomainSet &domains,
                 std::unique_ptr<Governor> governor, const DvfsConfig &config,
                 StatGroup &parentStats);

  /// Writes level/frequency counter tracks to `trace` (may be null). `pidOf`
  /// picks the trace process of a domain; by default core k -> pid k and chip
  /// domains follow the cores (numCores, numCores + 1, ...).
  void setTrace(TraceWriter *trace,
                std::function<uint32_t(const ClockDomain &)> pidOf = {});

  ClockDomainSet &domains() { return domains_; }
  const Governor &governor() const { return *governor_; }

  /// A unit whose busy time drives `domain`'s utilisation (ondemand).
  uint32_t addBusyUnit(uint32_t domain, const std::string &name);
  void busyBegin(uint32_t unit);
  void busyEnd(uint32_t unit);
  void addBusy(uint32_t unit, double ns);

  /// A DvfsHint for `level` of `domain`. Fails if either does not exist. The
  /// hinted governor requests the level; the others count it and ignore it.
  Status hint(uint32_t domain, uint32_t level);
  /// Requests `level` directly, whatever the governor (runtime, tests).
  Status request(uint32_t domain, uint32_t level);

  /// Notified (delta cycle) at every transition begin and end of `domain`.
  const sc_core::sc_event &changeEvent(uint32_t domain) const { return *changed_[domain]; }
  /// From an SC_THREAD: waits until `cycles` cycles of `domain` have run,
  /// following operating-point changes and stalls on the way.
  void waitCycles(uint32_t domain, double cycles);

  /// Ends DVFS activity at sc_time_stamp(): pending sampling and transition
  /// completions are cancelled, so DVFS keeps no event alive after the run;
  /// residency and stats are frozen at that time. Idempotent.
  void finish();
  bool finished() const { return finished_; }
  /// Time the stats refer to: the finish time, or now while running.
  double nowNs() const;

  uint64_t hints(uint32_t domain) const { return perDomain_[domain].hints; }
  uint64_t hintsIgnored(uint32_t domain) const { return perDomain_[domain].ignored; }

private:
  SC_HAS_PROCESS(DvfsController);
  void onChange(const ClockDomain &domain, DomainChange change, double nowNs);
  void completeTransitions();
  void sample();
  void traceDomain(const ClockDomain &domain, double nowNs);
  Status checkDomain(uint32_t domain, const char *what) const;

  struct DomainStats {
    uint64_t hints = 0;
    uint64_t ignored = 0;
  };

  ClockDomainSet &domains_;
  std::unique_ptr<Governor> governor_;
  DvfsConfig config_;
  UtilizationMeter meter_;
  std::vector<DomainStats> perDomain_;
  std::vector<std::unique_ptr<sc_core::sc_event>> changed_;
  sc_core::sc_event_queue transitionDone_;
  sc_core::sc_event tick_;   ///< end of an ondemand window
  sc_core::sc_event wake_;   ///< restarts a sleeping ondemand sampler
  bool primed_ = false;
  bool sleeping_ = false;
  double windowStartNs_ = 0;
  bool finished_ = false;
  double finishNs_ = 0;
  std::vector<double> utilisation_;
  TraceWriter *trace_ = nullptr;
  std::function<uint32_t(const ClockDomain &)> pidOf_;
};

} // namespace strata::sim
