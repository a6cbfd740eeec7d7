#include "lessons/course/course_page.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>
#include <string_view>
#include <system_error>
#include <vector>

#include "lessons/runtime/course.hpp"
#include "lessons/runtime/html_page.hpp"
#include "lessons/runtime/report.hpp"

namespace gradflow::lessons {

namespace fs = std::filesystem;
// ordered_json keeps a summary's keys in the order the lesson wrote them (its headline order).
using json = nlohmann::ordered_json;

namespace {

std::string e(std::string_view s) { return html_escape(s); }

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string string_or(const json& j, const char* key, std::string fallback = {}) {
  if (j.is_object() && j.contains(key) && j[key].is_string()) return j[key].get<std::string>();
  return fallback;
}

// A JSON value as a short text: strings as they are, numbers with 4 significant digits.
std::string shown(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number_integer()) return v.dump();
  if (v.is_number_float()) return fmt::format("{:.4g}", v.get<double>());
  if (v.is_boolean()) return v.get<bool>() ? "yes" : "no";
  return v.dump();
}

std::optional<Verdict> parse_verdict(const std::string& s) {
  for (Verdict v : {Verdict::holds, Verdict::fails, Verdict::mixed, Verdict::inconclusive, Verdict::not_tested})
    if (to_string(v) == s) return v;
  return std::nullopt;
}

// "2026-11-29 20:14 UTC", the time a file was last written.
std::string written_at(const fs::path& p) {
  std::error_code ec;
  const auto t = fs::last_write_time(p, ec);
  if (ec) return "an unknown time";
  const auto sys = std::chrono::file_clock::to_sys(t);
  const std::time_t tt = std::chrono::system_clock::to_time_t(std::chrono::time_point_cast<std::chrono::seconds>(sys));
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M UTC", &tm);
  return buf;
}

struct Loaded {
  std::optional<json> summary;  // parsed summary.json
  std::string problem;          // why there is none, or what is wrong with it
};

Loaded load_summary(const fs::path& file, std::string_view expected_id) {
  if (!fs::exists(file)) return {std::nullopt, "no summary.json"};
  try {
    json j = json::parse(slurp(file));
    if (!j.is_object()) return {std::nullopt, fmt::format("{} is not a JSON object", file.string())};
    const std::string id = string_or(j, "lesson");
    if (id != expected_id)
      return {std::nullopt, fmt::format("{} is for lesson \"{}\", not \"{}\"", file.string(), id, expected_id)};
    return {std::move(j), {}};
  } catch (const json::exception& ex) {
    return {std::nullopt, fmt::format("{} cannot be read: {}", file.string(), ex.what())};
  }
}

struct Tally {
  std::map<std::string, int> by_verdict;
  int total = 0;
};

Tally tally(const json& summary) {
  Tally t;
  if (summary.contains("claims") && summary["claims"].is_array())
    for (const json& c : summary["claims"]) {
      ++t.total;
      ++t.by_verdict[string_or(c, "verdict", "unknown")];
    }
  return t;
}

std::string verdict_counts_html(const Tally& t) {
  if (t.total == 0) return "no claims";
  std::string h;
  for (const char* v : {"holds", "fails", "mixed", "inconclusive", "not_tested", "unknown"}) {
    const auto it = t.by_verdict.find(v);
    if (it == t.by_verdict.end()) continue;
    h += fmt::format("<span class=\"pill verdict-{}\">{} {}</span> ", v, it->second,
                     std::string_view(v) == "not_tested" ? "not tested" : v);
  }
  return h;
}

std::string claims_html(const json& summary) {
  if (!summary.contains("claims") || !summary["claims"].is_array() || summary["claims"].empty())
    return "<p class=\"muted\">This lesson makes no claims to check.</p>\n";
  std::string h;
  for (const json& c : summary["claims"]) {
    Claim claim;
    claim.id = string_or(c, "id");
    claim.statement = string_or(c, "statement", string_or(c, "claim", "(no statement)"));
    claim.measured = string_or(c, "measured");
    claim.rule = string_or(c, "rule", "(the lesson did not record its rule)");
    claim.settings_note = string_or(c, "settings_note");
    const std::string verdict = string_or(c, "verdict");
    if (const auto v = parse_verdict(verdict)) {
      claim.verdict = *v;
    } else {
      claim.verdict = Verdict::not_tested;
      claim.settings_note += fmt::format("{}summary.json gives the unknown verdict \"{}\"",
                                         claim.settings_note.empty() ? "" : "; ", verdict);
    }
    h += claim_html(claim);
  }
  return h;
}

std::string headline_html(const json& summary) {
  std::vector<std::pair<std::string, std::string>> rows;
  if (summary.contains("headline") && summary["headline"].is_array()) {
    for (const json& item : summary["headline"])
      if (item.is_object() && item.contains("label") && item.contains("value"))
        rows.emplace_back(shown(item["label"]), shown(item["value"]));
  } else if (summary.contains("headline") && summary["headline"].is_object()) {
    for (const auto& [k, v] : summary["headline"].items()) rows.emplace_back(k, shown(v));
  } else {  // no headline chosen by the lesson: its top-level numbers, if any
    for (const auto& [k, v] : summary.items()) {
      if (v.is_number()) rows.emplace_back(k, shown(v));
      if (rows.size() == 6) break;
    }
  }
  if (rows.empty()) return {};
  std::string h = "<dl class=\"headline\">";
  for (const auto& [k, v] : rows) h += fmt::format("<div><dt>{}</dt><dd>{}</dd></div>", e(k), e(v));
  return h + "</dl>\n";
}

std::string run_line(const LessonRun& run, const Loaded& loaded, const fs::path& summary_file) {
  switch (run.state) {
    case LessonRun::State::ran: return fmt::format("<span class=\"status ok\">ran in {:.0f} s</span>", run.seconds);
    case LessonRun::State::failed:
      return fmt::format("<span class=\"status bad\">this run failed (exit code {})</span>{}", run.exit_code,
                         loaded.summary ? fmt::format(" — the results below are from an earlier run, written {}",
                                                      written_at(summary_file))
                                        : "");
    case LessonRun::State::not_built:
      return "<span class=\"status bad\">not built: the program is not in build/bin</span>";
    case LessonRun::State::not_run:
      return loaded.summary ? fmt::format("<span class=\"status\">not run by this command — results written {}</span>",
                                          written_at(summary_file))
                            : "<span class=\"status\">not run</span>";
  }
  return {};
}

constexpr std::string_view kCss = R"(<style>
.lessons-table td:first-child { white-space: nowrap; }
.lesson { border: 1px solid #d0d7de; border-radius: 8px; padding: .6rem 1rem; margin: 1rem 0; }
.lesson h2 { margin: .2rem 0 .3rem; font-size: 1.25rem; }
.lesson .links { font-size: .95rem; margin: .2rem 0 0; }
.lesson .runinfo { font-size: .9rem; margin: 0 0 .5rem; }
.lesson.missing { background: #f6f8fa; }
.muted { color: #57606a; }
.status { font-size: .9rem; color: #57606a; }
.status.ok { color: #1a7f37; }
.status.bad { color: #cf222e; font-weight: 600; }
.pill { display: inline-block; padding: 0 .5em; border-radius: 1em; font-size: .85rem; background: #eaeef2; margin: 1px 0; }
.pill.verdict-holds { background: #dafbe1; } .pill.verdict-fails { background: #ffebe9; }
.pill.verdict-mixed { background: #fff8c5; } .pill.verdict-inconclusive { background: #ddf4ff; }
dl.headline { display: flex; flex-wrap: wrap; gap: .4rem 1.5rem; margin: .4rem 0; }
dl.headline div { min-width: 10rem; } dl.headline dt { font-size: .8rem; color: #57606a; }
dl.headline dd { margin: 0; font-weight: 600; font-variant-numeric: tabular-nums; }
details.claims > summary { cursor: pointer; margin: .3rem 0; }
</style>
)";

}  // namespace

std::map<std::string, LessonRun> read_run_status(const fs::path& file) {
  std::ifstream in(file);
  if (!in) throw std::runtime_error(fmt::format("cannot read the run status file {}", file.string()));
  std::map<std::string, LessonRun> runs;
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (line.empty()) continue;
    std::istringstream fields(line);
    std::string binary, state;
    LessonRun run;
    if (!(fields >> binary >> state >> run.exit_code >> run.seconds))
      throw std::runtime_error(fmt::format("{}:{}: expected <binary> <state> <exit code> <seconds>, got \"{}\"",
                                           file.string(), number, line));
    if (state == "ran")
      run.state = LessonRun::State::ran;
    else if (state == "failed")
      run.state = LessonRun::State::failed;
    else if (state == "not_built")
      run.state = LessonRun::State::not_built;
    else
      throw std::runtime_error(
          fmt::format("{}:{}: unknown state \"{}\" (ran, failed or not_built)", file.string(), number, state));
    runs[binary] = run;
  }
  return runs;
}

std::string course_page_html(const fs::path& out_root, const fs::path& repo_root,
                             const std::map<std::string, LessonRun>& runs) {
  HtmlPage page("gradflow: the course");
  page.add_raw(kCourseMarker);
  page.add_raw(kCss);

  struct Row {
    CourseLesson lesson;
    LessonRun run;
    Loaded loaded;
  };
  std::vector<Row> rows;
  int with_results = 0, failed = 0;
  for (const CourseLesson& l : course()) {
    const auto it = runs.find(std::string(l.binary));
    Row r{l, it == runs.end() ? LessonRun{} : it->second, load_summary(out_root / l.binary / "summary.json", l.id)};
    if (r.loaded.summary) ++with_results;
    if (r.run.state == LessonRun::State::failed || r.run.state == LessonRun::State::not_built) ++failed;
    rows.push_back(std::move(r));
  }

  page.add_paragraph(fmt::format(
      "The lessons in order. Each one is a program you can run on its own (<code>build/bin/lessonNN_…</code>), "
      "writes its page into <code>out/lessonNN_…/</code> and checks the claims it is about against the numbers "
      "of its own run; the verdicts below are those runs' verdicts, each with the rule that decided it. "
      "{} of {} lessons have results{}. Rebuild this page and rerun every lesson with "
      "<code>scripts/run-course.sh</code>.",
      with_results, rows.size(), failed ? fmt::format("; {} did not run this time (see below)", failed) : ""));

  // The overview: one line per lesson.
  std::string table =
      "<div class=\"table-wrap\"><table class=\"lessons-table\"><tr><th>#</th><th>lesson</th>"
      "<th>claims</th><th>status</th></tr>\n";
  for (const Row& r : rows) {
    const fs::path summary_file = out_root / r.lesson.binary / "summary.json";
    const std::string name = fmt::format("<a href=\"#lesson{:02}\">{}</a>", r.lesson.number, e(r.lesson.title));
    table += fmt::format("<tr><td>{:02}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n", r.lesson.number, name,
                         r.loaded.summary ? verdict_counts_html(tally(*r.loaded.summary)) : "—",
                         run_line(r.run, r.loaded, summary_file));
  }
  page.add_raw(table + "</table></div>\n");

  for (const Row& r : rows) {
    const fs::path dir = out_root / r.lesson.binary;
    const fs::path summary_file = dir / "summary.json";
    const bool page_exists = fs::exists(dir / "index.html");
    const fs::path doc = repo_root / r.lesson.doc_page;
    std::error_code ec;
    fs::path doc_link = fs::relative(doc, out_root, ec);
    if (ec || doc_link.empty()) doc_link = fs::absolute(doc);

    std::string h = fmt::format("<section class=\"lesson{}\" id=\"lesson{:02}\">", r.loaded.summary ? "" : " missing",
                                r.lesson.number);
    const std::string title = fmt::format("{:02} · {}", r.lesson.number, r.lesson.title);
    h += page_exists ? fmt::format("<h2><a href=\"{}/index.html\">{}</a></h2>", e(r.lesson.binary), e(title))
                     : fmt::format("<h2>{}</h2>", e(title));
    if (r.loaded.summary) {
      const std::string summary_line = string_or(*r.loaded.summary, "summary");
      if (!summary_line.empty()) h += fmt::format("<p class=\"summary\">{}</p>", e(summary_line));
    }
    h += "<div class=\"links\">";
    h += page_exists ? fmt::format("<a href=\"{}/index.html\">the lesson's page</a>", e(r.lesson.binary))
                     : "<span class=\"muted\">no page yet</span>";
    h += fs::exists(doc) ? fmt::format(" · <a href=\"{}\">the lesson's text ({})</a>", e(doc_link.generic_string()),
                                       e(r.lesson.doc_page))
                         : fmt::format(" · <span class=\"muted\">{} is not written yet</span>", e(r.lesson.doc_page));
    h += fmt::format("</div>\n<div class=\"runinfo\">{} · <code>build/bin/{}</code></div>\n",
                     run_line(r.run, r.loaded, summary_file), e(r.lesson.binary));
    if (r.loaded.summary) {
      h += headline_html(*r.loaded.summary);
      const Tally t = tally(*r.loaded.summary);
      if (t.total > 0) {
        h += fmt::format("<details class=\"claims\" open><summary>{} claim{}: {}</summary>\n", t.total,
                         t.total == 1 ? "" : "s", verdict_counts_html(t));
        h += claims_html(*r.loaded.summary) + "</details>\n";
      } else {
        h += claims_html(*r.loaded.summary);
      }
    } else {
      std::string why = r.loaded.problem;
      if (r.run.state == LessonRun::State::ran && !fs::exists(summary_file))
        why = "the lesson ran but wrote no summary.json";
      if (r.run.state == LessonRun::State::failed)
        why += fmt::format("; run build/bin/{} to see its error message", r.lesson.binary);
      h += fmt::format("<p class=\"muted\">No results to show: {}.</p>\n", e(why));
    }
    page.add_raw(h + "</section>\n");
  }
  return page.str();
}

void write_course_page(const fs::path& out_root, const std::string& html) {
  std::error_code ec;
  fs::create_directories(out_root, ec);
  if (ec) throw std::runtime_error(fmt::format("cannot create {}: {}", out_root.string(), ec.message()));
  const fs::path target = out_root / "index.html";
  if (fs::exists(target) && slurp(target).find(kCourseMarker) == std::string::npos)
    throw std::runtime_error(fmt::format(
        "{} exists and is not a course page gradflow wrote; it is left as it is. Move it away to write the course "
        "page there.",
        target.string()));
  const fs::path temp = out_root / fmt::format(".index.html.partial-{}", ::getpid());
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    out << html;
    out.flush();
    if (!out) {
      fs::remove(temp, ec);
      throw std::runtime_error(fmt::format("cannot write {}", temp.string()));
    }
  }
  fs::rename(temp, target, ec);  // atomic: a reader sees the old page or the new one, whole
  if (ec) {
    fs::remove(temp);
    throw std::runtime_error(fmt::format("cannot rename {} to {}: {}", temp.string(), target.string(), ec.message()));
  }
}

}  // namespace gradflow::lessons
