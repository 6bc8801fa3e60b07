//===- ClockDomain.h - A DVFS clock/voltage domain --------------*- C++ -*-===//
//
// A ClockDomain holds the current operating point (V, f) of one clock domain
// instance, converts cycles to time, and tells listeners when the point
// changes. Plain C++ with explicit times (ns), so it is testable without
// SystemC; DvfsController drives it from SystemC events.
//
// Usage:
//   auto set = ClockDomainSet::create(arch);        // core0..coreN-1, memory, ...
//   if (!set) return set.error();
//   ClockDomain &core = set->core(2);
//   double ns = core.cyclesToNs(cycles);             // at the current point
//   double end = core.timeAfterCycles(nowNs, cycles); // honours a stall in progress
//   core.addListener([](const ClockDomain &d, DomainChange c, double nowNs) {
//     // rescale the remaining cycles of work in flight (see CycleProgress.h)
//   });
//
// Transitions: request(level, now) starts one if the domain is idle; the
// clock stalls for transitionNs (units in the domain make no progress) and
// transitionEnergyNj is spent; completeTransition(now) applies the new point.
// A request made during a transition is queued in a single slot: the latest
// request wins, and it starts when the running transition completes (if it
// still differs from the level just reached). Requesting the current level of
// an idle domain costs nothing.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "strata/support/Error.h"
#include "strata/target/ArchConfig.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace strata::sim {

enum class DomainChange {
  TransitionBegin, ///< the clock stopped; targetLevel() is the level being entered
  TransitionEnd,   ///< the new operating point is in force
};

class ClockDomain {
public:
  using Listener = std::function<void(const ClockDomain &, DomainChange, double nowNs)>;

  /// `config` must outlive the domain and be valid (ClockDomainSet::create
  /// checks it). `coreIndex` is the owning NPU core, or -1 for chip domains.
  ClockDomain(std::string name, uint32_t index, int32_t coreIndex,
              const DvfsDomainConfig &config);
  ClockDomain(const ClockDomain &) = delete;
  ClockDomain &operator=(const ClockDomain &) = delete;

  /// Instance name: "core0", "core1", ..., "memory".
  const std::string &name() const { return name_; }
  /// Config name shared by all instances of the kind: "core", "memory".
  const std::string &kind() const { return config_->name; }
  /// Dense index in the ClockDomainSet (PowerMonitor and DvfsController arrays).
  uint32_t index() const { return index_; }
  int32_t coreIndex() const { return coreIndex_; }
  const DvfsDomainConfig &config() const { return *config_; }

  uint32_t numLevels() const { return uint32_t(config_->points.size()); }
  /// Level in force (during a transition: the level being left).
  uint32_t level() const { return level_; }
  /// Level the domain is heading for: the transition target, else level().
  uint32_t targetLevel() const { return inTransition_ ? target_ : level_; }
  /// The queued request, if any.
  std::optional<uint32_t> pendingLevel() const { return pending_; }

  const OperatingPoint &point() const { return config_->points[level_]; }
  const OperatingPoint &point(uint32_t level) const { return config_->points[level]; }
  double volts() const { return point().volts; }
  double freqMHz() const { return point().freqMHz; }
  double periodNs() const { return 1000.0 / point().freqMHz; }
  double nominalVolts() const { return config_->points[config_->nominal].volts; }
  /// V / Vnom at the current point: dynamic energy scales by its square.
  double voltageRatio() const { return volts() / nominalVolts(); }
  /// Voltage that leaks: the current one, or during a transition the higher
  /// of the two (the regulator holds the higher rail while the PLL relocks).
  double leakageVolts() const;

  /// Cycle <-> time at the current operating point.
  double cyclesToNs(double cycles) const { return cycles * periodNs(); }
  double nsToCycles(double ns) const { return ns / periodNs(); }
  /// Absolute time at which `cycles` cycles starting at `nowNs` complete if no
  /// further change is requested: a stall in progress delays the start and the
  /// cycles then run at the target frequency.
  double timeAfterCycles(double nowNs, double cycles) const;

  bool inTransition() const { return inTransition_; }
  /// End of the running transition (meaningful while inTransition()).
  double transitionEndNs() const { return transitionEnd_; }

  /// Asks for operating point `level`. Fails (and changes nothing) if the
  /// level does not exist. See the file comment for the queueing rule.
  Status request(uint32_t level, double nowNs);
  /// Applies the running transition (call at transitionEndNs()). Returns true
  /// if a queued request started a new transition at once.
  bool completeTransition(double nowNs);

  /// Time spent at `level` with the clock running, up to `nowNs`.
  double residencyNs(uint32_t level, double nowNs) const;
  /// Time spent stalled in transitions up to `nowNs`. The residencies of all
  /// levels plus this equal nowNs.
  double transitionTimeNs(double nowNs) const;
  /// Transitions started so far.
  uint64_t transitions() const { return transitions_; }
  /// Energy of the transitions started so far, in nJ.
  double transitionEnergyNj() const { return transitions_ * config_->transitionEnergyNj; }

  /// Called after every state change, in registration order.
  void addListener(Listener listener) { listeners_.push_back(std::move(listener)); }

private:
  void account(double nowNs);
  void begin(uint32_t level, double nowNs);
  void notify(DomainChange change, double nowNs);

  std::string name_;
  uint32_t index_;
  int32_t coreIndex_;
  const DvfsDomainConfig *config_;
  uint32_t level_;
  uint32_t target_ = 0;
  std::optional<uint32_t> pending_;
  bool inTransition_ = false;
  double transitionEnd_ = 0;
  double lastNs_ = 0; ///< time up to which residency is accounted
  std::vector<double> residency_;
  double stalledNs_ = 0;
  uint64_t transitions_ = 0;
  std::vector<Listener> listeners_;
};

/// Every domain instance of a chip: one "core" domain per NPU core (named
/// core0, core1, ...; indices 0..numCores-1), then each chip-level domain in
/// config order (e.g. "memory"). Owns the ArchConfig's DVFS section it points to.
class ClockDomainSet {
public:
  /// Validates arch.dvfs (a "core" domain must exist; points ascending in
  /// frequency with positive volts and MHz; nominal/initial in range;
  /// non-negative transition costs) and builds the instances.
  static Expected<ClockDomainSet> create(const ArchConfig &arch);

  ClockDomainSet(ClockDomainSet &&) = default;
  ClockDomainSet &operator=(ClockDomainSet &&) = default;

  uint32_t size() const { return uint32_t(domains_.size()); }
  ClockDomain &operator[](uint32_t index) { return *domains_[index]; }
  const ClockDomain &operator[](uint32_t index) const { return *domains_[index]; }
  uint32_t numCores() const { return numCores_; }
  /// Domain of NPU core `core` (its index equals `core`).
  ClockDomain &core(uint32_t core) { return *domains_[core]; }
  /// Instance by name ("core3", "memory"), or nullptr.
  ClockDomain *find(const std::string &name);
  const ClockDomain *find(const std::string &name) const;
  const DvfsConfig &config() const { return *config_; }

  /// Resolves the domain operand of a DvfsHint issued by core `core`: an index
  /// into arch.dvfs.domains (the per-core kind means the issuing core's own
  /// instance), or kOwnCoreDomain. Fails with a message naming the operand.
  Expected<uint32_t> resolveHint(uint32_t core, uint8_t id) const;

private:
  ClockDomainSet() = default;
  std::unique_ptr<DvfsConfig> config_; ///< stable copy the domains point into
  std::vector<std::unique_ptr<ClockDomain>> domains_;
  std::vector<uint32_t> chipInstance_; ///< config index -> instance (chip kinds)
  uint32_t coreKind_ = 0;              ///< config index of "core"
  uint32_t numCores_ = 0;
};

} // namespace strata::sim
