# ccache may cache a compile that uses a precompiled header (cmake/precompiled_headers.cmake,
# the tests' Catch2 header) only when told which differences to ignore; without this it compiles
# them uncached, and a second worktree or build tree would recompile every library file.
if(CMAKE_CXX_COMPILER_LAUNCHER MATCHES "ccache$")
  set(CMAKE_CXX_COMPILER_LAUNCHER ${CMAKE_COMMAND} -E env
      CCACHE_SLOPPINESS=pch_defines,time_macros,include_file_mtime,include_file_ctime ${CMAKE_CXX_COMPILER_LAUNCHER})
endif()

# Small helpers so that adding a lesson or a test file is one line.

# gradflow_add_lesson(lesson01_computation_graph lesson01_computation_graph.cpp)
function(gradflow_add_lesson name)
  add_executable(${name} ${ARGN})
  target_link_libraries(${name} PRIVATE lesson_runtime nn mnist gradflow_warnings)
endfunction()

# The objects every test executable shares, created once per build tree: Catch2's main and the
# precompiled Catch2 + fmt header. The coursework's exercise tests (tests/coursework) link the
# same main instead of compiling their own copy (17-20 s of CPU in Release, 40 s under ASan).
function(gradflow_test_support)
  if(NOT TARGET gradflow_catch_main)
    add_library(gradflow_catch_main OBJECT ${CMAKE_SOURCE_DIR}/tests/catch_main.cpp)
    target_link_libraries(gradflow_catch_main PRIVATE Catch2::Catch2)
    target_compile_options(gradflow_catch_main PRIVATE ${GRADFLOW_TEST_COMPILE_OPTIONS})
    # One precompiled <catch2/catch.hpp> (and fmt) per build tree, reused by every test source:
    # parsing Catch2 costs about 0.9 s of CPU per file, and there are dozens of test files.
    add_library(gradflow_test_pch OBJECT ${CMAKE_SOURCE_DIR}/tests/pch.cpp)
    target_link_libraries(gradflow_test_pch PRIVATE Catch2::Catch2 fmt::fmt gradflow_warnings)
    target_compile_options(gradflow_test_pch PRIVATE ${GRADFLOW_TEST_COMPILE_OPTIONS})
    target_compile_definitions(gradflow_test_pch PRIVATE GRADFLOW_SOURCE_DIR="${CMAKE_SOURCE_DIR}"
                                                         GRADFLOW_BINARY_DIR="${CMAKE_BINARY_DIR}")
    target_precompile_headers(gradflow_test_pch PRIVATE <catch2/catch.hpp> <fmt/format.h>)
  endif()
endfunction()

option(GRADFLOW_UNITY_TESTS "Compile each test executable's sources in unity batches" ON)

# gradflow_add_test(NAME test_ops SOURCES a.cpp b.cpp LIBS autodiff)
# Builds one Catch2 executable and registers each TEST_CASE with CTest.
#
# Catch2's main() (tests/catch_main.cpp, about 17 s of CPU to compile: the whole Catch2
# implementation) is compiled once per build tree into gradflow_catch_main and linked into every
# test executable, instead of once per executable.
function(gradflow_add_test)
  cmake_parse_arguments(T "" "NAME" "SOURCES;LIBS" ${ARGN})
  gradflow_test_support()
  add_executable(${T_NAME} ${T_SOURCES} $<TARGET_OBJECTS:gradflow_catch_main>)
  target_link_libraries(${T_NAME} PRIVATE ${T_LIBS} Catch2::Catch2 fmt::fmt gradflow_warnings)
  target_compile_options(${T_NAME} PRIVATE ${GRADFLOW_TEST_COMPILE_OPTIONS})  # -O0 in the sanitizer tree
  target_precompile_headers(${T_NAME} REUSE_FROM gradflow_test_pch)
  # Unity build: a test executable's files are compiled a few to a translation unit, so the Catch2
  # assertion machinery, nlohmann-json and the shared test helpers they all instantiate are
  # compiled once per batch instead of once per file (most of a test file's CPU, especially under
  # the sanitizers). Batches of 4 keep both cores busy and a one-file change cheap.
  if(GRADFLOW_UNITY_TESTS)
    set_target_properties(${T_NAME} PROPERTIES UNITY_BUILD ON UNITY_BUILD_BATCH_SIZE 4)
  endif()
  target_compile_definitions(${T_NAME} PRIVATE GRADFLOW_SOURCE_DIR="${CMAKE_SOURCE_DIR}"
                                               GRADFLOW_BINARY_DIR="${CMAKE_BINARY_DIR}")
  catch_discover_tests(${T_NAME} TEST_PREFIX "${T_NAME}: " PROPERTIES TIMEOUT 300 ENVIRONMENT "${GRADFLOW_TEST_ENV}")
endfunction()
