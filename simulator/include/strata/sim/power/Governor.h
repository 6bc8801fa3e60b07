//===- Governor.h - DVFS policies --------------------------------*- C++ -*-===//
//
// A governor decides the operating point a domain should move to. It is plain
// C++ and knows nothing of time: DvfsController calls it with a utilisation
// sample (every ondemandWindowNs, ondemand only) or with a hint from a
// DvfsHint instruction, and applies the level it returns.
//
//   fixed    stays at each domain's initial level; records hints, ignores them.
//   ondemand utilisation above the up-threshold -> one level up, below the
//            down-threshold -> one level down; ignores hints.
//   hinted   moves to the hinted level; never samples.
//
// Usage:
//   auto g = makeGovernor(arch.dvfs);               // or makeGovernor("hinted", arch.dvfs)
//   if (!g) return g.error();
//   if (auto level = (*g)->onHint(domain, 1)) domain.request(*level, now);
//
//===----------------------------------------------------------------------===//
#pragma once

#include "strata/sim/power/ClockDomain.h"
#include "strata/support/Error.h"
#include "strata/target/ArchConfig.h"

#include <memory>
#include <optional>
#include <string>

namespace strata::sim {

class Governor {
public:
  virtual ~Governor() = default;
  virtual const char *name() const = 0;
  /// True if the controller must sample utilisation for this governor.
  virtual bool samples() const { return false; }
  /// Level wanted after a window with `utilisation` in [0, 1]; nullopt keeps
  /// the current target.
  virtual std::optional<uint32_t> onSample(const ClockDomain &domain, double utilisation) {
    return std::nullopt;
  }
  /// Level wanted after a hint for `level` (already range-checked); nullopt
  /// ignores the hint.
  virtual std::optional<uint32_t> onHint(const ClockDomain &domain, uint32_t level) {
    return std::nullopt;
  }
};

class FixedGovernor final : public Governor {
public:
  const char *name() const override { return "fixed"; }
};

class OndemandGovernor final : public Governor {
public:
  OndemandGovernor(double upThreshold, double downThreshold)
      : up_(upThreshold), down_(downThreshold) {}
  const char *name() const override { return "ondemand"; }
  bool samples() const override { return true; }
  std::optional<uint32_t> onSample(const ClockDomain &domain, double utilisation) override;

private:
  double up_, down_;
};

class HintedGovernor final : public Governor {
public:
  const char *name() const override { return "hinted"; }
  std::optional<uint32_t> onHint(const ClockDomain &domain, uint32_t level) override {
    return level;
  }
};

/// The governor `name` ("fixed", "ondemand", "hinted") with thresholds from
/// `config`. Fails on an unknown name or thresholds outside
/// 0 <= down < up <= 1, or a non-positive window for ondemand.
Expected<std::unique_ptr<Governor>> makeGovernor(const std::string &name,
                                                 const DvfsConfig &config);
/// The governor named by config.governor.
inline Expected<std::unique_ptr<Governor>> makeGovernor(const DvfsConfig &config) {
  return makeGovernor(config.governor, config);
}

} // namespace strata::sim
