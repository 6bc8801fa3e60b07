//===- SystemCTestMain.cpp - sc_main that runs GoogleTest -----------------===//
//
// SystemC owns main(); test binaries that build SystemC modules link this
// sc_main instead of gtest_main. Each test gets a fresh simulation context
// through SystemCTest.h.
//
//===----------------------------------------------------------------------===//
#include <gtest/gtest.h>
#include <systemc>

int sc_main(int argc, char **argv) {
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
