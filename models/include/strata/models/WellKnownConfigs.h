//===- WellKnownConfigs.h - Published model shapes by name ------*- C++ -*-===//
//
// Shapes for timing-only runs that need no weights (llama2-7b, llama3-8b,
// qwen2.5-7b, gpt2-xl, ...) and the shapes of the small reference models.
// Sources are cited in docs/models.md.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "strata/models/ModelConfig.h"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace strata::models {

/// The config registered under `name` (case-insensitive), if any.
std::optional<ModelConfig> findWellKnownConfig(std::string_view name);

/// All registered names, in registration order.
std::vector<std::string> wellKnownConfigNames();

} // namespace strata::models
