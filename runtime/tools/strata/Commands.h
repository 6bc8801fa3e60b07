//===- Commands.h - Subcommands of the strata CLI ---------------*- C++ -*-===//
//
// Each subcommand is one Cmd*.cpp defining a register function that adds a
// CLI11 subcommand with its options and a callback. Callbacks report failure
// by throwing CommandFailed (see below) after printing their diagnostic, so
// main() turns it into a non-zero exit code.
//
//===----------------------------------------------------------------------===//
#pragma once

#include <CLI/CLI.hpp>

#include <string>

namespace strata::cli {

/// Thrown by a subcommand callback to exit with `code` (message already printed).
struct CommandFailed : CLI::RuntimeError {
  explicit CommandFailed(int code = 1) : CLI::RuntimeError(code) {}
};

/// Prints "strata <command>: error: <message>" to stderr and throws CommandFailed.
[[noreturn]] void fail(const std::string &command, const std::string &message, int code = 1);

/// --hbm-model of the commands that simulate (sim, run): overrides the arch
/// config's hbm.model when set.
inline void addHbmModelOption(CLI::App *cmd, std::string &model) {
  cmd->add_option("--hbm-model", model,
                  "HBM timing: detailed (per request, banks and JEDEC timing) or analytic "
                  "(closed form per transfer, for large models); default: the arch config's")
      ->check(CLI::IsMember({"detailed", "analytic"}));
}

// Registration functions, one per Cmd*.cpp.
void registerCompileCommand(CLI::App &app);
void registerAsmCommand(CLI::App &app);
void registerObjdumpCommand(CLI::App &app);
void registerConfigCommand(CLI::App &app);
void registerSimCommand(CLI::App &app);
void registerRunCommand(CLI::App &app);
} // namespace strata::cli
