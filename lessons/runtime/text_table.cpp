#include "lessons/runtime/text_table.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace gradflow::lessons {

bool looks_numeric(std::string_view cell) {
  if (cell.empty()) return false;
  bool digit = false;
  for (char c : cell) {
    if (std::isdigit(static_cast<unsigned char>(c)) != 0) {
      digit = true;
    } else if (c != '-' && c != '+' && c != '.' && c != 'e' && c != 'E') {
      return false;
    }
  }
  return digit;
}

namespace {

// Display width in characters: counts UTF-8 code points, not bytes (so "≈" or "|dL/dx|" line up).
std::size_t width_of(const std::string& s) {
  return static_cast<std::size_t>(
      std::count_if(s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0U) != 0x80U; }));
}

}  // namespace

std::string format_table(const std::vector<std::string>& headers, const std::vector<std::vector<std::string>>& rows) {
  std::vector<std::size_t> widths(headers.size());
  for (std::size_t c = 0; c < headers.size(); ++c) widths[c] = width_of(headers[c]);
  for (const auto& row : rows) {
    for (std::size_t c = 0; c < row.size() && c < widths.size(); ++c) widths[c] = std::max(widths[c], width_of(row[c]));
  }
  auto line = [&](const std::vector<std::string>& cells, bool header) {
    std::string text;
    for (std::size_t c = 0; c < widths.size(); ++c) {
      const std::string cell = c < cells.size() ? cells[c] : std::string();
      const std::string padding(widths[c] - width_of(cell), ' ');
      const bool last = c + 1 == widths.size();
      if (!header && looks_numeric(cell)) {
        text += padding + cell;
      } else {
        text += cell + (last ? std::string() : padding);
      }
      if (!last) text += "  ";
    }
    // No trailing spaces: they only get in the way of diffs and copy-paste.
    text.erase(text.find_last_not_of(' ') + 1);
    return text + "\n";
  };
  std::string out = line(headers, true);
  std::vector<std::string> rules;
  for (std::size_t w : widths) rules.emplace_back(w, '-');
  out += line(rules, true);
  for (const auto& row : rows) out += line(row, false);
  return out;
}

}  // namespace gradflow::lessons
