#include "lessons/runtime/report.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <exception>
#include <fstream>
#include <future>
#include <regex>
#include <sstream>

#include "autodiff/viz/render.hpp"
#include "lessons/runtime/course.hpp"
#include "lessons/runtime/html_page.hpp"
#include "lessons/runtime/output_dir.hpp"
#include "lessons/runtime/parallel.hpp"
#include "lessons/runtime/text_table.hpp"

namespace gradflow::lessons {

std::string_view to_string(Verdict v) {
  switch (v) {
    case Verdict::holds: return "holds";
    case Verdict::fails: return "fails";
    case Verdict::mixed: return "mixed";
    case Verdict::inconclusive: return "inconclusive";
    case Verdict::not_tested: return "not_tested";
  }
  return "not_tested";
}

std::string json_text(const nlohmann::json& j, int indent) {
  return j.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

namespace {

std::string e(std::string_view text) { return html_escape(text); }

std::string verdict_text(const Claim& c) {
  std::string v(to_string(c.verdict));
  if (!c.settings_note.empty()) v += " (at other settings than the claim's)";
  return v;
}

std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Graphviz's SVG without its XML prolog, scaled to the page: the fixed width/height in points
// become a max-width, the viewBox keeps the proportions.
std::string inline_svg(const std::string& svg) {
  const auto start = svg.find("<svg");
  if (start == std::string::npos) return {};
  std::string out = svg.substr(start);
  static const std::regex size(R"re(<svg width="([0-9.]+)pt" height="([0-9.]+)pt")re");
  std::smatch m;
  if (std::regex_search(out, m, size)) {
    const double width_px = std::stod(m[1].str()) * 4.0 / 3.0;
    out.replace(static_cast<std::size_t>(m.position(0)), static_cast<std::size_t>(m.length(0)),
                fmt::format(R"(<svg style="width:100%;max-width:{:.0f}px;height:auto")", width_px));
  }
  return out;
}

}  // namespace

std::string claim_html(const Claim& c) {
  std::string h = fmt::format("<div class=\"claim verdict-{}\">", to_string(c.verdict));
  h += fmt::format("<div class=\"claim-head\"><span class=\"badge\">{}</span> {}</div>", e(verdict_text(c)),
                   e(c.statement));
  h += fmt::format("<div><b>Measured:</b> {}</div>", e(c.measured.empty() ? "-" : c.measured));
  h += fmt::format("<div class=\"rule\"><b>Rule:</b> {}</div>", e(c.rule));
  if (!c.settings_note.empty()) h += fmt::format("<div class=\"note\"><b>Settings:</b> {}</div>", e(c.settings_note));
  return h + "</div>\n";
}

Report::Report(LessonInfo info, const CommonOptions& common)
    : info_(std::move(info)),
      out_(std::make_unique<OutputDir>(common.out)),
      png_(!common.no_png),
      clock_(common.verbose) {
  summary_["lesson"] = info_.id;
  summary_["title"] = info_.title;  // the course page shows these two
  summary_["summary"] = info_.summary;
  summary_["settings"] = nlohmann::json::object();
  summary_["claims"] = nlohmann::json::array();
  fmt::print("{}\n{}\n", info_.title, info_.summary);
  std::fflush(stdout);
}

Report::~Report() = default;

void Report::page(std::string html) { body_ += std::move(html); }

double Report::shortest_double(float value) { return std::stod(fmt::format("{}", value)); }

void Report::setting(std::string_view key, nlohmann::json value, bool differs_from_default) {
  std::string text;
  if (value.is_string()) {
    text = value.get<std::string>();
  } else if (value.is_array() && std::all_of(value.begin(), value.end(), [](const auto& v) { return v.is_string(); })) {
    for (const auto& v : value) text += (text.empty() ? "" : ", ") + v.get<std::string>();
  } else {
    text = json_text(value, -1);
  }
  std::string shown = text;
  while (!shown.empty() && shown.back() == '\n') shown.pop_back();
  summary_["settings"][std::string(key)] = std::move(value);
  setting_rows_.push_back({std::string(key), shown, differs_from_default ? "changed by a flag" : ""});
  fmt::print("  {}: {}{}\n", key, shown, differs_from_default ? "  (changed by a flag)" : "");
}

void Report::section(std::string_view title) {
  fmt::print("\n== {} ==\n", title);
  page(fmt::format("<h2>{}</h2>\n", e(title)));
}

void Report::subsection(std::string_view title) {
  fmt::print("\n-- {} --\n", title);
  page(fmt::format("<h3>{}</h3>\n", e(title)));
}

void Report::text(std::string_view paragraph) {
  fmt::print("{}\n", paragraph);
  page(fmt::format("<p>{}</p>\n", e(paragraph)));
}

void Report::console(std::string_view text) {
  fmt::print("{}", text);
  std::fflush(stdout);
}

void Report::html(std::string_view trusted_html, std::string_view console_text) {
  if (!console_text.empty()) fmt::print("{}\n", console_text);
  page(std::string(trusted_html) + "\n");
}

void Report::table(const Table& t) {
  if (!t.caption.empty()) fmt::print("{}\n", t.caption);
  fmt::print("{}", format_table(t.headers, t.rows));
  std::string h;
  if (!t.caption.empty()) h += fmt::format("<p class=\"table-caption\">{}</p>\n", e(t.caption));
  h += fmt::format("<div class=\"table-wrap\"><table{}>\n<thead><tr>", t.prose ? " class=\"prose\"" : "");
  for (const auto& c : t.headers) h += fmt::format("<th>{}</th>", e(c));
  h += "</tr></thead>\n<tbody>\n";
  for (const auto& row : t.rows) {
    h += "<tr>";
    for (const auto& cell : row) {
      const char* cls = cell == "PASS"        ? " class=\"pass\""
                        : cell == "FAIL"      ? " class=\"fail\""
                        : looks_numeric(cell) ? " class=\"num\""
                                              : "";
      h += fmt::format("<td{}>{}</td>", cls, e(cell));
    }
    h += "</tr>\n";
  }
  page(h + "</tbody></table></div>\n");
}

void Report::figure(const figures::Figure& f, bool folded) {
  // Drawn in the background by a few gnuplot processes (figures::Plotter); finish() waits.
  if (!plotter_) {
    // As many gnuplots as cores, at most 4, so a lesson with many figures does not flood a small machine.
    const auto cores = static_cast<std::size_t>(usable_cores());
    plotter_ = std::make_unique<figures::Plotter>(out_->staging_path(), std::min<std::size_t>(4, cores));
  }
  figures::Figure drawn = f;
  drawn.png = f.png && png_;
  plotter_->draw(drawn);
  fmt::print("[figure {}.svg: {}]\n", f.name, f.title);
  if (folded) page(fmt::format("<details class=\"figure\"><summary>{}</summary>\n", e(f.title)));
  page(fmt::format(
      "<figure><a href=\"{0}.svg\"><img src=\"{0}.svg\" alt=\"{1}\" loading=\"lazy\"></a>"
      "<figcaption><b>{1}.</b> {2} <span class=\"files\">[<a href=\"{0}.svg\">SVG</a> · {3}"
      "<a href=\"{0}.gp\">{0}.gp</a> · <a href=\"{0}.dat\">{0}.dat</a>]</span></figcaption></figure>\n",
      e(f.name), e(f.title), e(f.caption), drawn.png ? fmt::format("<a href=\"{}.png\">PNG</a> · ", e(f.name)) : ""));
  if (folded) page("</details>\n");
  files_.emplace_back(f.name + (drawn.png ? ".gp / .dat / .svg / .png" : ".gp / .dat / .svg"),
                      "figure \"" + f.title + "\": its gnuplot script, its numbers and the pictures (gnuplot " +
                          f.name + ".gp redraws it here)");
}

void Report::diagram(std::string_view name, const std::string& dot, std::string_view caption, bool folded) {
  diagram(start_diagram(name, dot), caption, folded);
}

Report::DiagramHandle Report::start_diagram(std::string_view name, const std::string& dot) {
  const std::string stem(name);
  // Drawn on a worker thread while the lesson goes on (the PNG of a computation graph takes
  // 0.2 s of layout and compression); the page gets a placeholder that finish() replaces with the
  // inlined SVG. libgvc itself is serialised by autodiff::viz's lock.
  const std::string token = fmt::format("\x01gradflow-diagram-{}\x01", diagrams_.size());
  diagrams_.push_back({token, std::async(std::launch::async, [dot, path = out_->path(stem), png = png_] {
                         std::filesystem::path svg = path;
                         svg += ".svg";
                         if (png) {
                           autodiff::viz::write_dot_svg_png(dot, path);
                         } else {  // --no-png: the .dot and the SVG the page inlines
                           std::filesystem::path dot_file = path;
                           dot_file += ".dot";
                           std::ofstream out(dot_file, std::ios::binary | std::ios::trunc);
                           out << dot;
                           out.close();
                           if (!out) throw std::runtime_error(fmt::format("cannot write {}", dot_file.string()));
                           autodiff::viz::render(dot, svg, autodiff::viz::Format::svg);
                         }
                         return inline_svg(read_file(svg));
                       })});
  return {diagrams_.size() - 1, stem};
}

void Report::diagram(const DiagramHandle& handle, std::string_view caption, bool folded) {
  if (handle.index >= diagrams_.size()) throw std::logic_error("Report::diagram: a handle from another report");
  const std::string& stem = handle.name;
  const std::string& token = diagrams_[handle.index].token;
  fmt::print("[diagram {}.svg: {}]\n", stem, caption);
  const std::string links = fmt::format(
      "<span class=\"files\">[<a href=\"{0}.svg\">open full size</a> · {1}<a href=\"{0}.dot\">{0}.dot</a>]</span>",
      e(stem), png_ ? fmt::format("<a href=\"{}.png\">PNG</a> · ", e(stem)) : "");
  if (folded) {
    page(fmt::format(
        "<details class=\"diagram\"><summary>{} {} <i>(click to unfold; hover a node for its exact values)</i>"
        "</summary><div class=\"svgwrap\">{}</div></details>\n",
        e(caption), links, token));
  } else {
    page(fmt::format(
        "<figure class=\"diagram\"><div class=\"svgwrap\">{}</div><figcaption>{} {}</figcaption></figure>\n", token,
        e(caption), links));
  }
  files_.emplace_back(stem + (png_ ? ".dot / .svg / .png" : ".dot / .svg"),
                      "diagram: Graphviz's input and the pictures (dot -Tsvg " + stem + ".dot redraws it)");
}

void Report::wait_for_pictures() {
  // Every picture is waited for even when one failed, so nothing still writes into the folder;
  // the first failure is then thrown.
  std::exception_ptr first;
  if (plotter_) {
    try {
      plotter_->finish();
    } catch (...) {
      first = std::current_exception();
    }
    plotter_.reset();
  }
  for (auto& d : diagrams_) {
    try {
      const std::string svg = d.svg.get();
      for (auto at = body_.find(d.token); at != std::string::npos; at = body_.find(d.token, at + svg.size()))
        body_.replace(at, d.token.size(), svg);
    } catch (...) {
      if (!first) first = std::current_exception();
    }
  }
  diagrams_.clear();
  if (first) std::rethrow_exception(first);
  clock_.mark("figures and diagrams finished");
}

void Report::claim(Claim c) {
  fmt::print("  - {}\n    measured: {}\n    rule: {}\n    verdict: {}\n", c.statement,
             c.measured.empty() ? "-" : c.measured, c.rule, verdict_text(c));
  if (!c.settings_note.empty()) fmt::print("    settings: {}\n", c.settings_note);
  page(claim_html(c));
  nlohmann::json j{{"id", c.id},
                   {"statement", c.statement},
                   {"measured", c.measured},
                   {"verdict", std::string(to_string(c.verdict))},
                   {"rule", c.rule}};
  if (!c.settings_note.empty()) j["settings_note"] = c.settings_note;
  summary_["claims"].push_back(std::move(j));
  claims_.push_back(std::move(c));
}

void Report::value(std::string_view key, nlohmann::json v) {
  const std::string k(key);
  if (k == "lesson" || k == "settings" || k == "claims") {
    throw std::logic_error(fmt::format("Report::value: \"{}\" is written by the runtime itself", k));
  }
  summary_[k] = std::move(v);
}

void Report::file(std::string_view name, std::string_view content, std::string_view description) {
  out_->write_text(name, content);
  describe_file(name, description);
}

void Report::describe_file(std::string_view name, std::string_view description) {
  files_.emplace_back(std::string(name), std::string(description));
}

std::filesystem::path Report::path(std::string_view name) { return out_->path(name); }

int Report::finish() {
  if (finished_) throw std::logic_error("Report::finish called twice");
  finished_ = true;
  wait_for_pictures();
  out_->write_text("summary.json", json_text(summary_));

  HtmlPage page(info_.title);
  std::string top = fmt::format("<p class=\"summary\">{}</p>\n", e(info_.summary));
  if (const auto me = find_lesson(info_.id)) {
    const auto all = course();
    const auto index = static_cast<std::size_t>(me->number - 1);
    top += "<nav class=\"course\">";
    if (index > 0) {
      top += fmt::format("<a href=\"../{}/index.html\">&larr; {:02d} {}</a> · ", all[index - 1].binary,
                         all[index - 1].number, e(all[index - 1].title));
    }
    top += "<a href=\"../index.html\">course home</a>";
    if (index + 1 < all.size()) {
      top += fmt::format(" · <a href=\"../{}/index.html\">{:02d} {} &rarr;</a>", all[index + 1].binary,
                         all[index + 1].number, e(all[index + 1].title));
    }
    top += fmt::format(" · <a href=\"../../{0}\">the lesson's text ({0})</a></nav>\n", me->doc_page);
  }
  if (!setting_rows_.empty()) {
    std::size_t changed = 0;
    for (const auto& row : setting_rows_) changed += row[2].empty() ? 0 : 1;
    top += fmt::format(
        "<details class=\"settings\"><summary>Settings of this run ({} setting{}; {})</summary>"
        "<div class=\"table-wrap\"><table><thead><tr><th>setting</th><th>value</th>{}</tr></thead><tbody>\n",
        setting_rows_.size(), setting_rows_.size() == 1 ? "" : "s",
        changed == 0 ? std::string("all at the lesson's defaults") : fmt::format("{} changed by flags", changed),
        changed ? "<th></th>" : "");
    for (const auto& row : setting_rows_) {
      top += fmt::format("<tr{}><td>{}</td><td>{}</td>{}</tr>\n", row[2].empty() ? "" : " class=\"changed\"", e(row[0]),
                         e(row[1]), changed ? fmt::format("<td>{}</td>", e(row[2])) : "");
    }
    top += "</tbody></table></div></details>\n";
  }
  page.add_raw(top);
  page.add_raw(body_);
  std::string files =
      "<h2>Files in this folder</h2>\n<details><summary>What each file holds (every figure can be redrawn from "
      "its .gp and .dat, every diagram from its .dot)</summary><ul>\n";
  files += "<li><code>index.html</code>: this page.</li>\n";
  files +=
      "<li><code>summary.json</code>: the settings, the claims with their verdicts and rules, and the "
      "lesson's numbers.</li>\n";
  for (const auto& [name, what] : files_) files += fmt::format("<li><code>{}</code>: {}</li>\n", e(name), e(what));
  page.add_raw(files + "</ul></details>\n");
  out_->write_text("index.html", page.str());
  out_->commit();
  fmt::print("\nwrote {}\n", (out_->final_path() / "index.html").string());
  std::fflush(stdout);
  clock_.mark("page written and committed");
  return 0;
}

}  // namespace gradflow::lessons
