#pragma once
// Plain-text tables for a lesson's console output; the same rows go to HtmlPage::add_table.
//
//   node      op      shape    value
//   --------  ------  -------  -------
//   x         input   [1 x 3]  [0.5, -1, 2]

#include <string>
#include <string_view>
#include <vector>

namespace gradflow::lessons {

// True for cells like "0.25" or "-1.2e-03" (not "[1 x 1]"): both the console tables and the
// HTML tables right-align such columns.
bool looks_numeric(std::string_view cell);

// Columns padded to their widest cell and separated by two spaces; cells that look like
// numbers are right-aligned. Every line ends with '\n'.
std::string format_table(const std::vector<std::string>& headers, const std::vector<std::vector<std::string>>& rows);

}  // namespace gradflow::lessons
