// Empty: the source of the gradflow_test_pch target, which only exists to build the
// precompiled header (Catch2, fmt) that every test executable reuses (cmake/gradflow.cmake).
