# Every dependency comes from the system (Debian 12 packages, see scripts/setup.sh).
# Nothing is downloaded at configure or build time.

find_package(PkgConfig REQUIRED)
pkg_check_modules(SystemC REQUIRED IMPORTED_TARGET systemc)

find_package(Boost 1.74 REQUIRED)
find_package(fmt REQUIRED)
find_package(yaml-cpp REQUIRED)
find_package(nlohmann_json 3.10 REQUIRED)
find_package(CLI11 REQUIRED)
find_package(Threads REQUIRED)

if(STRATA_BUILD_TESTS)
  find_package(GTest REQUIRED)
  include(GoogleTest)
endif()
if(STRATA_BUILD_BENCH)
  find_package(benchmark REQUIRED)
endif()

if(STRATA_BUILD_COMPILER)
  find_package(MLIR 19.1 REQUIRED CONFIG
    HINTS /usr/lib/llvm-19/lib/cmake/mlir)
  message(STATUS "MLIR ${MLIR_PACKAGE_VERSION} from ${MLIR_DIR}")
  find_program(STRATA_LIT lit.py HINTS /usr/lib/llvm-19/build/utils/lit NO_DEFAULT_PATH)
  if(NOT STRATA_LIT)
    find_program(STRATA_LIT NAMES lit lit.py)
  endif()
  set(LLVM_EXTERNAL_LIT ${STRATA_LIT} CACHE FILEPATH "lit driver")
endif()

find_package(Python3 REQUIRED COMPONENTS Interpreter)
