// The lesson runtime's Report, figures, statistics, parallel runner, course table and training log.
#include <fmt/format.h>
#include <sched.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "lessons/runtime/lesson_runtime.hpp"
#include "program_runner.hpp"

namespace fs = std::filesystem;
namespace gl = gradflow::lessons;
namespace figures = gradflow::lessons::figures;

namespace {

using gradflow::testing::slurp;
using TempDir = gradflow::testing::TempDir;

figures::Figure small_figure() {
  figures::Figure f;
  f.name = "curve";
  f.title = "a_b curve";
  f.caption = "what to look for";
  figures::Panel& p = f.panels.emplace_back();
  p.title = "loss";
  p.log_y = true;
  p.series.push_back(figures::band("leaky_relu", {0, 1, 2}, {1, 0.1, 0.01}, {0.5, 0.05, 0.005}, {2, 0.2, 0.02}));
  figures::Panel& q = f.panels.emplace_back();
  q.title = "template";
  figures::Image image;
  image.rows = 2;
  image.cols = 3;
  image.values = {-1, 0, 1, 0.5, -0.5, 0};
  image.palette = "diverging";
  image.annotate = true;
  q.image = image;
  return f;
}

}  // namespace

TEST_CASE("Report writes console, index.html and summary.json of the common shape from one call each",
          "[runtime][report]") {
  TempDir dir("shape");
  gl::CommonOptions common;
  common.out = dir.path / "out";
  gl::Report report({"05_vanishing_gradients", "Lesson 05", "one line"}, common);
  report.setting("iterations", 60, true);
  report.setting("alpha", 0.2F);
  report.section("1. Train");
  report.text("a <b>plain</b> paragraph");
  report.table({{"scenario", "accuracy", "check"}, {{"relu", "91.5", "PASS"}}, "", false});
  report.figure(small_figure());
  report.claim({"c1", "sigmoid is slower", "sigmoid 80%, relu 90%", "holds if the gap > 1 point", gl::Verdict::holds,
                "--layers 3; the post used 6"});
  report.value("scenarios", {{"relu", 1}});
  REQUIRE(report.finish() == 0);

  const auto summary = nlohmann::json::parse(slurp(common.out / "summary.json"));
  CHECK(summary["lesson"] == "05_vanishing_gradients");
  CHECK(summary["settings"]["iterations"] == 60);
  CHECK(summary["settings"]["iterations"].is_number_integer());  // an int stays an int (not 60.0)
  CHECK(summary["settings"]["alpha"].get<double>() == 0.2);      // a float as written, not 0.2000000029
  REQUIRE(summary["claims"].size() == 1);
  for (const char* key : {"id", "statement", "measured", "verdict", "rule"}) CHECK(summary["claims"][0].contains(key));
  CHECK(summary["claims"][0]["verdict"] == "holds");
  CHECK(summary["claims"][0]["settings_note"] == "--layers 3; the post used 6");
  CHECK(summary["scenarios"]["relu"] == 1);

  const std::string html = slurp(common.out / "index.html");
  CHECK(html.find("a &lt;b&gt;plain&lt;/b&gt; paragraph") != std::string::npos);
  CHECK(html.find("<td class=\"num\">91.5</td><td class=\"pass\">PASS</td>") != std::string::npos);
  CHECK(html.find("holds if the gap &gt; 1 point") != std::string::npos);     // the rule is on the page
  CHECK(html.find("at other settings than the claim") != std::string::npos);  // and the settings mark
  CHECK(html.find("curve.svg") != std::string::npos);
  CHECK(html.find("course home") != std::string::npos);
  CHECK(html.find("lesson04_training/index.html") != std::string::npos);
  CHECK(html.find("lesson06_initialisation/index.html") != std::string::npos);
  for (const char* f : {"curve.gp", "curve.dat", "curve.svg", "curve.png"}) CHECK(fs::file_size(common.out / f) > 0);
}

TEST_CASE("Report keeps summary.json valid JSON when a text holds bytes that are not UTF-8", "[runtime][report]") {
  TempDir dir("utf8");
  gl::CommonOptions common;
  common.out = dir.path / "out";
  gl::Report report({"01_computation_graph", "t", "s"}, common);
  report.setting("data", std::string("/tmp/caf\xe9"));  // Latin-1 e-acute: not UTF-8
  report.finish();
  CHECK_NOTHROW(nlohmann::json::parse(slurp(common.out / "summary.json")));
}

TEST_CASE("Report refuses to let a lesson overwrite the common keys", "[runtime][report]") {
  TempDir dir("keys");
  gl::CommonOptions common;
  common.out = dir.path / "out";
  gl::Report report({"01_computation_graph", "t", "s"}, common);
  CHECK_THROWS_AS(report.value("claims", 1), std::logic_error);
}

TEST_CASE("a diagram is inlined as SVG so Graphviz tooltips show on hover", "[runtime][report]") {
  TempDir dir("diagram");
  gl::CommonOptions common;
  common.out = dir.path / "out";
  gl::Report report({"01_computation_graph", "t", "s"}, common);
  report.diagram("g", "digraph { a [tooltip=\"exact value -1.1974\"]; a -> b; }", "a graph", /*folded=*/true);
  report.finish();
  const std::string html = slurp(common.out / "index.html");
  CHECK(html.find("<details class=\"diagram\">") != std::string::npos);
  CHECK(html.find("xlink:title=\"exact value &#45;1.1974\"") != std::string::npos);
  CHECK(html.find("<svg style=\"width:100%") != std::string::npos);
  CHECK(fs::exists(common.out / "g.png"));
}

TEST_CASE("figures: the data file holds every point and the script names only its own files", "[runtime][figures]") {
  const figures::Figure f = small_figure();
  const std::string data = figures::data_file(f);
  CHECK(data.find("0 1 0.5 2") != std::string::npos);
  CHECK(data.find("2 0.01 0.005 0.02") != std::string::npos);
  CHECK(data.find("1 1 -0.5") != std::string::npos);  // image: column row value
  const std::string gp = figures::gnuplot_script(f);
  CHECK(gp.find("set logscale y") != std::string::npos);
  // "pixels": every cell a flat square in SVG too (a browser would otherwise smooth a 10 x 10
  // confusion matrix into a blur that shows counts no cell has).
  CHECK(gp.find("with image pixels") != std::string::npos);
  CHECK(gp.find("leaky\\\\_relu") != std::string::npos);  // enhanced-text markup escaped
  CHECK(gp.find("filledcurves") != std::string::npos);    // the min-max band
}

TEST_CASE("figures: series of different lengths are refused with the figure's name", "[runtime][figures]") {
  figures::Figure f;
  f.name = "bad";
  f.panels.emplace_back().series.push_back(figures::line("s", {1, 2}, {1}));
  try {
    (void)figures::data_file(f);
    FAIL("no error");
  } catch (const std::runtime_error& e) {
    CHECK_THAT(e.what(), Catch::Contains("figure bad") && Catch::Contains("series \"s\""));
  }
}

TEST_CASE("Stats: mean, sample std, min, max, and non-finite values counted apart", "[runtime][stats]") {
  const gl::Stats s = gl::Stats::of(std::vector<double>{1, 2, 3, 6});
  CHECK(s.mean == Approx(3));
  CHECK(s.std == Approx(std::sqrt(14.0 / 3.0)));
  CHECK(s.min == 1);
  CHECK(s.max == 6);
  CHECK(s.n == 4);
  const gl::Stats bad = gl::Stats::of(std::vector<double>{1, INFINITY, NAN});
  CHECK(bad.n == 1);
  CHECK(bad.non_finite == 2);
  CHECK_FALSE(bad.ok());
  CHECK(gl::format_stats(bad, 1, 1, "x", "underflowed") == "underflowed");
  CHECK(gl::format_stats(s, 1, 1, "x") == "3.0x ± 2.2");
}

TEST_CASE("run_parallel reports in order, whatever finishes first, and limits BLAS to one thread",
          "[runtime][parallel]") {
  std::vector<std::size_t> order;
  std::atomic<int> blas_in_tasks{0};
  gl::run_parallel<int>(
      6, 3,
      [&](std::size_t i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(6 * (6 - static_cast<int>(i))));
        blas_in_tasks = std::max(blas_in_tasks.load(), gl::blas_threads());
        return static_cast<int>(i) * 10;
      },
      [&](std::size_t i, int& r) {
        CHECK(r == static_cast<int>(i) * 10);
        order.push_back(i);
      });
  CHECK(order == std::vector<std::size_t>{0, 1, 2, 3, 4, 5});
  CHECK(blas_in_tasks == 1);
  // --jobs 1 too: a gemm on several BLAS threads may sum in another order, and the results must
  // not depend on --jobs.
  int blas_alone = 0;
  gl::run_parallel<int>(
      1, 1, [&](std::size_t) { return blas_alone = gl::blas_threads(); }, [](std::size_t, int&) {});
  CHECK(blas_alone == 1);
  CHECK_THROWS_AS(gl::run_parallel<int>(
                      2, gl::kMaxJobs + 1, [](std::size_t) { return 0; }, [](std::size_t, int&) {}),
                  std::invalid_argument);
}

TEST_CASE("run_parallel rethrows the first failure after reporting the runs before it", "[runtime][parallel]") {
  std::vector<std::size_t> reported;
  CHECK_THROWS_WITH(gl::run_parallel<int>(
                        5, 2,
                        [](std::size_t i) {
                          if (i == 2) throw std::runtime_error("run 2 diverged");
                          return 0;
                        },
                        [&](std::size_t i, int&) { reported.push_back(i); }),
                    "run 2 diverged");
  CHECK(reported == std::vector<std::size_t>{0, 1});
}

TEST_CASE("the course table lists lessons 01 to 08 in order with their pages", "[runtime][course]") {
  const auto all = gl::course();
  REQUIRE(all.size() == 8);
  for (std::size_t i = 0; i < all.size(); ++i) {
    CHECK(all[i].number == static_cast<int>(i + 1));
    CHECK(all[i].binary == fmt::format("lesson{}", all[i].id));
    CHECK(all[i].doc_page.substr(0, 13) == "docs/lessons/");
  }
  CHECK(gl::find_lesson("lesson05_vanishing_gradients")->number == 5);
  CHECK_FALSE(gl::find_lesson("lesson99"));
}

TEST_CASE("training log: scalars.csv rows as the post named them, streamed, numbers read back as floats",
          "[runtime][training_log]") {
  TempDir dir("log");
  {
    gl::TrainingLog log(dir.path / "scalars.csv", dir.path / "histograms.csv");
    log.scalar("relu", 1, 200, "loss", 0.1f);
    log.scalar("relu", 1, 200, "mean_1", 1.0 / 0.0);
    const std::vector<std::uint32_t> counts{1, 2};
    log.histogram("relu", 1, 200, 4, "kernel_grad", -1, 1, counts);
    log.close();
  }
  CHECK(slurp(dir.path / "scalars.csv") ==
        "scenario,seed,step,tag,value\nrelu,1,200,loss,0.1\nrelu,1,200,mean_1,null\n");
  CHECK(slurp(dir.path / "histograms.csv") ==
        "scenario,seed,step,layer,kind,bin,lo,hi,count\nrelu,1,200,4,kernel_grad,0,-1,0,1\n"
        "relu,1,200,4,kernel_grad,1,0,1,2\n");
}

TEST_CASE("training log: a run that would log too many steps is refused up front naming --log-every",
          "[runtime][training_log]") {
  CHECK(gl::logged_steps(2500, 200) == 13);
  CHECK_NOTHROW(gl::check_logged_steps(2500, 200));
  try {
    gl::check_logged_steps(2500, 1);
    FAIL("no error");
  } catch (const gl::UsageError& e) {
    CHECK_THAT(e.what(), Catch::Contains("--log-every") && Catch::Contains("use --log-every 3"));
  }
}

TEST_CASE("Report draws figures in the background and fails at finish naming a figure gnuplot could not draw",
          "[runtime][report][figures]") {
  TempDir dir("nognuplot");
  gl::CommonOptions common;
  common.out = dir.path / "out";
  const std::string path = std::getenv("PATH") ? std::getenv("PATH") : "";
  ::setenv("PATH", "/nonexistent-gradflow", 1);
  std::string message;
  {
    gl::Report report({"01_computation_graph", "t", "s"}, common);
    report.figure(small_figure());
    try {
      report.finish();
    } catch (const std::runtime_error& e) {
      message = e.what();
    }
  }
  ::setenv("PATH", path.c_str(), 1);
  CHECK_THAT(message, Catch::Contains("figure curve") && Catch::Contains("gnuplot is not installed"));
  CHECK_FALSE(fs::exists(common.out));  // nothing half-made was put in place
}

// Report draws its figures with a figures::Plotter: a few gnuplots, each loading several scripts
// in turn. Every figure must come out exactly as `gnuplot NAME.gp` alone draws it (no setting of
// one figure leaks into the next, e.g. the first figure's log scale), and no log file is left.
TEST_CASE("a Plotter draws many figures with two gnuplots, each exactly as gnuplot draws it alone",
          "[runtime][figures]") {
  TempDir dir("plotter");
  const fs::path shared = dir.path / "shared";
  const fs::path alone = dir.path / "alone";
  fs::create_directories(shared);
  fs::create_directories(alone);
  std::vector<figures::Figure> list;
  for (int i = 0; i < 5; ++i) {
    figures::Figure f = small_figure();
    f.name = fmt::format("figure{}", i);
    f.panels[0].log_y = i == 0;  // only the first: a leaked log scale would change the others
    f.png = i != 3;              // an SVG-only figure among them
    list.push_back(f);
  }
  {
    figures::Plotter plotter(shared, 2);
    for (const auto& f : list) plotter.draw(f);
    plotter.finish();
  }
  for (const auto& f : list) {
    figures::render(f, alone);
    INFO(f.name);
    CHECK(slurp(shared / (f.name + ".svg")) == slurp(alone / (f.name + ".svg")));
    CHECK(fs::exists(shared / (f.name + ".png")) == f.png);
  }
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(shared)) names.push_back(entry.path().filename().string());
  CHECK(names.size() == 5 * 4 - 1);  // .gp, .dat, .svg and (but for one) .png: no gnuplot logs
}

TEST_CASE("a Plotter names the figure gnuplot failed on, quoting gnuplot, and still draws the others",
          "[runtime][figures]") {
  TempDir dir("plotter-error");
  std::string message;
  {
    figures::Plotter plotter(dir.path, 2);
    for (int i = 0; i < 4; ++i) {
      figures::Figure f = small_figure();
      f.name = fmt::format("figure{}", i);
      if (i == 2) f.panels[0].series[0].color = "#zzzzzz";  // gnuplot: "unrecognized color name"
      plotter.draw(f);
    }
    try {
      plotter.finish();
    } catch (const std::runtime_error& e) {
      message = e.what();
    }
  }
  CHECK_THAT(message, Catch::Contains("figure figure2: gnuplot failed on figure2.gp") &&
                          Catch::Contains("unrecognized color name"));
  for (int i : {0, 1, 3}) {
    CHECK(fs::file_size(dir.path / fmt::format("figure{}.svg", i)) > 0);
    CHECK(fs::file_size(dir.path / fmt::format("figure{}.png", i)) > 0);
  }
}

// --jobs and the number of gnuplots follow the CPUs the process may use (taskset, a container's
// cpuset), not every CPU of the machine: pinned to one core, a lesson runs one job at a time.
TEST_CASE("usable_cores and the default --jobs follow the process's CPU affinity", "[runtime]") {
  cpu_set_t saved;
  REQUIRE(::sched_getaffinity(0, sizeof saved, &saved) == 0);
  CHECK(gl::usable_cores() == CPU_COUNT(&saved));
  int first = 0;
  while (!CPU_ISSET(first, &saved)) ++first;
  cpu_set_t one;
  CPU_ZERO(&one);
  CPU_SET(first, &one);
  REQUIRE(::sched_setaffinity(0, sizeof one, &one) == 0);
  const int pinned = gl::usable_cores();
  const int jobs = gl::default_jobs();
  REQUIRE(::sched_setaffinity(0, sizeof saved, &saved) == 0);
  CHECK(pinned == 1);
  CHECK(jobs == 1);
}

// A lesson may start drawing a diagram early (while runs still train) and place it later: the
// SVG lands where diagram(handle) put it, not where start_diagram was called.
TEST_CASE("a diagram started early is inlined where the lesson places it", "[runtime][report]") {
  TempDir dir("early-diagram");
  gl::CommonOptions common;
  common.out = dir.path / "out";
  gl::Report report({"01_computation_graph", "t", "s"}, common);
  const auto early = report.start_diagram("early", "digraph { first_node -> b; }");
  const auto unused = report.start_diagram("unused", "digraph { never_on_the_page -> c; }");
  report.text("text before the diagram");
  report.diagram(early, "the early graph");
  report.finish();
  const std::string html = slurp(common.out / "index.html");
  const auto text_at = html.find("text before the diagram");
  const auto svg_at = html.find("first_node");
  REQUIRE(text_at != std::string::npos);
  REQUIRE(svg_at != std::string::npos);
  CHECK(text_at < svg_at);
  CHECK(html.find('\x01') == std::string::npos);  // no placeholder left behind
  CHECK(html.find("never_on_the_page") == std::string::npos);
  CHECK(fs::exists(common.out / "unused.svg"));
  CHECK(unused.name == "unused");
}

// --no-png: the page shows SVGs only, so the PNG copies (most of the drawing time) are skipped,
// and the page does not link files that are not there.
TEST_CASE("with --no-png, figures and diagrams are SVG only and the page links no PNG", "[runtime][report]") {
  TempDir dir("no-png");
  gl::CommonOptions common;
  common.out = dir.path / "out";
  gl::Flags flags("t", "t");
  gl::add_common_flags(flags, common, "t", false);
  REQUIRE(flags.parse(std::vector<std::string>{"--out", common.out.string(), "--no-png"}));
  REQUIRE(common.no_png);
  gl::Report report({"01_computation_graph", "t", "s"}, common);
  report.figure(small_figure());
  report.diagram("g", "digraph { a -> b; }", "a graph");
  report.finish();
  for (const char* f : {"curve.svg", "curve.gp", "curve.dat", "g.svg", "g.dot"})
    CHECK(fs::file_size(common.out / f) > 0);
  CHECK_FALSE(fs::exists(common.out / "curve.png"));
  CHECK_FALSE(fs::exists(common.out / "g.png"));
  const std::string html = slurp(common.out / "index.html");
  CHECK(html.find(".png") == std::string::npos);
  CHECK(html.find("<svg style=\"width:100%") != std::string::npos);
  CHECK(slurp(common.out / "curve.gp").find("\"svg png\"") == std::string::npos);
}
