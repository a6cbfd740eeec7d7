// The flag parser's messages: the nearest flag for a typo, underflow told apart from overflow,
// and defaults printed as the lesson wrote them.
#include <catch2/catch.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "lessons/runtime/flags.hpp"

using Catch::Matchers::Contains;
using gradflow::lessons::Flags;
using gradflow::lessons::UsageError;

namespace {

std::string error_of(Flags& flags, const std::vector<std::string>& args) {
  try {
    flags.parse(args);
  } catch (const UsageError& e) {
    return e.what();
  }
  FAIL("parse did not throw");
  return {};
}

struct LessonLike {
  std::uint64_t seed = 1;
  int seeds = 3;
  std::vector<std::string> activations{"relu"};
  float alpha = 0.2F;
  double alpha_as_double = alpha;  // what a lesson does when it copies a float setting into a double flag
  double lr = 0.001;
  std::size_t validation = 5000;
  Flags flags{"lesson99", "test"};
  LessonLike() {
    flags.add_uint64("seed", &seed, "seed");
    flags.add_int("seeds", &seeds, "runs", 1, 1000);
    flags.add_list("activations", &activations, "which", {"relu", "sigmoid"});
    flags.add_float("alpha", &alpha, "slope", 0.0F, 1.0F);
    flags.add_double("alpha-double", &alpha_as_double, "slope", 0.0, 1.0);
    flags.add_double("lr", &lr, "learning rate", 0.0, 1.0);
    flags.add_size("validation", &validation, "held out", 0, 60000);
  }
};

}  // namespace

TEST_CASE("An unknown flag suggests the nearest one, preferring a flag it starts", "[runtime][flags][robust]") {
  LessonLike l;
  CHECK(l.flags.suggest("sed") == "seed");  // 1 edit from --seed, 2 from --seeds
  CHECK(l.flags.suggest("seedz") == "seed");
  CHECK(l.flags.suggest("seedss") == "seeds");
  CHECK(l.flags.suggest("act") == "activations");  // a prefix, however many letters are missing
  CHECK(l.flags.suggest("activation") == "activations");
  CHECK(l.flags.suggest("valid") == "validation");
  CHECK(l.flags.suggest("frobnicate").empty());
  CHECK_THAT(error_of(l.flags, {"--sed", "3"}), Contains("unknown flag --sed (did you mean --seed?)"));
  CHECK_THAT(error_of(l.flags, {"--frobnicate"}), !Contains("did you mean"));
}

TEST_CASE("A number too small for its type is called too small, not too large", "[runtime][flags][robust]") {
  LessonLike l;
  const std::string tiny = error_of(l.flags, {"--lr", "1e-400"});
  CHECK_THAT(tiny, Contains("--lr") && Contains("too small") && Contains("underflows"));
  CHECK_THAT(tiny, !Contains("too large"));
  CHECK_THAT(error_of(l.flags, {"--lr", "1e400"}), Contains("too large"));
  // A float flag: 1e-50 is a fine double but underflows a float.
  CHECK_THAT(error_of(l.flags, {"--alpha", "1e-50"}),
             Contains("--alpha") && Contains("too small") && Contains("float"));
  CHECK_THAT(error_of(l.flags, {"--alpha", "2"}), Contains("out of range"));
  l.flags.parse({"--alpha", "0.01", "--validation", "0"});
  CHECK(l.alpha == 0.01F);
  CHECK(l.validation == 0);
  CHECK_THAT(error_of(l.flags, {"--validation", "-1"}), Contains("--validation"));
  CHECK_THAT(error_of(l.flags, {"--validation", "60001"}), Contains("out of range"));
}

TEST_CASE("--help prints every default as written", "[runtime][flags][robust]") {
  LessonLike l;
  const std::string usage = l.flags.usage();
  CHECK_THAT(usage, !Contains("0.20000000298023224"));
  CHECK_THAT(usage, Contains("0 to 1; default: 0.2)"));  // both the float flag and the double copied from it
  CHECK_THAT(usage, Contains("default: 0.001)"));
  CHECK_THAT(usage, Contains("0 to 60000; default: 5000)"));
  // A genuine double keeps its own shortest text.
  double third = 1.0 / 3.0;
  Flags f("x", "y");
  f.add_double("third", &third, "a third", 0.0, 1.0);
  CHECK_THAT(f.usage(), Contains("default: 0.3333333333333333)"));
}
