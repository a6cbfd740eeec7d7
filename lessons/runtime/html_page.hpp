#pragma once
// index.html for a lesson's output folder: one self-contained page (inline CSS, no scripts,
// no network) that shows the narrative, the printed tables, the diagrams and the figures.
//
//   HtmlPage page("Lesson 01: the computation graph");
//   page.add_paragraph("Each box is a <b>parameter</b> ...");     // trusted HTML
//   page.add_text(some_string);                                   // escaped
//   page.add_figure("graph.svg", "The two-layer network", "computation graph");
//   page.add_table({"node", "shape"}, {{"layer1/kernel", "[3 x 4]"}});
//   out.write_text("index.html", page.str());

#include <string>
#include <string_view>
#include <vector>

namespace gradflow::lessons {

// Replaces & < > " ' with their entities, so any text can go inside HTML (and attributes).
std::string html_escape(std::string_view text);

class HtmlPage {
 public:
  explicit HtmlPage(std::string title);

  // <h1>..<h6>; `text` is escaped. The page title is already the <h1>.
  void add_heading(std::string_view text, int level = 2);
  // A paragraph of trusted HTML (the lesson's own words, with <b>, <code>, links).
  void add_paragraph(std::string_view html);
  // A paragraph of plain text, escaped.
  void add_text(std::string_view plain);
  // An image (SVG or PNG, relative to index.html) that links to itself, with a caption.
  // `alt` defaults to the caption. Both are escaped.
  void add_figure(std::string_view relative_src, std::string_view caption, std::string_view alt = {});
  // A table; every cell is escaped. Cells that look like numbers are right-aligned.
  void add_table(const std::vector<std::string>& headers, const std::vector<std::vector<std::string>>& rows);
  // Preformatted text (console output, code), escaped.
  void add_code(std::string_view text);
  // Anything else, unescaped.
  void add_raw(std::string_view html);

  // The complete document.
  [[nodiscard]] std::string str() const;

 private:
  std::string title_;
  std::string body_;
};

}  // namespace gradflow::lessons
