# Precompiled headers for the libraries whose every source file parses the same heavy headers
# (included at the end of the top-level CMakeLists.txt, once every target exists). Each op file,
# for instance, includes autodiff/graph.hpp and with it Boost.Graph and fmt: about 170,000
# preprocessed lines and 1.5 s of CPU before the op's own twenty lines. Precompiled once per
# library, they are parsed once per build tree instead of once per source file. The headers
# stay included where they are used, so a build without PCH (GRADFLOW_PCH=OFF) is unchanged.
# Test executables share one precompiled Catch2 header (cmake/gradflow.cmake).
option(GRADFLOW_PCH "Precompile the heavy third-party headers of the libraries" ON)
if(GRADFLOW_PCH)
  set(gradflow_engine_pch <boost/graph/adjacency_list.hpp> <fmt/format.h> <functional> <memory> <span> <string>
                          <string_view> <vector>)
  foreach(target autodiff nn)
    if(TARGET ${target})
      target_precompile_headers(${target} PRIVATE ${gradflow_engine_pch})
    endif()
  endforeach()
  if(TARGET lesson_runtime)
    target_precompile_headers(lesson_runtime PRIVATE ${gradflow_engine_pch} <nlohmann/json.hpp>)
  endif()
endif()
