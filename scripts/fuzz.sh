#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz) with clang, AddressSanitizer and
# UndefinedBehaviorSanitizer in a separate build directory, then runs each
# for a bounded time from a seed corpus.
#
#   scripts/fuzz.sh                 # every fuzzer, 60 s each
#   scripts/fuzz.sh 300             # 300 s each
#   scripts/fuzz.sh 30 binary       # only strata-fuzz-binary
#
# Environment: STRATA_FUZZ_SECONDS (default time), STRATA_FUZZ_BUILD_DIR
# (default build-fuzz), STRATA_JOBS (build parallelism, default 2),
# STRATA_FUZZ_CLANG (default clang-19).
#
# New inputs that add coverage accumulate in <build>/fuzz-corpus/<target>/;
# crashes go to <build>/fuzz-artifacts/<target>/ and make the script fail.
# Reproduce one with: <build>/bin/strata-fuzz-<target> <artifact>
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${STRATA_FUZZ_BUILD_DIR:-$root/build-fuzz}
seconds=${1:-${STRATA_FUZZ_SECONDS:-60}}
shift || true
jobs=${STRATA_JOBS:-2}
clang=${STRATA_FUZZ_CLANG:-clang-19}
clangxx=${clang/clang/clang++}

if ! [[ "$seconds" =~ ^[0-9]+$ ]] || (( seconds == 0 )); then
  echo "fuzz.sh: the time per fuzzer must be a positive number of seconds, got '$seconds'" >&2
  exit 2
fi
if ! command -v "$clangxx" >/dev/null; then
  echo "fuzz.sh: $clangxx not found; install it with: apt-get install clang-19 libclang-rt-19-dev" >&2
  exit 2
fi
fuzzer_lib=$("$clangxx" -print-file-name=libclang_rt.fuzzer-x86_64.a 2>/dev/null || true)
if [[ ! -f "$fuzzer_lib" ]]; then
  fuzzer_lib=$(find "$("$clangxx" -print-resource-dir)" -name 'libclang_rt.fuzzer*.a' 2>/dev/null | head -n1)
fi
if [[ -z "$fuzzer_lib" || ! -f "$fuzzer_lib" ]]; then
  echo "fuzz.sh: libFuzzer is missing; install it with: apt-get install libclang-rt-19-dev" >&2
  exit 2
fi

# Coverage instrumentation on all code, so the fuzzer sees inside the
# libraries; sanitizers come from STRATA_SANITIZE. UB aborts instead of
# printing and carrying on, so libFuzzer records it as a crash.
flags="-fsanitize=fuzzer-no-link -fno-sanitize-recover=undefined -g"
mkdir -p "$build"
cmake -S "$root" -B "$build" -G Ninja \
  -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_C_COMPILER="$clang" -DCMAKE_CXX_COMPILER="$clangxx" \
  -DCMAKE_C_FLAGS="$flags" -DCMAKE_CXX_FLAGS="$flags" \
  -DSTRATA_SANITIZE=ON -DSTRATA_BUILD_FUZZERS=ON \
  -DSTRATA_BUILD_COMPILER=OFF -DSTRATA_BUILD_BENCH=OFF >"$build/configure.log" 2>&1 || {
  cat "$build/configure.log" >&2
  exit 1
}

available=()
for name in binary arch-config; do
  if ninja -C "$build" -t targets all 2>/dev/null | grep -q "^strata-fuzz-$name:"; then
    available+=("$name")
  fi
done
selected=("$@")
if (( ${#selected[@]} == 0 )); then
  selected=("${available[@]}")
fi
for name in "${selected[@]}"; do
  if [[ ! " ${available[*]} " == *" $name "* ]]; then
    echo "fuzz.sh: no fuzzer '$name' (available: ${available[*]})" >&2
    exit 2
  fi
done
cmake --build "$build" -j "$jobs" --target strata-fuzz-seeds \
  $(printf 'strata-fuzz-%s ' "${selected[@]}")

# Seeds: generated binaries and the default config's canonical YAML, the
# checked-in corpus, and the shipped configs.
seeds=$build/fuzz-seeds
rm -rf "$seeds"
mkdir -p "$seeds/binary" "$seeds/arch-config"
"$build/bin/strata-fuzz-seeds" "$seeds/binary" "$seeds/arch-config"
cp "$root"/configs/*.yaml "$seeds/arch-config/" 2>/dev/null || true
# Dictionary of config keys, taken from the canonical YAML.
if [[ -f "$seeds/arch-config/default.yaml" ]]; then
  grep -oE '^[[:space:]]*[a-zA-Z_0-9]+:' "$seeds/arch-config/default.yaml" |
    sed -E 's/^[[:space:]]*//' | sort -u | sed -E 's/.*/"&"/' >"$seeds/arch-config.dict"
fi

status=0
for name in "${selected[@]}"; do
  corpus=$build/fuzz-corpus/$name
  artifacts=$build/fuzz-artifacts/$name
  mkdir -p "$corpus" "$artifacts"
  args=(-max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048
        -artifact_prefix="$artifacts/" -print_final_stats=1)
  case $name in
    binary) args+=(-max_len=32768 -dict="$root/tests/fuzz/binary.dict") ;;
    arch-config) args+=(-max_len=16384)
                 [[ -f "$seeds/arch-config.dict" ]] && args+=(-dict="$seeds/arch-config.dict") ;;
  esac
  dirs=("$corpus" "$seeds/$name")
  [[ -d "$root/tests/fuzz/corpus/$name" ]] && dirs+=("$root/tests/fuzz/corpus/$name")
  log=$build/fuzz-$name.log
  echo "== strata-fuzz-$name: ${seconds}s, log in $log"
  if "$build/bin/strata-fuzz-$name" "${args[@]}" "${dirs[@]}" >"$log" 2>&1; then
    grep -E '^stat::(number_of_executed_units|peak_rss_mb)|^#[0-9]+.*DONE' "$log" | sed 's/^/   /' || true
    echo "   no crashes; corpus: $(ls "$corpus" | wc -l) inputs in $corpus"
  else
    status=1
    echo "   FAILED; last lines of the log:" >&2
    tail -n 30 "$log" | sed 's/^/   /' >&2
    echo "   artifacts: $(ls "$artifacts" 2>/dev/null | tr '\n' ' ')" >&2
  fi
done
exit $status
