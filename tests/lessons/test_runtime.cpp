// The lesson runtime: flags, the all-or-nothing output folder, and the HTML page.
#include <fmt/format.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "lessons/runtime/lesson_runtime.hpp"

namespace fs = std::filesystem;
using gradflow::lessons::add_common_flags;
using gradflow::lessons::CommonOptions;
using gradflow::lessons::Flags;
using gradflow::lessons::html_escape;
using gradflow::lessons::HtmlPage;
using gradflow::lessons::OutputDir;
using gradflow::lessons::run_main;
using gradflow::lessons::UsageError;

namespace {

// A fresh, empty folder for one test, removed at the end of the test.
struct TempDir {
  fs::path path;
  explicit TempDir(std::string_view tag)
      : path(fs::temp_directory_path() / fmt::format("gradflow-test-runtime-{}-{}", tag, ::getpid())) {
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Everything a typical lesson declares, with its defaults.
struct Example {
  std::string name = "world";
  fs::path model = "model.txt";
  int epochs = 5;
  std::uint64_t seed = 1;
  double lr = 0.001;
  bool quick = false;
  std::vector<std::string> activations{"sigmoid", "relu"};
  Flags flags{"lesson99_example", "An example lesson."};

  Example() {
    flags.add_string("name", &name, "who to greet");
    flags.add_path("model", &model, "model file");
    flags.add_int("epochs", &epochs, "passes over the data", 1, 100);
    flags.add_uint64("seed", &seed, "random seed");
    flags.add_double("lr", &lr, "learning rate", 0.0, 1.0);
    flags.add_bool("quick", &quick, "short run");
    flags.add_list("activations", &activations, "activations to compare", {"sigmoid", "relu", "leaky_relu"});
  }
  bool parse(const std::vector<std::string>& args) { return flags.parse(args); }
  // The message of the UsageError parse throws (fails the test if it does not throw).
  std::string error(const std::vector<std::string>& args) {
    try {
      flags.parse(args);
    } catch (const UsageError& e) {
      CHECK_FALSE(e.usage().empty());
      return e.what();
    }
    FAIL("parse did not throw");
    return {};
  }
};

}  // namespace

TEST_CASE("flags keep their defaults when nothing is given", "[runtime][flags]") {
  Example ex;
  REQUIRE(ex.parse({}));
  CHECK(ex.name == "world");
  CHECK(ex.model == "model.txt");
  CHECK(ex.epochs == 5);
  CHECK(ex.seed == 1);
  CHECK(ex.lr == 0.001);
  CHECK_FALSE(ex.quick);
  CHECK(ex.activations == std::vector<std::string>{"sigmoid", "relu"});
}

TEST_CASE("flags accept both --name VALUE and --name=VALUE", "[runtime][flags]") {
  Example ex;
  REQUIRE(ex.parse({"--name", "Ada", "--model=m.bin", "--epochs", "7", "--seed=18446744073709551615", "--lr", "0.5",
                    "--quick", "--activations=relu,leaky_relu"}));
  CHECK(ex.name == "Ada");
  CHECK(ex.model == "m.bin");
  CHECK(ex.epochs == 7);
  CHECK(ex.seed == 18446744073709551615ULL);
  CHECK(ex.lr == 0.5);
  CHECK(ex.quick);
  CHECK(ex.activations == std::vector<std::string>{"relu", "leaky_relu"});

  REQUIRE(ex.parse({"--quick=false", "--name="}));
  CHECK_FALSE(ex.quick);
  CHECK(ex.name.empty());
}

TEST_CASE("flag errors name the flag and the problem", "[runtime][flags]") {
  Example ex;
  CHECK(ex.error({"--bogus"}) == "unknown flag --bogus");
  CHECK(ex.error({"--sed", "3"}) == "unknown flag --sed (did you mean --seed?)");
  CHECK(ex.error({"stray"}) == "unexpected argument 'stray' (flags start with --)");
  CHECK(ex.error({"--epochs"}) == "--epochs: missing value (expected N)");
  CHECK(ex.error({"--model", "--quick"}) == "--model: missing value (expected PATH)");
  CHECK(ex.error({"--epochs", "abc"}) == "--epochs: 'abc' is not a whole number");
  CHECK(ex.error({"--epochs", "3x"}) == "--epochs: '3x' is not a whole number");
  CHECK(ex.error({"--epochs=0"}) == "--epochs: 0 is out of range (allowed: 1 to 100)");
  CHECK(ex.error({"--epochs", "99999999999"}) == "--epochs: '99999999999' is too large");
  CHECK(ex.error({"--seed", "-1"}) == "--seed: '-1' is not a non-negative whole number");
  CHECK(ex.error({"--lr", "fast"}) == "--lr: 'fast' is not a number");
  CHECK(ex.error({"--lr", "nan"}) == "--lr: 'nan' is not a finite number");
  CHECK(ex.error({"--lr", "1.5"}) == "--lr: 1.5 is out of range (allowed: 0 to 1)");
  CHECK(ex.error({"--quick=maybe"}) == "--quick: 'maybe' is not true or false (a switch needs no value at all)");
  CHECK(ex.error({"--activations", "relu,tanh"}) ==
        "--activations: 'tanh' is not allowed (choose from: sigmoid, relu, leaky_relu)");
  CHECK(ex.error({"--activations", "relu,"}) == "--activations: 'relu,' has an empty item");
  CHECK(ex.error({"--model="}) == "--model: an empty path is not allowed");
}

// The usage with every run of whitespace (line wrapping, padding) squeezed to one space.
std::string squeezed(const std::string& text) {
  std::string out;
  for (char c : text) {
    const bool space = c == ' ' || c == '\n';
    if (!space || out.empty() || out.back() != ' ') out += space ? ' ' : c;
  }
  return out;
}

TEST_CASE("usage shows every flag with its default and range", "[runtime][flags]") {
  Example ex;
  const std::string usage = squeezed(ex.flags.usage());
  CHECK_THAT(usage, Catch::Contains("Usage: lesson99_example [flags]"));
  CHECK_THAT(usage, Catch::Contains("An example lesson."));
  CHECK_THAT(usage, Catch::Contains("--epochs N"));
  CHECK_THAT(usage, Catch::Contains("(1 to 100; default: 5)"));
  CHECK_THAT(usage, Catch::Contains("(default: \"world\")"));
  CHECK_THAT(usage, Catch::Contains("(default: model.txt)"));
  CHECK_THAT(usage, Catch::Contains("(default: off)"));
  CHECK_THAT(usage, Catch::Contains("(0 to 1; default: 0.001)"));
  CHECK_THAT(usage, Catch::Contains("one or more of sigmoid, relu, leaky_relu; default: sigmoid,relu"));
  CHECK_THAT(usage, Catch::Contains("--help"));
  // Long help is wrapped to fit a terminal.
  for (const auto& line : [&] {
         std::vector<std::string> lines;
         std::istringstream in(ex.flags.usage());
         for (std::string l; std::getline(in, l);) lines.push_back(l);
         return lines;
       }()) {
    CHECK(line.size() <= 100);
  }
}

TEST_CASE("--help makes parse return false", "[runtime][flags]") {
  Example ex;
  CHECK_FALSE(ex.parse({"--epochs", "3", "--help", "--bogus"}));
}

TEST_CASE("declaring a flag twice is a programming error", "[runtime][flags]") {
  Example ex;
  int other = 0;
  CHECK_THROWS_AS(ex.flags.add_int("epochs", &other, "again", 0, 1), std::logic_error);
  CHECK_THROWS_AS(ex.flags.add_int("help", &other, "reserved", 0, 1), std::logic_error);
}

TEST_CASE("common flags follow the lesson contract", "[runtime][flags]") {
  CommonOptions options;
  Flags flags("lesson42_answer", "The answer.");
  add_common_flags(flags, options, "lesson42_answer", true);
  CHECK(options.out == fs::path("out/lesson42_answer"));
  CHECK_FALSE(options.data.empty());
  CHECK(options.seed == 1);
  REQUIRE(flags.parse({"--out", "/tmp/x", "--seed=7", "--data", "d", "--quick"}));
  CHECK(options.out == "/tmp/x");
  CHECK(options.seed == 7);
  CHECK(options.data == "d");
  CHECK(options.quick);

  CommonOptions no_data;
  Flags flags2("lesson01", "No data.");
  add_common_flags(flags2, no_data, "lesson01", false);
  CHECK(no_data.data.empty());
  CHECK_THROWS_WITH(flags2.parse({"--data", "x"}), "unknown flag --data");
}

TEST_CASE("run_main maps usage errors to 2 and failures to 1", "[runtime]") {
  char program[] = "lesson";
  char* argv[] = {program, nullptr};
  CHECK(run_main(1, argv, [](int, char**) { return 0; }) == 0);
  CHECK(run_main(1, argv, [](int, char**) { return 3; }) == 3);
  CHECK(run_main(1, argv, [](int, char**) -> int { throw UsageError("bad flag", "Usage: x"); }) == 2);
  CHECK(run_main(1, argv, [](int, char**) -> int { throw std::runtime_error("disk full"); }) == 1);
  CHECK(run_main(1, argv, [](int, char**) -> int { throw 42; }) == 1);
}

TEST_CASE("OutputDir stages files and commit puts them in place", "[runtime][output]") {
  TempDir tmp("commit");
  const fs::path out = tmp.path / "nested" / "lesson";
  {
    OutputDir dir(out);
    CHECK(fs::is_directory(dir.staging_path()));
    CHECK(dir.staging_path().filename().string().starts_with("lesson.partial-"));
    CHECK_FALSE(fs::exists(out));
    dir.write_text("index.html", "<p>hi</p>");
    dir.write_text("figures/a.txt", "a");
    CHECK(dir.path("sub/dir/b.svg").parent_path() == dir.staging_path() / "sub" / "dir");
    CHECK(fs::is_directory(dir.staging_path() / "sub" / "dir"));
    CHECK_THROWS_AS(dir.path("../escape.txt"), std::invalid_argument);
    CHECK_THROWS_AS(dir.path("/etc/passwd"), std::invalid_argument);
    dir.commit();
    CHECK(dir.committed());
  }
  CHECK(read_file(out / "index.html") == "<p>hi</p>");
  CHECK(read_file(out / "figures" / "a.txt") == "a");
  CHECK(fs::exists(out / OutputDir::kMarker));
  // Only the committed folder remains beside it: no staging or old folders.
  int siblings = 0;
  for (const auto& e : fs::directory_iterator(out.parent_path())) siblings += e.path() != out ? 1 : 0;
  CHECK(siblings == 0);
}

TEST_CASE("OutputDir commit replaces an old result as a whole", "[runtime][output]") {
  TempDir tmp("replace");
  const fs::path out = tmp.path / "lesson";
  {
    OutputDir first(out);
    first.write_text("old.txt", "old");
    first.write_text("index.html", "first");
    first.commit();
  }
  {
    OutputDir second(out);
    second.write_text("index.html", "second");
    CHECK(read_file(out / "index.html") == "first");  // the old result stays until commit
    second.commit();
  }
  CHECK(read_file(out / "index.html") == "second");
  CHECK_FALSE(fs::exists(out / "old.txt"));
  int entries = 0;
  for (const auto& e : fs::directory_iterator(tmp.path)) entries += e.path() != out ? 1 : 0;
  CHECK(entries == 0);
}

TEST_CASE("OutputDir leaves no partial output when the run fails", "[runtime][output]") {
  TempDir tmp("fail");
  const fs::path out = tmp.path / "lesson";
  {
    OutputDir previous(out);
    previous.write_text("index.html", "complete");
    previous.commit();
  }
  fs::path staging;
  try {
    OutputDir dir(out);
    staging = dir.staging_path();
    dir.write_text("index.html", "half");
    throw std::runtime_error("render failed");
  } catch (const std::runtime_error&) {
  }
  CHECK_FALSE(staging.empty());
  CHECK_FALSE(fs::exists(staging));
  CHECK(read_file(out / "index.html") == "complete");  // the previous complete result survives

  const fs::path fresh = tmp.path / "fresh";
  try {
    OutputDir dir(fresh);
    dir.write_text("index.html", "half");
    throw std::runtime_error("boom");
  } catch (const std::runtime_error&) {
  }
  CHECK_FALSE(fs::exists(fresh));
}

TEST_CASE("OutputDir refuses impossible or foreign folders with the path in the message", "[runtime][output]") {
  CHECK_THROWS_WITH(OutputDir("/proc/gradflow-test"), Catch::Contains("'/proc/gradflow-test'"));
  CHECK_THROWS_WITH(OutputDir("."), Catch::Contains("cannot use '.'"));

  TempDir tmp("foreign");
  const fs::path mine = tmp.path / "my-files";
  fs::create_directories(mine);
  std::ofstream(mine / "thesis.tex") << "precious";
  CHECK_THROWS_WITH(OutputDir(mine), Catch::Contains("refusing to use") && Catch::Contains(mine.string()));
  CHECK(read_file(mine / "thesis.tex") == "precious");

  const fs::path file = tmp.path / "a-file";
  std::ofstream(file) << "x";
  CHECK_THROWS_WITH(OutputDir(file), Catch::Contains("is not a folder"));

  // An existing empty folder is fine (someone ran mkdir first).
  const fs::path empty = tmp.path / "empty";
  fs::create_directories(empty);
  OutputDir ok(empty);
  ok.commit();
  CHECK(fs::exists(empty / OutputDir::kMarker));
}

TEST_CASE("html_escape escapes the five special characters", "[runtime][html]") {
  CHECK(html_escape("a < b && c > \"d\" 'e'") == "a &lt; b &amp;&amp; c &gt; &quot;d&quot; &#39;e&#39;");
  CHECK(html_escape("plain") == "plain");
}

TEST_CASE("HtmlPage escapes text, keeps trusted HTML, and is one self-contained page", "[runtime][html]") {
  HtmlPage page("Lesson <1>");
  page.add_heading("Part 1 & 2", 2);
  page.add_paragraph("<b>bold</b>");
  page.add_text("<script>alert(1)</script>");
  page.add_figure("graph.svg", "The \"graph\"", "");
  page.add_table({"name", "value"}, {{"layer1/kernel", "0.25"}, {"<x>", "PASS"}});
  page.add_code("a < b");
  page.add_raw("<hr>");
  const std::string html = page.str();
  CHECK_THAT(html, Catch::StartsWith("<!DOCTYPE html>"));
  CHECK_THAT(html, Catch::Contains("<title>Lesson &lt;1&gt;</title>"));
  CHECK_THAT(html, Catch::Contains("<h1>Lesson &lt;1&gt;</h1>"));
  CHECK_THAT(html, Catch::Contains("<h2>Part 1 &amp; 2</h2>"));
  CHECK_THAT(html, Catch::Contains("<p><b>bold</b></p>"));
  CHECK_THAT(html, Catch::Contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
  CHECK_THAT(html, !Catch::Contains("<script>"));
  CHECK_THAT(html, Catch::Contains(R"(<img src="graph.svg" alt="The &quot;graph&quot;")"));
  CHECK_THAT(html, Catch::Contains("<figcaption>The &quot;graph&quot;</figcaption>"));
  CHECK_THAT(html, Catch::Contains("<td>layer1/kernel</td><td class=\"num\">0.25</td>"));
  CHECK_THAT(html, Catch::Contains("<td>&lt;x&gt;</td><td class=\"pass\">PASS</td>"));
  CHECK_THAT(html, Catch::Contains("<pre><code>a &lt; b</code></pre>"));
  CHECK_THAT(html, Catch::Contains("<hr>"));
  CHECK_THAT(html, Catch::Contains("<style>"));
  CHECK_THAT(html, Catch::Contains("max-width: 1040px"));
  CHECK_THAT(html, !Catch::Contains("http"));  // nothing fetched from the network
}

TEST_CASE("numeric cells are recognised the same way for console and HTML tables", "[runtime]") {
  using gradflow::lessons::looks_numeric;
  CHECK(looks_numeric("0.25"));
  CHECK(looks_numeric("-1.2e-03"));
  CHECK_FALSE(looks_numeric("[1 x 1]"));
  CHECK_FALSE(looks_numeric(""));
  CHECK_FALSE(looks_numeric("e"));
  gradflow::lessons::HtmlPage page("t");
  page.add_table({"name", "value"}, {{"w", "0.5"}});
  CHECK_THAT(page.str(), Catch::Contains(R"(<td class="num">0.5</td>)"));
  CHECK_THAT(gradflow::lessons::format_table({"name", "value"}, {{"w", "0.5"}, {"b", "12.25"}}),
             Catch::Contains("w       0.5"));
}
