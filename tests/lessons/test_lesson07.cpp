// Smoke tests of lesson 07 on the MNIST fixture: dead-unit probes and the exploding run, the
// verdicts following the numbers, and a cap that never bites (--clip-norm 1e30) failing the
// clipping claim.
#include <catch2/catch.hpp>

#include "lesson_checks.hpp"

namespace fs = std::filesystem;
using namespace gradflow::testing;

namespace {
ProgramRun run_lesson07(const std::string& args) { return run_program("lesson07_dead_and_exploding", args); }
}  // namespace

TEST_CASE("lesson07 --quick probes dead units, locates the overflow and judges clipping from its numbers",
          "[lesson07]") {
  const TempDir tmp("lesson07");
  const fs::path out = tmp.path / "out";
  const auto run = run_lesson07(fmt::format("--quick --data '{}' --out '{}'", kFixture.string(), out.string()));
  INFO(run.out << run.err);
  REQUIRE(run.exit_code == 0);
  const auto j = check_common_shape(out, "07_dead_and_exploding");
  // 4 learning rates + the negative bias, for relu and leaky_relu.
  REQUIRE(j.at("dead_units").size() == 10);
  for (const auto& sc : j.at("dead_units")) {
    const bool relu = sc.at("activation") == "relu";
    const auto& frac = sc.at(relu ? "dead_fraction" : "negative_side_fraction");
    CHECK(frac[0].get<double>() >= 0.0);
    CHECK(frac[0].get<double>() <= 1.0);
    for (const auto& per_seed : sc.at("final_per_layer_by_seed")) CHECK(per_seed.size() == 5);
    // Per layer over training: one row of 5 layers per probe step, for every seed.
    for (const auto& per_seed : sc.at("per_layer_over_training_by_seed")) {
      REQUIRE(per_seed.size() == sc.at("probe_steps").size());
      for (const auto& probe : per_seed) CHECK(probe.size() == 5);
    }
    // A leaky unit always gets alpha times the gradient: never an all-zero gradient column.
    if (!relu) CHECK(sc.at("zero_gradient_fraction")[0].get<double>() == 0.0);
  }
  // The exploding run: the NaN check named a node; the verdict follows the two runs' outcomes.
  const auto& ex = j.at("exploding");
  const int plain_step = ex.at("unclipped").at("first_non_finite_step");
  const int clipped_step = ex.at("clipped").at("first_non_finite_step");
  const auto& c = claim(j, "clipping_keeps_loss_finite");
  if (plain_step < 0) {
    CHECK(c.at("verdict") == "not_tested");
  } else {
    CHECK_THAT(ex.at("unclipped").at("layer").get<std::string>(), Catch::StartsWith("layer"));
    CHECK_FALSE(ex.at("unclipped").at("op").get<std::string>().empty());
    CHECK(c.at("verdict") == (clipped_step < 0 ? "holds" : "fails"));
    // Clipping to norm 1 bounds every step; the norms logged are those BEFORE clipping.
    CHECK(ex.at("clipped").at("norm_before_clipping").size() == ex.at("clipped").at("loss").size());
  }
  for (const char* stem : {"dead_fraction", "dead_per_layer", "accuracy_vs_learning_rate", "exploding"})
    check_picture(out, stem);
  CHECK_THAT(slurp(out / "index.html"), Catch::Contains("negative-side"));
}

TEST_CASE("lesson07 --clip-norm 1e30 never clips: the clipping claim fails and the page says so", "[lesson07]") {
  const TempDir tmp("lesson07-noclip");
  const fs::path out = tmp.path / "out";
  const auto run =
      run_lesson07(fmt::format("--quick --learning-rates 0.001 --steps 20 --clip-norm 1e30 --data '{}' --out '{}'",
                               kFixture.string(), out.string()));
  INFO(run.out << run.err);
  REQUIRE(run.exit_code == 0);
  const auto j = check_common_shape(out, "07_dead_and_exploding");
  REQUIRE(j.at("exploding").at("unclipped").at("first_non_finite_step").get<int>() >= 0);
  const auto& c = claim(j, "clipping_keeps_loss_finite");
  CHECK(c.at("verdict") == "fails");
  CHECK_THAT(c.at("settings_note").get<std::string>(), Catch::Contains("clip norm 1e+30"));
  CHECK_THAT(slurp(out / "index.html"), Catch::Contains("claim verdict-fails"));
  // One learning rate cannot show a trend: that claim is not tested rather than judged.
  CHECK(claim(j, "dead_fraction_grows_with_lr").at("verdict") == "not_tested");
}

TEST_CASE("lesson07 gives the same numbers with --jobs 1 and --jobs 2", "[lesson07]") {
  std::string summaries[2];
  for (int jobs = 1; jobs <= 2; ++jobs) {
    const TempDir tmp(fmt::format("lesson07-jobs{}", jobs));
    const fs::path out = tmp.path / "out";
    const auto run = run_lesson07(
        fmt::format("--quick --steps 40 --jobs {} --data '{}' --out '{}'", jobs, kFixture.string(), out.string()));
    REQUIRE(run.exit_code == 0);
    auto j = nlohmann::json::parse(slurp(out / "summary.json"));
    summaries[jobs - 1] = j.at("dead_units").dump() + j.at("exploding").dump();
  }
  CHECK(summaries[0] == summaries[1]);
}

TEST_CASE("lesson07 rejects an unknown learning rate with exit code 2 naming the flag", "[lesson07]") {
  const auto run = run_lesson07("--learning-rates 0.7");
  CHECK(run.exit_code == 2);
  CHECK_THAT(run.err, Catch::Contains("--learning-rates"));
}

TEST_CASE("lesson07 --optimizer sgd runs the dead-unit sweep with SGD and the dead-unit verdicts say so",
          "[lesson07]") {
  const TempDir tmp("lesson07-optimizer");
  const fs::path out = tmp.path / "out";
  const fs::path tb = tmp.path / "tb";
  const auto run =
      run_lesson07(fmt::format("--quick --learning-rates 0.01,0.1 --seeds 1 --optimizer sgd --data '{}' "
                               "--out '{}' --tensorboard '{}'",
                               kFixture.string(), out.string(), tb.string()));
  INFO(run.out << run.err);
  REQUIRE(run.exit_code == 0);
  const auto j = check_common_shape(out, "07_dead_and_exploding");
  CHECK(j.at("settings").at("optimizer (dead units)") == "sgd");
  CHECK_THAT(j.at("settings").at("network (dead units)").get<std::string>(), Catch::Contains("SGD"));
  CHECK_THAT(claim(j, "dead_fraction_grows_with_lr").at("settings_note").get<std::string>(),
             Catch::Contains("SGD (--optimizer sgd)"));
  // scalars.csv: the runtime's header, every scenario logged under its folder-safe name.
  const std::string csv = slurp(out / "scalars.csv");
  CHECK(csv.rfind("scenario,seed,step,tag,value\n", 0) == 0);
  for (const char* row :
       {"\nrelu_lr0.1,1,0,loss,", "\nrelu_lr0.01,1,100,mean_6,", "\nleaky_relu_lr0.1,1,0,bias_mean_1,",
        "\nrelu_bias-1_lr0.01,1,200,dead_5,", "\nleaky_relu_lr0.01,1,200,negative_side_5,",
        "\nexplode_plain,1,0,grad_norm,", "\nexplode_clipped,1,0,loss,"}) {
    CHECK_THAT(csv, Catch::Contains(row));
  }
  // --tensorboard: one run folder per scenario and seed, each with its event file (the records
  // themselves are checked by tests/tensorboard/test_training_lessons_events.py).
  for (const char* run_dir : {"relu_lr0.1/seed1", "leaky_relu_bias-1_lr0.01/seed1", "explode_clipped/seed1"}) {
    INFO(run_dir);
    REQUIRE(fs::is_directory(tb / run_dir));
    CHECK(fs::begin(fs::directory_iterator(tb / run_dir)) != fs::end(fs::directory_iterator(tb / run_dir)));
  }
  CHECK(fs::exists(out / "histograms.csv"));
}

TEST_CASE("lesson07 refuses --lr (the learning rate is swept) and a bad --optimizer, with exit 2", "[lesson07]") {
  for (const char* arg : {"--lr 0.01", "--lr=0.01"}) {
    const auto run = run_lesson07(fmt::format("{} --data /nonexistent/gradflow-mnist", arg));
    INFO(arg << "\n" << run.err);
    CHECK(run.exit_code == 2);
    CHECK_THAT(run.err, Catch::Contains("--lr: lesson 07 sweeps the learning rate"));
    CHECK_THAT(run.err, Catch::Contains("--learning-rates"));
  }
  const auto bad = run_lesson07("--optimizer rmsprop --data /nonexistent/gradflow-mnist");
  CHECK(bad.exit_code == 2);
  CHECK_THAT(bad.err, Catch::Contains("--optimizer: 'rmsprop' is not adam or sgd"));
  const auto probes = run_lesson07("--steps 5000 --probe-every 1 --data /nonexistent/gradflow-mnist");
  CHECK(probes.exit_code == 2);
  CHECK_THAT(probes.err, Catch::Contains("--probe-every 1"));
}
