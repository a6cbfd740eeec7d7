#include "lessons/runtime/html_page.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "lessons/runtime/text_table.hpp"

namespace gradflow::lessons {

namespace {

// A light, readable theme: one column of at most 960px, the system font, tables with zebra
// rows and tabular digits so columns of numbers line up.
constexpr std::string_view kStyle = R"css(
:root { color-scheme: light; --ink: #1f2328; --muted: #59636e; --line: #d1d9e0; --soft: #f6f8fa; --accent: #0969da; }
* { box-sizing: border-box; }
body { margin: 0; background: #fff; color: var(--ink);
       font: 16px/1.6 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 1040px; margin: 0 auto; padding: 2rem 1.25rem 4rem; }
h1 { font-size: 2rem; line-height: 1.25; margin: 0 0 1rem; padding-bottom: .5rem; border-bottom: 1px solid var(--line); }
h2 { font-size: 1.5rem; margin: 2.5rem 0 .75rem; padding-bottom: .3rem; border-bottom: 1px solid var(--line); }
h3 { font-size: 1.2rem; margin: 1.75rem 0 .5rem; }
h4, h5, h6 { font-size: 1rem; margin: 1.25rem 0 .5rem; }
p { margin: .75rem 0; }
a { color: var(--accent); }
code, pre { font-family: ui-monospace, SFMono-Regular, "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: .875em; }
code { background: var(--soft); padding: .1em .35em; border-radius: 4px; }
p code, li code { white-space: nowrap; }  /* keep a short formula on one line */
pre { background: var(--soft); border: 1px solid var(--line); border-radius: 6px; padding: .85rem 1rem;
      overflow-x: auto; line-height: 1.45; }
pre code { background: none; padding: 0; }
.table-wrap { overflow-x: auto; margin: 1rem 0; }
table { border-collapse: collapse; font-size: .8125rem; font-variant-numeric: tabular-nums; }
th, td { border: 1px solid var(--line); padding: .3rem .55rem; text-align: left; vertical-align: top;
         white-space: nowrap; }
th { background: var(--soft); font-weight: 600; }
tbody tr:nth-child(even) { background: #fbfcfd; }
td.num { text-align: right; font-family: ui-monospace, "DejaVu Sans Mono", monospace; white-space: nowrap; }
td.pass { color: #1a7f37; font-weight: 600; } td.fail { color: #cf222e; font-weight: 600; }
/* Figures may be wider than the text column (a wide graph stays legible), centred on the page. */
body { overflow-x: hidden; }
figure { margin: 1.5rem 0; text-align: center; width: min(1400px, 100vw - 2.5rem); position: relative; left: 50%;
         transform: translateX(-50%); }
figure img { max-width: 100%; height: auto; border: 1px solid var(--line); border-radius: 6px; background: #fff; }
figcaption { color: var(--muted); font-size: .9rem; margin-top: .5rem; }
.summary { color: var(--muted); font-size: 1.05rem; margin-top: -.5rem; }
nav.course { font-size: .9rem; margin: .5rem 0 1rem; padding: .4rem .6rem; background: var(--soft); border-radius: 6px; }
details { margin: 1rem 0; } details > summary { cursor: pointer; font-weight: 600; }
tr.changed td { background: #fff8c5; }
table.prose td { white-space: normal; }
.table-caption { margin-bottom: .25rem; font-weight: 600; }
.files { white-space: nowrap; font-size: .85em; }
.claim { border: 1px solid var(--line); border-left: 6px solid #8c959f; border-radius: 6px; padding: .5rem .75rem;
         margin: .75rem 0; font-size: .95rem; }
.claim .claim-head { font-weight: 600; } .claim .rule, .claim .note { color: var(--muted); }
.claim .badge { display: inline-block; padding: 0 .45em; border-radius: 4px; color: #fff; background: #8c959f;
                font-size: .85em; }
.verdict-holds { border-left-color: #1a7f37; } .verdict-holds .badge { background: #1a7f37; }
.verdict-fails { border-left-color: #cf222e; } .verdict-fails .badge { background: #cf222e; }
.verdict-mixed { border-left-color: #9a6700; } .verdict-mixed .badge { background: #9a6700; }
.verdict-inconclusive .badge, .verdict-not_tested .badge { background: #6e7781; }
.svgwrap { overflow-x: auto; text-align: center; }
details.diagram { width: auto; left: auto; transform: none; }
footer { color: var(--muted); font-size: .8rem; margin-top: 3rem; border-top: 1px solid var(--line); padding-top: .75rem; }
)css";

std::string cell_class(std::string_view cell) {
  if (cell == "PASS") return R"( class="pass")";
  if (cell == "FAIL") return R"( class="fail")";
  return looks_numeric(cell) ? R"( class="num")" : "";
}

}  // namespace

std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

HtmlPage::HtmlPage(std::string title) : title_(std::move(title)) {}

void HtmlPage::add_heading(std::string_view text, int level) {
  level = std::clamp(level, 1, 6);
  body_ += fmt::format("<h{0}>{1}</h{0}>\n", level, html_escape(text));
}

void HtmlPage::add_paragraph(std::string_view html) { body_ += fmt::format("<p>{}</p>\n", html); }

void HtmlPage::add_text(std::string_view plain) { body_ += fmt::format("<p>{}</p>\n", html_escape(plain)); }

void HtmlPage::add_figure(std::string_view relative_src, std::string_view caption, std::string_view alt) {
  const std::string src = html_escape(relative_src);
  body_ += fmt::format(R"(<figure><a href="{0}"><img src="{0}" alt="{1}" loading="lazy"></a>)", src,
                       html_escape(alt.empty() ? caption : alt));
  if (!caption.empty()) body_ += fmt::format("<figcaption>{}</figcaption>", html_escape(caption));
  body_ += "</figure>\n";
}

void HtmlPage::add_table(const std::vector<std::string>& headers, const std::vector<std::vector<std::string>>& rows) {
  body_ += "<div class=\"table-wrap\"><table>\n<thead><tr>";
  for (const auto& h : headers) body_ += fmt::format("<th>{}</th>", html_escape(h));
  body_ += "</tr></thead>\n<tbody>\n";
  for (const auto& row : rows) {
    body_ += "<tr>";
    for (const auto& cell : row) body_ += fmt::format("<td{}>{}</td>", cell_class(cell), html_escape(cell));
    body_ += "</tr>\n";
  }
  body_ += "</tbody></table></div>\n";
}

void HtmlPage::add_code(std::string_view text) {
  body_ += fmt::format("<pre><code>{}</code></pre>\n", html_escape(text));
}

void HtmlPage::add_raw(std::string_view html) {
  body_ += html;
  body_ += '\n';
}

std::string HtmlPage::str() const {
  return fmt::format(
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{0}</title>\n"
      "<style>{1}</style>\n</head>\n<body>\n<main>\n<h1>{0}</h1>\n{2}"
      "<footer>Written by a gradflow lesson program. Every picture on this page is a file in this folder.</footer>\n"
      "</main>\n</body>\n</html>\n",
      html_escape(title_), kStyle, body_);
}

}  // namespace gradflow::lessons
