//===- HostIsa.h - Which host instruction set the kernels use ---*- C++ -*-===//
//
// The functional kernels have a portable path and an x86 AVX2+F16C path,
// chosen once at startup from the host CPU. Both compute the same bits (same
// operations in the same order, no fused multiply-add); tests and benchmarks
// select each path in turn to check that and to measure the difference.
//
//===----------------------------------------------------------------------===//
#pragma once

#include <string_view>

namespace strata::sim::func {

enum class HostIsa {
  Portable, ///< plain C++, whatever the baseline target vectorises
  Avx2,     ///< x86-64 with AVX2 and F16C
};

/// The path in use: the best the host supports unless forced.
HostIsa hostIsa();
/// True if the host can run `isa`.
bool hostSupports(HostIsa isa);
/// Selects `isa` if the host supports it; returns the path now in use.
/// Not thread-safe against concurrent execute() calls; meant for tests and
/// benchmarks.
HostIsa selectHostIsa(HostIsa isa);
std::string_view hostIsaName(HostIsa isa);

} // namespace strata::sim::func
