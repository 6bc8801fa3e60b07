//===- RunStats.cpp -------------------------------------------------------===//
#include "strata/runtime/RunStats.h"

#include "strata/target/ArchConfig.h"
#include "strata/target/ArchConfigIO.h"

#include <algorithm>

namespace strata::runtime {

std::string_view stepKindName(StepKind kind) {
  return kind == StepKind::Prefill ? "prefill" : "decode";
}

void RunStats::add(StepRecord record) { steps_.push_back(std::move(record)); }

void RunStats::merge(const RunStats &other) {
  steps_.insert(steps_.end(), other.steps_.begin(), other.steps_.end());
}

uint64_t RunStats::cycles() const {
  uint64_t n = 0;
  for (const StepRecord &s : steps_)
    n += s.result.cycles;
  return n;
}

double RunStats::seconds() const {
  double t = 0;
  for (const StepRecord &s : steps_)
    t += s.result.seconds;
  return t;
}

double RunStats::ttftSeconds() const {
  double t = 0;
  for (const StepRecord &s : steps_)
    if (s.purpose == StepPurpose::Prompt)
      t += s.result.seconds;
  return t;
}

double RunStats::tpotSeconds() const {
  double t = 0;
  uint32_t n = 0;
  for (const StepRecord &s : steps_)
    if (s.purpose == StepPurpose::Generation) {
      t += s.result.seconds;
      ++n;
    }
  return n ? t / n : 0.0;
}

double RunStats::energyJ() const {
  double e = 0;
  for (const StepRecord &s : steps_)
    e += s.result.energyJ;
  return e;
}

double RunStats::averagePowerW() const {
  double t = seconds();
  return t > 0 ? energyJ() / t : 0.0;
}

double RunStats::macs() const {
  double m = 0;
  for (const StepRecord &s : steps_)
    m += s.result.macs;
  return m;
}

double RunStats::hbmBytes() const {
  double b = 0;
  for (const StepRecord &s : steps_)
    b += s.result.hbmReadBytes + s.result.hbmWriteBytes;
  return b;
}

double RunStats::utilisation(const std::string &unit, uint32_t numCores) const {
  double busyNs = 0;
  for (const StepRecord &s : steps_)
    for (const sim::UnitUtilisation &u : s.result.units)
      if (u.unit == unit)
        busyNs += u.busyNs;
  double capacityNs = double(numCores) * seconds() * 1e9;
  return capacityNs > 0 ? std::min(1.0, busyNs / capacityNs) : 0.0;
}

double RunStats::hbmBandwidthUtilisation(const ArchConfig &arch) const {
  double t = seconds(), peak = peakHbmBytesPerSecond(arch);
  return t > 0 && peak > 0 ? hbmBytes() / t / peak : 0.0;
}

std::vector<std::pair<std::string, double>> RunStats::energyByUnit() const {
  std::vector<std::pair<std::string, double>> out;
  for (const StepRecord &s : steps_)
    for (const auto &[unit, joules] : s.result.energyByUnit) {
      auto it = std::find_if(out.begin(), out.end(),
                             [&](const auto &e) { return e.first == unit; });
      if (it == out.end())
        out.emplace_back(unit, joules);
      else
        it->second += joules;
    }
  return out;
}

} // namespace strata::runtime
