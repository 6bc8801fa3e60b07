//===- ArchConfigInternal.h - The two layers, sharing diagnostics -*- C++ -*-===//
#pragma once

#include "ConfigDiagnostics.h"

#include "strata/target/ArchConfig.h"
#include "strata/target/ArchConfigSpec.h"

#include <string_view>

namespace strata::archcfg {

/// Layer one: fills `spec` from YAML text, adding every error to `diag`.
void parseSpecInto(std::string_view yamlText, ConfigDiagnostics &diag, ArchConfigSpec &spec);

/// Layer two: defaults, preset, ranges; consistency only if `diag` is still
/// empty. The result is meaningful only when no error was added.
ArchConfig resolveSpecInto(const ArchConfigSpec &spec, ConfigDiagnostics &diag);

} // namespace strata::archcfg
