//===- CmdAsm.cpp - strata asm: assemble a .s file into an NPU binary -----===//
//
// The way to write microbenchmarks and simulator tests by hand. The program
// is validated against the architecture it is built for (--arch, else the one
// the file records with .arch_yaml, else npu-default), and that architecture
// is recorded in the binary with its hash, as the compiler does.
//
//===----------------------------------------------------------------------===//
#include "CliSupport.h"

#include "strata/target/ArchConfigIO.h"
#include "strata/target/Assembly.h"
#include "strata/target/BinaryIO.h"
#include "strata/target/Validator.h"

#include <fmt/format.h>

#include <cstdio>

namespace strata::cli {
namespace {

struct AsmOptions {
  std::string input;
  std::string output;
  std::string arch;
  bool verbose = false;
};

/// Prints an assembler diagnostic as it is (it already reads
/// "file:line:col: error: ...") and fails the command.
[[noreturn]] void failWithDiagnostic(const std::string &diagnostic) {
  std::fputs(diagnostic.c_str(), stderr);
  std::fputc('\n', stderr);
  throw CommandFailed(1);
}

std::string defaultOutput(const std::string &input) {
  std::string base = input;
  if (base.size() > 2 && base.compare(base.size() - 2, 2, ".s") == 0)
    base.resize(base.size() - 2);
  return base + std::string(bin::kFileExtension);
}

/// The architecture to build for, and whether the file's own record of it
/// (if any) should be replaced.
ArchConfig chooseArch(const AsmOptions &opt, const bin::Binary &b) {
  if (!opt.arch.empty()) {
    ArchConfig arch = valueOrFail("asm", findArchConfig(opt.arch));
    if (!b.archConfigYaml.empty())
      fmt::print(stderr, "strata asm: note: --arch {} replaces the architecture recorded in {}\n",
                 opt.arch, opt.input);
    return arch;
  }
  if (!b.archConfigYaml.empty()) {
    ArchConfig arch =
        valueOrFail("asm", parseArchConfig(b.archConfigYaml, opt.input + " (.arch_yaml)"));
    std::string hash = archConfigHash(arch);
    if (!b.archHash.empty() && b.archHash != hash)
      fail("asm", fmt::format("{}: .arch_hash \"{}\" does not match the hash of the .arch_yaml "
                              "config ({})",
                              opt.input, b.archHash, hash));
    return arch;
  }
  return valueOrFail("asm", findArchConfig("npu-default"));
}

void runAsm(const AsmOptions &opt) {
  std::string text = valueOrFail("asm", readWholeFile(opt.input));
  // First pass: syntax and the architecture-independent rules.
  Expected<bin::Binary> assembled = bin::assemble(text, opt.input);
  if (!assembled)
    failWithDiagnostic(assembled.message());
  bin::Binary b = assembled.takeValue();

  ArchConfig arch = chooseArch(opt, b);
  // Rules that need the hardware. Only when one fails is the file assembled
  // again against the architecture, to point the message at its line.
  Status archStatus = checkBinaryAgainstArch(b, arch);
  for (const bin::EntryPoint &e : b.entries)
    for (size_t c = 0; c < e.cores.size() && archStatus; ++c)
      if (!e.cores[c].empty())
        if (Status s = isa::validateProgram(e.cores[c], &arch); !s)
          archStatus = Error(fmt::format("entry point '{}' core {}: {}", e.name, c, s.message()));
  if (!archStatus) {
    bin::AssembleOptions withArch;
    withArch.arch = &arch;
    Expected<bin::Binary> again = bin::assemble(text, opt.input, withArch);
    if (!again)
      failWithDiagnostic(again.message());
    fail("asm", fmt::format("{}: {}", opt.input, archStatus.message()));
  }

  b.archConfigYaml = archConfigToYaml(arch);
  b.archHash = archConfigHash(arch);
  if (b.meta.toolVersion.empty())
    b.meta.toolVersion = std::string("strata asm ") + STRATA_VERSION;

  std::string output = opt.output.empty() ? defaultOutput(opt.input) : opt.output;
  checkOrFail("asm", writeBinary(b, output));

  if (opt.verbose) {
    size_t instrs = 0;
    for (const bin::EntryPoint &e : b.entries)
      for (const auto &program : e.cores)
        instrs += program.size();
    uint64_t constBytes = 0;
    for (const bin::ConstSegment &c : b.constants)
      constBytes += c.size;
    fmt::print("{}: {} entry point{}, {} instructions, {} bytes of constants, arch {} ({})\n",
               output, b.entries.size(), b.entries.size() == 1 ? "" : "s", instrs, constBytes,
               arch.name, b.archHash.substr(0, 12));
  }
}

} // namespace

void registerAsmCommand(CLI::App &app) {
  auto opt = std::make_shared<AsmOptions>();
  CLI::App *cmd = app.add_subcommand(
      "asm", "Assemble a .s file (docs/isa.md) into an NPU binary, validating it against the "
             "target architecture");
  cmd->add_option("file", opt->input, "Assembly source (.s)")->required();
  cmd->add_option("-o,--output", opt->output, "Output binary (default: FILE with .npubin)");
  cmd->add_option("--arch", opt->arch,
                  "Architecture config: a name such as npu-edge or a YAML path (default: the "
                  "one the file records, else npu-default)");
  cmd->add_flag("-v,--verbose", opt->verbose, "Print a one-line summary of what was written");
  cmd->callback([opt] { runAsm(*opt); });
}

} // namespace strata::cli
