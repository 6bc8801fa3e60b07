//===- NoScMain.cpp - sc_main for executables with their own main() --------===//
//
// SystemC's shared library defines main() and wants an sc_main. Executables
// that drive the simulator through sim/Simulator.h (the strata CLI, the
// runtime's tools) have their own main(), so this sc_main is never called; it
// only satisfies the linker (SystemC declares it extern "C").
//
//===----------------------------------------------------------------------===//
#include <cstdio>

extern "C" int sc_main(int, char **) {
  std::fprintf(stderr, "strata: sc_main is not an entry point of this program\n");
  return 1;
}
