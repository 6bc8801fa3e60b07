//===- Fault.cpp - Program fault diagnostics ------------------------------===//
#include "strata/sim/core/Fault.h"

#include <fmt/format.h>

namespace strata::sim::core {

std::string Fault::format() const {
  std::string where;
  if (core != kNoCore)
    where = fmt::format("core {}", core);
  if (!unit.empty())
    where += (where.empty() ? "" : ", ") + unit;
  if (pc != kNoPc)
    where += fmt::format("{}pc {}", where.empty() ? "" : ", ", pc);
  if (!instr.empty())
    where += fmt::format(" `{}`", instr);
  std::string text = where.empty() ? message : where + ": " + message;
  return text + fmt::format(" (at {:.1f} ns)", timeNs);
}

} // namespace strata::sim::core
