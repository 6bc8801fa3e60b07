//===- SimContext.h - Start a new SystemC simulation context ----*- C++ -*-===//
//
// SystemC 2.3 keeps one global simulation context, and a context cannot be
// restarted once sc_start() has run. Tests and benchmarks that elaborate
// several designs in one process switch to a new context before each.
//
//===----------------------------------------------------------------------===//
#pragma once

#include <systemc>

namespace strata::test {

/// Makes a new, empty simulation context current and returns it. The old
/// context is intentionally not deleted: SystemC 2.3 objects may still refer
/// to it during static teardown.
inline sc_core::sc_simcontext *freshSimContext() {
  auto *context = new sc_core::sc_simcontext();
  sc_core::sc_curr_simcontext = context;
  sc_core::sc_default_global_context = context;
  return context;
}

} // namespace strata::test
