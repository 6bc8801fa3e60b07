//===- Governor.cpp -------------------------------------------------------===//
#include "strata/sim/power/Governor.h"

#include <cmath>

namespace strata::sim {

std::optional<uint32_t> OndemandGovernor::onSample(const ClockDomain &domain,
                                                   double utilisation) {
  // Decide from the level the domain is heading for, so a sample taken during
  // a transition does not undo or repeat the step already under way.
  uint32_t target = domain.targetLevel();
  if (utilisation > up_ && target + 1 < domain.numLevels())
    return target + 1;
  if (utilisation < down_ && target > 0)
    return target - 1;
  return std::nullopt;
}

Expected<std::unique_ptr<Governor>> makeGovernor(const std::string &name,
                                                 const DvfsConfig &config) {
  if (name == "fixed")
    return std::unique_ptr<Governor>(std::make_unique<FixedGovernor>());
  if (name == "hinted")
    return std::unique_ptr<Governor>(std::make_unique<HintedGovernor>());
  if (name == "ondemand") {
    double up = config.ondemandUpThreshold, down = config.ondemandDownThreshold;
    if (!(down >= 0 && down < up && up <= 1))
      return Error("dvfs: ondemand thresholds must satisfy 0 <= down < up <= 1 (down = " +
                   std::to_string(down) + ", up = " + std::to_string(up) + ")");
    if (!(config.ondemandWindowNs > 0) || !std::isfinite(config.ondemandWindowNs))
      return Error("dvfs: ondemandWindowNs must be positive (it is " +
                   std::to_string(config.ondemandWindowNs) + ")");
    return std::unique_ptr<Governor>(std::make_unique<OndemandGovernor>(up, down));
  }
  return Error("dvfs: unknown governor '" + name +
               "' (expected 'fixed', 'ondemand' or 'hinted')");
}

} // namespace strata::sim
