//===- SystemCTest.h - A fresh SystemC simulation per test ------*- C++ -*-===//
//
// SystemC 2.3 keeps one global simulation context; a module elaborated in one
// test would otherwise leak into the next. The fixture swaps in a new context
// before each test, so every test elaborates and runs its own design.
//
//===----------------------------------------------------------------------===//
#pragma once

#include <gtest/gtest.h>
#include <systemc>

namespace strata::test {

class SystemCTest : public ::testing::Test {
protected:
  void SetUp() override {
    context_ = new sc_core::sc_simcontext();
    sc_core::sc_curr_simcontext = context_;
    sc_core::sc_default_global_context = context_;
  }
  // The old context is intentionally not deleted: SystemC 2.3 objects may
  // still refer to it during static teardown.
  void TearDown() override {}

private:
  sc_core::sc_simcontext *context_ = nullptr;
};

} // namespace strata::test
