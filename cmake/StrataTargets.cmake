# Small helpers so every library, test and benchmark is declared the same way.
#
#   strata_add_library(NAME SOURCES a.cpp b.cpp DEPS X Y [PRIVATE_DEPS Z])
#   strata_add_gtest(NAME SOURCES t.cpp DEPS lib [SYSTEMC])
#   strata_add_benchmark(NAME SOURCES b.cpp DEPS lib)
#
# These are plain CMake targets (with C++ exceptions): SystemC, yaml-cpp and CLI11 need
# them. Code that links MLIR uses add_mlir_* in compiler/ instead (-fno-exceptions).

set(STRATA_WARNING_FLAGS -Wall -Wextra -Wno-unused-parameter)

function(strata_add_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;PRIVATE_DEPS" ${ARGN})
  add_library(${name} STATIC ${ARG_SOURCES})
  target_compile_options(${name} PRIVATE ${STRATA_WARNING_FLAGS})
  # The simulator's libraries carry link-time-optimisation IR beside their
  # code: the executables that run models (strata_enable_sim_lto) inline
  # across them, every other link uses the code as usual.
  if(STRATA_SIM_LTO AND name MATCHES "^(StrataSim|StrataIsa$)")
    target_compile_options(${name} PRIVATE -flto=auto -ffat-lto-objects)
  endif()
  if(ARG_DEPS)
    target_link_libraries(${name} PUBLIC ${ARG_DEPS})
  endif()
  if(ARG_PRIVATE_DEPS)
    target_link_libraries(${name} PRIVATE ${ARG_PRIVATE_DEPS})
  endif()
endfunction()

# SYSTEMC: the test binary gets an sc_main that runs RUN_ALL_TESTS (tests/support).
function(strata_add_gtest name)
  cmake_parse_arguments(ARG "SYSTEMC" "" "SOURCES;DEPS;LABELS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_compile_options(${name} PRIVATE ${STRATA_WARNING_FLAGS})
  if(ARG_SYSTEMC)
    target_link_libraries(${name} PRIVATE ${ARG_DEPS} strata_systemc_test_main GTest::gtest)
  else()
    target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gtest_main)
  endif()
  target_include_directories(${name} PRIVATE ${STRATA_SOURCE_DIR}/tests/support)
  target_compile_definitions(${name} PRIVATE
    STRATA_SOURCE_DIR="${STRATA_SOURCE_DIR}"
    STRATA_SHARED_DIR="${STRATA_SHARED_DIR}")
  set(labels unit)
  if(ARG_LABELS)
    set(labels ${ARG_LABELS})
  endif()
  gtest_discover_tests(${name}
    WORKING_DIRECTORY ${CMAKE_BINARY_DIR}
    PROPERTIES LABELS "${labels}"
    DISCOVERY_TIMEOUT 60)
endfunction()

# Links `target` with link-time optimisation over the simulator's libraries
# (the model-running executables: `strata` and the run benchmark).
function(strata_enable_sim_lto target)
  if(STRATA_SIM_LTO)
    target_link_options(${target} PRIVATE -flto=auto)
  endif()
endfunction()

function(strata_add_benchmark name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_compile_options(${name} PRIVATE ${STRATA_WARNING_FLAGS})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} benchmark::benchmark)
  target_compile_definitions(${name} PRIVATE
    STRATA_SOURCE_DIR="${STRATA_SOURCE_DIR}"
    STRATA_SHARED_DIR="${STRATA_SHARED_DIR}")
endfunction()

# Components are added as they land; a directory without a CMakeLists.txt is skipped.
macro(strata_add_subdirectory_if_present dir)
  if(EXISTS ${CMAKE_CURRENT_SOURCE_DIR}/${dir}/CMakeLists.txt)
    add_subdirectory(${dir})
  endif()
endmacro()
