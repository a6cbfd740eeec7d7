#pragma once
// The lesson runtime's one entry point for everything a lesson shows: the console, index.html
// and summary.json are written together, each from ONE call, so the lesson's story is told
// once and the three can never disagree.
//
//   Report report({"05_vanishing_gradients", "Vanishing gradients", "one line"}, common);
//   report.setting("iterations", 2500);                 // summary.json "settings", the page's table
//   report.section("1. Train");                         // console heading + <h2>
//   report.text("Each run trains ...");                 // console + <p>, escaped
//   report.table({{"scenario", "accuracy"}, rows});     // console table + HTML table
//   report.figure(figure_spec);                         // gnuplot -> NAME.svg/.png, .gp/.dat kept
//   report.diagram("graph", dot, "caption");            // Graphviz -> inline SVG with tooltips
//   report.claim({...});                                // console + page (with its rule) + JSON
//   report.value("scenarios", json);                    // summary.json's own keys
//   return report.finish();                             // writes index.html + summary.json, commits
//
// Everything goes into a staged output folder (OutputDir) that finish() puts in place as a
// whole; if the lesson throws before that, the previous result stays untouched.

#include <concepts>
#include <filesystem>
#include <future>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "lessons/runtime/common.hpp"
#include "lessons/runtime/figures.hpp"
#include "lessons/runtime/phase_clock.hpp"

namespace gradflow::lessons {

class OutputDir;

// How a claim fared on this run's numbers.
enum class Verdict {
  holds,         // the rule was met
  fails,         // the rule was clearly not met
  mixed,         // part of the claim holds, part does not (say which in `measured`)
  inconclusive,  // the data cannot decide (e.g. "no difference" from 3 seeds)
  not_tested,    // the run lacks what the claim needs (a scenario, a finite number)
};
std::string_view to_string(Verdict v);

struct Claim {
  std::string id;         // stable key, e.g. "sigmoid_underperforms"
  std::string statement;  // the claim, as its source made it
  std::string measured;   // what this run measured, with the numbers
  std::string rule;       // how the verdict was decided, e.g. "holds if the gap > max(1 point, sd_a + sd_b)"
  Verdict verdict = Verdict::not_tested;
  // Non-empty when this run's settings differ from the ones the claim is about: says how (e.g.
  // "run with --layers 10; the post used 6"). The page and summary.json carry it beside the
  // verdict, so a verdict at other settings is never read as a verdict on the claim itself.
  std::string settings_note;
};

struct LessonInfo {
  std::string id;       // "05_vanishing_gradients" (the course table has it)
  std::string title;    // "Lesson 05: the vanishing gradient problem, measured"
  std::string summary;  // one line, shown under the title
};

struct Table {
  std::vector<std::string> headers;
  std::vector<std::vector<std::string>> rows;
  std::string caption;  // optional, above the table on the page, a line before it on the console
  bool prose = false;   // cells are sentences: let them wrap on the page
};

class Report {
 public:
  Report(LessonInfo info, const CommonOptions& common);
  ~Report();
  Report(const Report&) = delete;
  Report& operator=(const Report&) = delete;

  // A setting of this run, for summary.json's "settings" and the page's settings table.
  // `differs_from_default` marks settings a flag moved away from the lesson's defaults.
  void setting(std::string_view key, nlohmann::json value, bool differs_from_default = false);
  // A float setting (an op's parameter such as alpha) is stored as the double its shortest text
  // names, so summary.json says 0.2 where the float holds 0.20000000298023224. Exactly float:
  // an int must not convert to it (a plain float overload would catch ints and write 200.0).
  template <std::same_as<float> F>
  void setting(std::string_view key, F value, bool differs_from_default = false) {
    setting(key, nlohmann::json(shortest_double(value)), differs_from_default);
  }
  // The double that the float's shortest round-trip text names: 0.2F -> 0.2.
  static double shortest_double(float value);

  void section(std::string_view title);
  void subsection(std::string_view title);
  void text(std::string_view paragraph);
  void table(const Table& t);
  // `folded`: inside a closed <details> (figures a learner opens on demand).
  void figure(const figures::Figure& f, bool folded = false);
  // Renders stem NAME (.dot, .svg, .png) with Graphviz. On the page the SVG is inlined, so
  // hovering a node shows its Graphviz tooltip; `folded` puts it in a closed <details> (for
  // large graphs), with a link to open it full size.
  void diagram(std::string_view name, const std::string& dot, std::string_view caption, bool folded = false);
  // The same in two halves, so that a lesson can start drawing a diagram as soon as its data is
  // known (while later runs still train) and show it where its story needs it:
  //   const auto graph = report.start_diagram("graph_relu", dot);   // drawing starts now
  //   ...
  //   report.diagram(graph, "caption", /*folded=*/true);             // its place on the page
  // A started diagram that is never shown is still written to the folder, but not on the page.
  struct DiagramHandle {
    std::size_t index = 0;
    std::string name;
  };
  DiagramHandle start_diagram(std::string_view name, const std::string& dot);
  void diagram(const DiagramHandle& handle, std::string_view caption, bool folded = false);
  // Trusted HTML for the page, and optionally different plain text for the console.
  void html(std::string_view trusted_html, std::string_view console_text = {});
  // Console only / page only plain text (progress lines, notes that only fit one medium).
  void console(std::string_view text);
  void claim(Claim c);
  void value(std::string_view key, nlohmann::json v);
  // Writes a data file into the output folder and lists it under "Files in this folder".
  void file(std::string_view name, std::string_view content, std::string_view description);
  // Lists a file the lesson wrote itself (through path()).
  void describe_file(std::string_view name, std::string_view description);

  // A file in the staged folder (subfolders are created).
  std::filesystem::path path(std::string_view name);
  [[nodiscard]] const std::vector<Claim>& claims() const { return claims_; }
  [[nodiscard]] const nlohmann::json& summary() const { return summary_; }

  // With --verbose: a timestamp line on stderr for a phase that just ended (figures, diagrams
  // and the page mark themselves).
  void phase(std::string_view finished) { clock_.mark(finished); }

  // Writes summary.json and index.html and puts the folder in place. Returns 0 (exit code).
  int finish();

 private:
  void page(std::string html);
  LessonInfo info_;
  std::unique_ptr<OutputDir> out_;
  nlohmann::json summary_;
  std::vector<Claim> claims_;
  std::vector<std::pair<std::string, std::string>> files_;
  std::vector<std::vector<std::string>> setting_rows_;
  std::unique_ptr<figures::Plotter> plotter_;  // gnuplots still drawing figures; finish() waits
  std::string body_;
  bool finished_ = false;
  bool png_ = true;  // PNG copies beside the SVGs (off with --no-png)
  PhaseClock clock_;
  // Pictures still being drawn; finish() waits for them. Declared last so that, when a lesson
  // throws, they are waited for before the staged folder is removed.
  void wait_for_pictures();
  struct PendingDiagram {
    std::string token;             // the page's placeholder for the inlined SVG
    std::future<std::string> svg;  // the inlined SVG, or the rendering error
  };
  std::vector<PendingDiagram> diagrams_;
};

// JSON text that is always valid UTF-8 (invalid bytes, e.g. from a non-UTF-8 path, are
// replaced with U+FFFD rather than making the file unreadable).
std::string json_text(const nlohmann::json& j, int indent = 2);

// The standard claim block as HTML (used by the page and the course page).
std::string claim_html(const Claim& c);

}  // namespace gradflow::lessons
