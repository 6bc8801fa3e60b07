//===- FuzzBinaryReader.cpp - libFuzzer target for the NPU binary reader --===//
//
// Any input must give a Binary or an error, never a crash, hang or
// sanitizer report. An input the reader accepts must also survive the rest of
// the pipeline: checkBinary agrees, the disassembler prints every core, and
// writing it out and reading it back gives the same binary.
//
//===----------------------------------------------------------------------===//
#include "strata/target/Assembly.h"
#include "strata/target/BinaryIO.h"
#include "strata/target/Encoding.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include <unistd.h>

namespace {

[[noreturn]] void violated(const char *what, const std::string &detail) {
  std::fprintf(stderr, "fuzz property violated: %s: %s\n", what, detail.c_str());
  std::abort();
}

/// tmpfs when there is one: the writer syncs, which is cheap there.
std::string scratchPath() {
  const char *dir = ::access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
  return std::string(dir) + "/strata-fuzz-" + std::to_string(::getpid()) + ".npubin";
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  using namespace strata;
  auto read = readBinaryFromMemory(data, size, "fuzz.npubin");
  if (!read)
    return 0;
  const bin::Binary &b = *read;
  if (Status s = checkBinary(b); !s)
    violated("accepted binary fails checkBinary", s.message());
  for (const bin::EntryPoint &e : b.entries)
    for (const auto &program : e.cores)
      (void)isa::printProgram(program);

  static const std::string path = scratchPath();
  if (Status s = writeBinary(b, path); !s)
    violated("accepted binary cannot be written", s.message());
  auto again = readBinary(path);
  ::unlink(path.c_str());
  if (!again)
    violated("written binary cannot be read", again.message());
  const bin::Binary &c = *again;
  if (c.regions.size() != b.regions.size() || c.io.size() != b.io.size() ||
      c.constants.size() != b.constants.size() || c.entries.size() != b.entries.size() ||
      c.archConfigYaml != b.archConfigYaml || c.archHash != b.archHash ||
      c.meta.extra != b.meta.extra || c.meta.modelName != b.meta.modelName)
    violated("round trip", "tables differ after write + read");
  for (size_t i = 0; i < b.constants.size(); ++i) {
    const bin::ConstSegment &x = b.constants[i], &y = c.constants[i];
    if (x.size != y.size || (x.data == nullptr) != (y.data == nullptr) ||
        (x.data && std::memcmp(x.data, y.data, x.size) != 0))
      violated("round trip", "constant segment '" + x.name + "' differs");
  }
  for (size_t i = 0; i < b.entries.size(); ++i)
    for (size_t k = 0; k < b.entries[i].cores.size(); ++k)
      if (!isa::sameEncoding(b.entries[i].cores[k], c.entries[i].cores[k]))
        violated("round trip", "code of entry '" + b.entries[i].name + "' differs");
  return 0;
}
