// Smoke tests of lesson 08 on the MNIST fixture: per-block gradients of plain and residual
// nets, the flow diagrams with their skip edges, and a too-shallow net (--blocks 2) failing
// the claim about the first block's gradient.
#include <catch2/catch.hpp>
#include <regex>
#include <set>

#include "lesson_checks.hpp"

namespace fs = std::filesystem;
using namespace gradflow::testing;

namespace {
ProgramRun run_lesson08(const std::string& args) { return run_program("lesson08_residual", args); }

// block 1 / last block mean |dL/dW| of the first seed's run of one net
double first_over_last(const nlohmann::json& j, const std::string& act, const std::string& net) {
  for (const auto& n : j.at("nets")) {
    if (n.at("activation") == act && n.at("net") == net) {
      const auto& k = n.at("runs")[0].at("kernel_grad_per_block");
      return k.front().get<double>() / k.back().get<double>();
    }
  }
  FAIL("no net " << act << " " << net);
  return 0;
}
}  // namespace

TEST_CASE("lesson08 --quick records both paths per block and draws the skip edges", "[lesson08]") {
  const TempDir tmp("lesson08");
  const fs::path out = tmp.path / "out";
  const auto run = run_lesson08(fmt::format("--quick --data '{}' --out '{}'", kFixture.string(), out.string()));
  INFO(run.out << run.err);
  REQUIRE(run.exit_code == 0);
  const auto j = check_common_shape(out, "08_residual");
  REQUIRE(j.at("nets").size() == 4);
  for (const auto& n : j.at("nets")) {
    for (const auto& r : n.at("runs")) {
      REQUIRE(r.at("kernel_grad_per_block").size() == 20);
      REQUIRE(r.at("kernel_grad_by_step").size() == r.at("steps").size());
      CHECK(r.at("kernel_grad_by_step").back().size() == 20);
      const auto& skip = r.at("skip_share_per_block");
      // A plain net has no skip path; a residual one hands a non-zero dL/dy to every block.
      for (const auto& v : skip) CHECK((n.at("net") == "plain" ? v.get<double>() == 0.0 : v.get<double>() > 0.0));
    }
  }
  // The verdict follows the ratios in summary.json (the rule: plain < 1/100, residual in [1/10, 10]).
  const double plain = first_over_last(j, "sigmoid", "plain"), residual = first_over_last(j, "sigmoid", "residual");
  const bool rule = plain < 1e-2 && residual > 0.1 && residual < 10;
  CHECK(claim(j, "skip_keeps_first_block_gradient").at("verdict") == (rule ? "holds" : "fails"));
  const std::string dot = slurp(out / "flow_residual_sigmoid.dot");
  CHECK_THAT(dot, Catch::Contains("skip: "));
  CHECK_THAT(dot, Catch::Contains("via f: "));
  CHECK_THAT(dot, Catch::Contains("add20"));
  CHECK_THAT(slurp(out / "flow_plain_sigmoid.dot"), !Catch::Contains("skip: "));
  // The skip path is drawn as one straight column: every "+" node at the same x in the SVG
  // (without Graphviz groups the blocks drift right into a staircase too wide to read).
  {
    const std::string svg = slurp(out / "flow_residual_sigmoid.svg");
    const std::regex add_node(R"re(<title>add\d+</title>\s*<ellipse[^>]* cx="([-0-9.]+)")re");
    std::set<std::string> xs;
    int adds = 0;
    for (auto it = std::sregex_iterator(svg.begin(), svg.end(), add_node); it != std::sregex_iterator(); ++it, ++adds)
      xs.insert((*it)[1].str());
    CHECK(adds >= 2);
    CHECK(xs.size() == 1);
  }
  for (const char* stem :
       {"kernel_grad_per_block", "input_grad_per_block", "loss", "flow_residual_sigmoid", "flow_plain_sigmoid"}) {
    check_picture(out, stem);
  }
}

TEST_CASE("lesson08 --blocks 2 is too shallow for the vanishing claim: it fails and the page says so", "[lesson08]") {
  const TempDir tmp("lesson08-blocks2");
  const fs::path out = tmp.path / "out";
  const auto run = run_lesson08(fmt::format("--quick --blocks 2 --seeds 1 --activations sigmoid --data '{}' --out '{}'",
                                            kFixture.string(), out.string()));
  INFO(run.out << run.err);
  REQUIRE(run.exit_code == 0);
  const auto j = check_common_shape(out, "08_residual");
  CHECK(first_over_last(j, "sigmoid", "plain") > 1e-2);
  const auto& c = claim(j, "skip_keeps_first_block_gradient");
  CHECK(c.at("verdict") == "fails");
  CHECK_THAT(c.at("settings_note").get<std::string>(), Catch::Contains("2 blocks"));
  CHECK_THAT(slurp(out / "index.html"), Catch::Contains("claim verdict-fails"));
}

TEST_CASE("lesson08 rejects bad flags with exit code 2 naming the flag", "[lesson08]") {
  const auto run = run_lesson08("--blocks 0");
  CHECK(run.exit_code == 2);
  CHECK_THAT(run.err, Catch::Contains("--blocks"));
  CHECK(run_lesson08("--activations swish").exit_code == 2);
}

TEST_CASE("lesson08 --optimizer sgd --lr trains with SGD, logs scalars.csv and the verdicts say so", "[lesson08]") {
  const TempDir tmp("lesson08-optimizer");
  const auto run_with = [&](const std::string& name, const std::string& flags) {
    const auto run = run_lesson08(fmt::format("--quick --activations sigmoid --seeds 1 --data '{}' --out '{}' {}",
                                              kFixture.string(), (tmp.path / name).string(), flags));
    INFO(run.out << run.err);
    REQUIRE(run.exit_code == 0);
    return check_common_shape(tmp.path / name, "08_residual");
  };
  const auto adam = run_with("adam", "");
  const auto sgd =
      run_with("sgd", fmt::format("--optimizer sgd --lr 0.05 --tensorboard '{}'", (tmp.path / "tb").string()));
  // --tensorboard: one run folder per net, activation and seed, with an event file in each.
  for (const char* run_dir : {"plain_sigmoid/seed1", "residual_sigmoid/seed1"}) {
    INFO(run_dir);
    REQUIRE(fs::is_directory(tmp.path / "tb" / run_dir));
    CHECK(fs::begin(fs::directory_iterator(tmp.path / "tb" / run_dir)) !=
          fs::end(fs::directory_iterator(tmp.path / "tb" / run_dir)));
  }
  CHECK(fs::exists(tmp.path / "sgd" / "histograms.csv"));
  CHECK_FALSE(fs::exists(tmp.path / "adam" / "histograms.csv"));  // raw values are kept only with --tensorboard
  CHECK_THAT(adam.at("settings").at("training").get<std::string>(), Catch::Contains("adam(lr=0.001"));
  CHECK_THAT(sgd.at("settings").at("training").get<std::string>(), Catch::Contains("sgd(lr=0.05)"));
  for (const auto& c : sgd.at("claims")) {
    INFO(c.dump());
    CHECK_THAT(c.at("settings_note").get<std::string>(), Catch::Contains("--optimizer sgd, --lr 0.05"));
  }
  // scalars.csv through the training log: the stem is layer 1, the 20 blocks 2..21, the head 22.
  const std::string a = slurp(tmp.path / "adam" / "scalars.csv"), s = slurp(tmp.path / "sgd" / "scalars.csv");
  CHECK(a.rfind("scenario,seed,step,tag,value\n", 0) == 0);
  for (const char* row : {"\nplain_sigmoid,1,0,loss,", "\nresidual_sigmoid,1,20,acc,",
                          "\nresidual_sigmoid,1,59,mean_22,", "\nplain_sigmoid,1,40,bias_mean_1,"}) {
    CHECK_THAT(a, Catch::Contains(row));
  }
  // Same batches, another update rule: the loss after 20 steps differs.
  const auto loss_at_20 = [](const std::string& csv) {
    const auto at = csv.find("\nresidual_sigmoid,1,20,loss,");
    REQUIRE(at != std::string::npos);
    return csv.substr(at, csv.find('\n', at + 1) - at);
  };
  CHECK(loss_at_20(a) != loss_at_20(s));
  const auto bad = run_lesson08("--optimizer adagrad --data /nonexistent/gradflow-mnist");
  CHECK(bad.exit_code == 2);
  CHECK_THAT(bad.err, Catch::Contains("--optimizer: 'adagrad' is not adam or sgd"));
}

TEST_CASE("lesson08 names the run and the flag when a large --lr makes training diverge", "[lesson08]") {
  const TempDir tmp("lesson08-diverge");
  const auto run =
      run_lesson08(fmt::format("--quick --activations relu --seeds 1 --optimizer sgd --lr 5 --data '{}' "
                               "--out '{}'",
                               kFixture.string(), (tmp.path / "out").string()));
  INFO(run.out << run.err);
  CHECK(run.exit_code == 1);
  // Both nets diverge; which one is reported first may depend on the parallel runs.
  CHECK_THAT(run.err,
             Catch::Matches("[\\s\\S]*training diverged \\((plain|residual) relu net, seed 1, step [0-9]+[\\s\\S]*"));
  CHECK_THAT(run.err, Catch::Contains("sgd(lr=5)"));
  CHECK_THAT(run.err, Catch::Contains("try a smaller --lr"));
  CHECK_FALSE(fs::exists(tmp.path / "out"));  // nothing half-written
}
