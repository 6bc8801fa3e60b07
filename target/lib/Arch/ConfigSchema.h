//===- ConfigSchema.h - Names shared by parser, resolver, printer -*- C++ -*-===//
#pragma once

#include "strata/target/DType.h"

#include <array>
#include <string_view>

namespace strata::archcfg {

/// Multiplier precisions and their keys in `macs_per_cycle` and `mac_pj`.
/// I32 is an accumulator type only and has no key.
struct PrecisionKey {
  DType type;
  std::string_view key;
};
inline constexpr std::array<PrecisionKey, 5> kPrecisionKeys = {{
    {DType::I4, "i4"},
    {DType::I8, "i8"},
    {DType::F16, "f16"},
    {DType::BF16, "bf16"},
    {DType::F32, "f32"},
}};

inline constexpr std::array<std::string_view, 2> kTopologies = {"crossbar", "mesh"};
inline constexpr std::array<std::string_view, 2> kHbmModels = {"detailed", "analytic"};
inline constexpr std::array<std::string_view, 3> kAddressMappings = {
    "interleaved", "row-major", "hashed"};
inline constexpr std::array<std::string_view, 2> kSchedulers = {"frfcfs", "fcfs"};
inline constexpr std::array<std::string_view, 2> kRefreshModes = {"per-bank", "all-bank"};
inline constexpr std::array<std::string_view, 3> kGovernors = {"fixed", "ondemand",
                                                               "hinted"};

} // namespace strata::archcfg
