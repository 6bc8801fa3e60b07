//===- SystemCTest.h - A fresh SystemC simulation per test ------*- C++ -*-===//
//
// SystemC 2.3 keeps one global simulation context; a module elaborated in one
// test would otherwise leak into the next. The fixture swaps in a new context
// before each test, so every test elaborates and runs its own design.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "SimContext.h"

#include <gtest/gtest.h>
#include <systemc>

namespace strata::test {

class SystemCTest : public ::testing::Test {
protected:
  void SetUp() override { freshSimContext(); }
};

} // namespace strata::test
