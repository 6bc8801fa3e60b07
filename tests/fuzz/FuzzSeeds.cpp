//===- FuzzSeeds.cpp - Seed corpus for the binary fuzzer ------------------===//
//
// Writes a few valid binaries covering every table into BINARY_DIR and, with
// the arch-config library, the canonical YAML of the default config into
// ARCH_DIR: generated rather than checked in, so they follow the formats as
// they evolve.
//
//===----------------------------------------------------------------------===//
#include "SampleBinary.h"

#ifdef STRATA_HAVE_ARCH
#include "strata/target/ArchConfigIO.h"
#endif

#include <cstdio>
#include <fstream>

int main(int argc, char **argv) {
  using namespace strata;
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s BINARY_DIR ARCH_DIR\n", argv[0]);
    return 2;
  }
  std::string dir = argv[1];
  bintest::SampleData data;

  // Everything, constant data included.
  bin::Binary full = bintest::sampleBinary(data);
  // Timing-only: no constant bytes in the file (small, quick to mutate).
  bin::Binary timing = full;
  for (bin::ConstSegment &c : timing.constants)
    c.data = nullptr;
  // One entry, one core, one instruction, nothing else.
  bin::Binary minimal;
  minimal.entries = {{"main", {}, {{isa::ControlInstr{isa::Opcode::Halt}}}}};

  const std::pair<const char *, const bin::Binary *> seeds[] = {
      {"full.npubin", &full}, {"timing-only.npubin", &timing}, {"minimal.npubin", &minimal}};
  for (const auto &[name, binary] : seeds)
    if (Status s = writeBinary(*binary, dir + "/" + name); !s) {
      std::fprintf(stderr, "%s\n", s.message().c_str());
      return 1;
    }

#ifdef STRATA_HAVE_ARCH
  std::ofstream(std::string(argv[2]) + "/default.yaml") << archConfigToYaml(defaultArchConfig());
#endif
  return 0;
}
