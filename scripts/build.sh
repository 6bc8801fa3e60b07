#!/usr/bin/env bash
# Configures and builds Strata into build/ (or $STRATA_BUILD_DIR).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${STRATA_BUILD_DIR:-$root/build}
jobs=${STRATA_JOBS:-$(nproc)}
generator=()
if command -v ninja >/dev/null && [[ ! -f "$build/Makefile" ]]; then
  generator=(-G Ninja)
fi
cmake -S "$root" -B "$build" "${generator[@]}" -DCMAKE_BUILD_TYPE=Release "$@"
cmake --build "$build" -j "$jobs"
