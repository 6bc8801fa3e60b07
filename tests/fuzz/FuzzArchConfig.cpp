//===- FuzzArchConfig.cpp - libFuzzer target for the arch-config loader ---===//
//
// Any text must give a resolved config or an error, never a crash, hang or
// sanitizer report. A config that loads must print as canonical YAML that
// loads again to an equal config with the same hash.
//
//===----------------------------------------------------------------------===//
#include "strata/target/ArchConfigIO.h"

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  using namespace strata;
  std::string_view text(reinterpret_cast<const char *>(data), size);
  auto config = parseArchConfig(text, "fuzz.yaml");
  if (!config)
    return 0;
  std::string yaml = archConfigToYaml(*config);
  auto again = parseArchConfig(yaml, "canonical.yaml");
  if (!again) {
    std::fprintf(stderr, "fuzz property violated: canonical YAML does not load: %s\n%s\n",
                 again.message().c_str(), yaml.c_str());
    std::abort();
  }
  if (*again != *config || archConfigHash(*again) != archConfigHash(*config)) {
    std::fprintf(stderr, "fuzz property violated: canonical YAML loads to a different "
                         "config\n%s\n",
                 yaml.c_str());
    std::abort();
  }
  return 0;
}
