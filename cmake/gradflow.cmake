# Small helpers so that adding a lesson or a test file is one line.

# gradflow_add_lesson(lesson01_computation_graph lesson01_computation_graph.cpp)
function(gradflow_add_lesson name)
  add_executable(${name} ${ARGN})
  target_link_libraries(${name} PRIVATE lesson_runtime nn mnist gradflow_warnings)
endfunction()

# gradflow_add_test(NAME test_ops SOURCES a.cpp b.cpp LIBS autodiff)
# Builds one Catch2 executable and registers each TEST_CASE with CTest.
function(gradflow_add_test)
  cmake_parse_arguments(T "" "NAME" "SOURCES;LIBS" ${ARGN})
  add_executable(${T_NAME} ${T_SOURCES} ${CMAKE_SOURCE_DIR}/tests/catch_main.cpp)
  target_link_libraries(${T_NAME} PRIVATE ${T_LIBS} Catch2::Catch2 gradflow_warnings)
  target_compile_definitions(${T_NAME} PRIVATE GRADFLOW_SOURCE_DIR="${CMAKE_SOURCE_DIR}"
                                               GRADFLOW_BINARY_DIR="${CMAKE_BINARY_DIR}")
  catch_discover_tests(${T_NAME} TEST_PREFIX "${T_NAME}: " PROPERTIES TIMEOUT 300 ENVIRONMENT "${GRADFLOW_TEST_ENV}")
endfunction()
