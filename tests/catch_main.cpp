// Catch2's main(): compiled once per build tree (gradflow_catch_main) and linked into every test.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
