#!/usr/bin/env bash
# Sets up, builds and runs every test. Ends with ctest's summary.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/setup.sh"
"$root/scripts/build.sh"
build=${STRATA_BUILD_DIR:-$root/build}
cd "$build"
ctest --output-on-failure --timeout "${STRATA_TEST_TIMEOUT:-900}" -j "${STRATA_JOBS:-$(nproc)}" "$@"
