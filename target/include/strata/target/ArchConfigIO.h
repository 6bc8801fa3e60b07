//===- ArchConfigIO.h - Load, validate and print arch configs ---*- C++ -*-===//
//
// The YAML side of the architecture config. A file is parsed into an
// ArchConfigSpec (every field optional, key locations remembered), then
// resolved: presets and named defaults fill what the file leaves out, and
// every range and consistency rule is checked. Errors name the file, the
// line and column, and the key path, e.g.
//
//   configs/x.yaml:12:5: hbm.channels_per_stack: must be a positive integer, got -3
//
// Nothing here throws: yaml-cpp's exceptions are caught inside the library,
// so the MLIR compiler (-fno-exceptions) can call it. docs/config.md lists
// every key.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "strata/support/Error.h"
#include "strata/target/ArchConfig.h"
#include "strata/target/ArchConfigSpec.h"
#include "strata/target/DType.h"

#include <string>
#include <string_view>
#include <vector>

namespace strata {

/// Reads, parses and resolves the YAML file at `path`.
Expected<ArchConfig> loadArchConfig(const std::string &path);

/// Parses and resolves YAML text; `sourceName` prefixes error messages.
Expected<ArchConfig> parseArchConfig(std::string_view yamlText,
                                     const std::string &sourceName);

/// Only the first layer: YAML text to a spec (syntax, types, units, unknown
/// keys). Range and consistency checks happen in resolveArchConfig.
Expected<ArchConfigSpec> parseArchConfigSpec(std::string_view yamlText,
                                             const std::string &sourceName);

/// Applies the HBM preset and named defaults, then validates everything.
Expected<ArchConfig> resolveArchConfig(const ArchConfigSpec &spec,
                                       const std::string &sourceName);

/// The resolved config of a file with no keys (equal to configs/npu-default.yaml).
ArchConfig defaultArchConfig();

/// Canonical YAML: every key, fixed order, re-parseable to an equal config.
std::string archConfigToYaml(const ArchConfig &config);

/// SHA-256 of archConfigToYaml(config), as 64 lower-case hex digits. Stable
/// across runs and machines; equal configs have equal hashes.
std::string archConfigHash(const ArchConfig &config);

/// `nameOrPath` is a file path (contains '/' or ends in .yaml/.yml), or a
/// name such as "npu-default" looked up as <dir>/<name>.yaml in each
/// directory of $STRATA_CONFIG_PATH (':'-separated) and then in the source
/// tree's configs/.
Expected<ArchConfig> findArchConfig(const std::string &nameOrPath);

/// The directories findArchConfig searches for a name, in order.
std::vector<std::string> archConfigSearchPath();

/// True if two resolved configs are equal in every field.
bool operator==(const ArchConfig &a, const ArchConfig &b);
inline bool operator!=(const ArchConfig &a, const ArchConfig &b) { return !(a == b); }

//===- Derived figures ----------------------------------------------------===//

/// The operating point a domain's energy table and clock are defined at.
/// The domain must exist (resolved configs always have "core").
const OperatingPoint &nominalPoint(const ArchConfig &config,
                                   const std::string &domain);

/// Core clock at the nominal operating point of domain "core", in MHz.
double nominalCoreMHz(const ArchConfig &config);

/// MACs per second of the whole chip (all cores, all tensor cores) for
/// multiplier precision `precision` at the nominal core clock; 0 if unsupported.
double peakMacsPerSecond(const ArchConfig &config, DType precision);

/// Tera-operations per second (1 MAC = 2 ops) of the chip for `precision`.
double peakTops(const ArchConfig &config, DType precision);

/// HBM bandwidth the TSVs allow: stacks x tsvBytesPerCycle x memory clock.
double tsvBytesPerSecond(const ArchConfig &config);

/// Usable peak HBM bandwidth: min(HbmConfig::peakBytesPerSecond(), TSV ceiling).
double peakHbmBytesPerSecond(const ArchConfig &config);

/// Scratchpad bytes summed over all cores.
uint64_t totalSramBytes(const ArchConfig &config);

} // namespace strata
