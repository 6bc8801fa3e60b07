//===- main.cpp - The strata command-line tool ----------------------------===//
//
// git/cargo-style subcommands; `strata --help` lists them and every
// subcommand has its own --help.
//
//===----------------------------------------------------------------------===//
#include "Commands.h"

#include <fmt/core.h>

#include <cstdio>

namespace strata::cli {

void fail(const std::string &command, const std::string &message, int code) {
  fmt::print(stderr, "strata {}: error: {}\n", command, message);
  throw CommandFailed(code);
}

} // namespace strata::cli

int main(int argc, char **argv) {
  CLI::App app{"Strata: compile transformer models to NPU binaries and run them on a\n"
               "cycle-approximate NPU simulator that computes the real numbers.",
               "strata"};
  app.set_version_flag("--version", std::string("strata ") + STRATA_VERSION);
  app.require_subcommand(1);
  app.fallthrough(false);

  using namespace strata::cli;
  // Subcommands, in the order `strata --help` lists them.
#ifdef STRATA_HAVE_COMPILER
  registerCompileCommand(app);
#endif
  registerAsmCommand(app);
  registerObjdumpCommand(app);
  registerConfigCommand(app);
#ifdef STRATA_HAVE_SIM
  registerSimCommand(app);
#endif
#ifdef STRATA_HAVE_RUN
  registerRunCommand(app);
#endif

  try {
    app.parse(argc, argv);
  } catch (const CLI::Error &e) {
    return app.exit(e);
  }
  return 0;
}
