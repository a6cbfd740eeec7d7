# Runs `gradflow_bench --quick` and checks that it exits 0 and that every workload reported.
# Invoked by CTest: cmake -DBENCH=<path> -DDATA=<mnist dir> -P smoke_test.cmake
execute_process(COMMAND ${BENCH} --quick --data ${DATA}
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "gradflow_bench --quick exited with ${rc}\n${out}\n${err}")
endif()
foreach(workload flagship mlp matmul overhead memory)
  string(REGEX MATCH "(^|\n)${workload} " found "${out}")
  if(NOT found)
    message(FATAL_ERROR "gradflow_bench --quick printed no '${workload}' result\n${out}")
  endif()
endforeach()
message(STATUS "gradflow_bench --quick: all workloads reported")
