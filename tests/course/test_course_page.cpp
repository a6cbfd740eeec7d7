// The course home page from fabricated lesson outputs: a lesson with results, one whose run
// failed after an earlier success, one not built, one with a broken or foreign summary.json, and
// lessons that never ran. The page must show each as it is, in the course's order.
#include <fmt/format.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "../lessons/program_runner.hpp"
#include "lessons/course/course_page.hpp"
#include "lessons/runtime/course.hpp"

namespace fs = std::filesystem;
namespace gl = gradflow::lessons;
using json = nlohmann::ordered_json;  // keeps the order keys are written in, as a lesson's file does

namespace {

struct TempDir {
  fs::path path;
  TempDir() {
    static int counter = 0;
    path = fs::temp_directory_path() / fmt::format("gradflow-course-test-{}-{}", ::getpid(), counter++);
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() { fs::remove_all(path); }
};

void write(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << text;
}

json claim(const std::string& id, const std::string& verdict, const std::string& measured) {
  return {{"id", id},
          {"statement", "claim " + id},
          {"measured", measured},
          {"rule", "rule of " + id},
          {"verdict", verdict}};
}

// A source tree with two lesson texts and an out/ folder with lessons in every state.
struct Course {
  TempDir dir;
  fs::path repo = dir.path / "repo", out = repo / "out";
  std::map<std::string, gl::LessonRun> runs;
  Course() {
    write(repo / "docs/lessons/01-computation-graph.md", "# 01");
    write(repo / "docs/lessons/05-vanishing-gradients.md", "# 05");
    // 01: ran, two claims that hold, no headline (top-level numbers are shown instead).
    write(out / "lesson01_computation_graph/index.html", "<html></html>");
    write(out / "lesson01_computation_graph/summary.json",
          json{{"lesson", "01_computation_graph"},
               {"summary", "Build a graph & see it"},
               {"settings", json::object()},
               {"nodes", 11},
               {"claims", {claim("a", "holds", "m1"), claim("b", "holds", "m2")}}}
              .dump());
    runs["lesson01_computation_graph"] = {gl::LessonRun::State::ran, 0, 3};
    // 02: failed now, but an earlier run left its results.
    write(out / "lesson02_backward/index.html", "<html></html>");
    write(out / "lesson02_backward/summary.json",
          json{{"lesson", "02_backward"},
               {"headline", json::array({json{{"label", "steps shown"}, {"value", 12}},
                                         json{{"label", "largest |dx|"}, {"value", "0.25"}}})},
               {"claims", {claim("c", "fails", "m3")}}}
              .dump());
    runs["lesson02_backward"] = {gl::LessonRun::State::failed, 3, 1};
    // 03: a broken summary.json.
    write(out / "lesson03_gradcheck/summary.json", "{\"lesson\": \"03_gradcheck\", ");
    runs["lesson03_gradcheck"] = {gl::LessonRun::State::ran, 0, 2};
    // 04: a summary.json of another lesson copied into the wrong folder.
    write(out / "lesson04_training/summary.json", json{{"lesson", "05_vanishing_gradients"}}.dump());
    // 05: headline numbers, every verdict, a settings note, and a statement with markup in it.
    json c5 = claim("e", "inconclusive", "gap 0.3 points");
    c5["settings_note"] = "run with --iterations 100; the post used 2500";
    write(out / "lesson05_vanishing_gradients/index.html", "<html></html>");
    write(out / "lesson05_vanishing_gradients/summary.json",
          json{{"lesson", "05_vanishing_gradients"},
               {"summary", "Why deep sigmoid nets stop learning"},
               {"headline", {{"test accuracy, relu", "96.8%"}, {"gradient ratio, sigmoid", 31.2345678}}},
               {"claims",
                {claim("d", "holds", "ratio 31.2"), c5, claim("f", "mixed", "m"), claim("g", "not_tested", "-"),
                 json{{"statement", "<script>alert(1)</script>"}, {"verdict", "fails"}, {"rule", "r"}}}}}
              .dump());
    runs["lesson05_vanishing_gradients"] = {gl::LessonRun::State::ran, 0, 95};
    // 06: not built. 07: ran but wrote no summary.json. 08: never ran, nothing on disk.
    runs["lesson06_initialisation"] = {gl::LessonRun::State::not_built, 0, 0};
    runs["lesson07_dead_and_exploding"] = {gl::LessonRun::State::ran, 0, 1};
  }
};

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// The text of lesson NN's section on the page.
std::string section(const std::string& html, int number) {
  const auto start = html.find(fmt::format("<section class=\"lesson", number));
  const auto at = html.find(fmt::format("id=\"lesson{:02}\">", number), start);
  REQUIRE(at != std::string::npos);
  return html.substr(at, html.find("</section>", at) - at);
}

}  // namespace

TEST_CASE("the course page lists the eight lessons in the course's order", "[course]") {
  Course c;
  const std::string html = gl::course_page_html(c.out, c.repo, c.runs);
  std::size_t last = 0;
  for (const gl::CourseLesson& l : gl::course()) {
    const auto at = html.find(fmt::format("<section class=\"lesson{}\" id=\"lesson{:02}\">",
                                          l.number == 1 || l.number == 2 || l.number == 5 ? "" : " missing", l.number));
    INFO(l.binary);
    REQUIRE(at != std::string::npos);
    CHECK(at > last);
    last = at;
    CHECK(section(html, l.number).find(std::string(l.title)) != std::string::npos);
  }
  CHECK(html.find(gl::kCourseMarker) != std::string::npos);
  CHECK(html.find("3 of 8 lessons have results; 2 did not run this time") != std::string::npos);
}

TEST_CASE("a lesson with results shows its summary, headline numbers, verdicts with rules and links", "[course]") {
  Course c;
  const std::string html = gl::course_page_html(c.out, c.repo, c.runs);
  const std::string s5 = section(html, 5);
  CHECK(s5.find("Why deep sigmoid nets stop learning") != std::string::npos);
  CHECK(s5.find("test accuracy, relu</dt><dd>96.8%") != std::string::npos);
  CHECK(s5.find("gradient ratio, sigmoid</dt><dd>31.23<") != std::string::npos);
  // In the lesson's order, not alphabetical.
  CHECK(s5.find("test accuracy, relu") < s5.find("gradient ratio, sigmoid"));
  CHECK(s5.find("href=\"lesson05_vanishing_gradients/index.html\"") != std::string::npos);
  CHECK(s5.find("href=\"../docs/lessons/05-vanishing-gradients.md\"") != std::string::npos);
  CHECK(s5.find("ran in 95 s") != std::string::npos);
  for (const char* text : {"claim d", "ratio 31.2", "rule of d", "gap 0.3 points", "the post used 2500"})
    CHECK(s5.find(text) != std::string::npos);
  for (const char* verdict :
       {"verdict-holds", "verdict-inconclusive", "verdict-mixed", "verdict-not_tested", "verdict-fails"})
    CHECK(s5.find(verdict) != std::string::npos);
  CHECK(s5.find("5 claims") != std::string::npos);
  CHECK(s5.find("<script>") == std::string::npos);  // lesson text is escaped, never run
  CHECK(s5.find("&lt;script&gt;") != std::string::npos);
  // Without "headline", the summary's top-level numbers stand in; "&" is escaped.
  const std::string s1 = section(html, 1);
  CHECK(s1.find("nodes</dt><dd>11<") != std::string::npos);
  CHECK(s1.find("Build a graph &amp; see it") != std::string::npos);
  CHECK(s1.find("2 holds") != std::string::npos);
}

TEST_CASE("failed, unbuilt, unreadable and foreign lessons are shown as such", "[course]") {
  Course c;
  const std::string html = gl::course_page_html(c.out, c.repo, c.runs);
  const std::string s2 = section(html, 2);
  CHECK(s2.find("this run failed (exit code 3)") != std::string::npos);
  CHECK(s2.find("results below are from an earlier run") != std::string::npos);
  CHECK(s2.find("claim c") != std::string::npos);
  // A headline given as a list keeps the lesson's order.
  CHECK(s2.find("steps shown</dt><dd>12<") != std::string::npos);
  CHECK(s2.find("steps shown") < s2.find("largest |dx|"));
  CHECK(s2.find("02-backward.md is not written yet") != std::string::npos);
  const std::string s3 = section(html, 3);
  CHECK(s3.find("cannot be read") != std::string::npos);
  CHECK(s3.find("no page yet") != std::string::npos);
  CHECK(s3.find("href=\"lesson03") == std::string::npos);  // no link to a page that is not there
  CHECK(section(html, 4).find("is for lesson &quot;05_vanishing_gradients&quot;") != std::string::npos);
  CHECK(section(html, 6).find("not built") != std::string::npos);
  CHECK(section(html, 7).find("the lesson ran but wrote no summary.json") != std::string::npos);
  CHECK(section(html, 8).find("no summary.json") != std::string::npos);
  CHECK(section(html, 8).find("not run") != std::string::npos);
}

TEST_CASE("the course page replaces only its own earlier page, atomically", "[course]") {
  Course c;
  gl::write_course_page(c.out, "<html>" + std::string(gl::kCourseMarker) + "first</html>");
  gl::write_course_page(c.out, "<html>" + std::string(gl::kCourseMarker) + "second</html>");
  CHECK(slurp(c.out / "index.html").find("second") != std::string::npos);
  for (const auto& entry : fs::directory_iterator(c.out))
    CHECK(entry.path().filename().string().find(".tmp-") == std::string::npos);  // no temp file left
  write(c.out / "index.html", "my own notes");
  CHECK_THROWS_WITH(gl::write_course_page(c.out, "<html></html>"),
                    Catch::Contains((c.out / "index.html").string()) && Catch::Contains("not a course page"));
  CHECK(slurp(c.out / "index.html") == "my own notes");
}

TEST_CASE("run-course's status file is read, and a bad line is named", "[course]") {
  TempDir dir;
  write(dir.path / "status",
        "lesson01_computation_graph ran 0 4\nlesson05_vanishing_gradients failed 1 7\n"
        "lesson06_initialisation not_built 0 0\n");
  const auto runs = gl::read_run_status(dir.path / "status");
  REQUIRE(runs.size() == 3);
  CHECK(runs.at("lesson05_vanishing_gradients").state == gl::LessonRun::State::failed);
  CHECK(runs.at("lesson05_vanishing_gradients").exit_code == 1);
  CHECK(runs.at("lesson01_computation_graph").seconds == 4);
  write(dir.path / "bad", "lesson01_computation_graph ran 0 4\nlesson05 exploded\n");
  CHECK_THROWS_WITH(gl::read_run_status(dir.path / "bad"), Catch::Contains("bad:2"));
}

TEST_CASE("course_index writes out/index.html, lists the course, and refuses bad input", "[course]") {
  using gradflow::testing::run_program;
  Course c;
  const auto listed = run_program("course_index", "--list");
  CHECK(listed.exit_code == 0);
  std::string expected;
  for (const gl::CourseLesson& l : gl::course()) expected += std::string(l.binary) + "\n";
  CHECK(listed.out == expected);

  const auto made = run_program("course_index", fmt::format("--out '{}' --repo '{}'", c.out.string(), c.repo.string()));
  CHECK(made.exit_code == 0);
  CHECK(slurp(c.out / "index.html").find("Why deep sigmoid nets stop learning") != std::string::npos);

  const auto unknown = run_program("course_index", "--colour");
  CHECK(unknown.exit_code == 2);
  CHECK(unknown.err.find("--colour") != std::string::npos);
  const auto no_status =
      run_program("course_index", fmt::format("--out '{}' --status '{}/nope'", c.out.string(), c.out.string()));
  CHECK(no_status.exit_code == 1);
  CHECK(no_status.err.find("nope") != std::string::npos);
}
