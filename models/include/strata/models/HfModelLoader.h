//===- HfModelLoader.h - Hugging Face safetensors + config.json -*- C++ -*-===//
//
// A Hugging Face model directory: config.json plus model.safetensors, or
// several shards listed in model.safetensors.index.json. Families: LLaMA
// (LlamaForCausalLM), Qwen2 (q/k/v biases) and GPT-2 (Conv1D weights stored
// [in, out], fused c_attn). Tensor names are mapped to the canonical scheme
// (TensorNames.h); GPT-2's Conv1D weights keep their bytes in place and are
// marked TensorLayout::Transposed.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "strata/models/Model.h"

#include <optional>
#include <string>
#include <string_view>

namespace strata::models {

/// Parses config.json text. RoPE theta is read from "rope_theta" or from
/// "rope_parameters"/"rope_scaling" ({"rope_theta": ..., "rope_type":
/// "default"}); other RoPE types are rejected. `source` names the file.
Expected<ModelConfig> parseHfConfig(std::string_view jsonText, const std::string &source);

/// The canonical name of a Hugging Face tensor name for `family`; nullopt
/// for buffers that carry no weights (GPT-2's attn.bias / attn.masked_bias,
/// rotary inv_freq). An unknown name is an error.
Expected<std::optional<std::string>> canonicalHfTensorName(Family family,
                                                           std::string_view hfName);

/// Loads a model directory, or a .safetensors file with config.json beside it.
Expected<Model> loadHfModel(const std::string &path);

} // namespace strata::models
