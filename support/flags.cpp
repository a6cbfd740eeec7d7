#include "support/flags.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <system_error>
#include <tuple>
#include <type_traits>

namespace gradflow::support {

namespace {

// A bad value for one flag; parse() adds the flag's name and the usage text.
struct BadValue : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Parses the whole of `text` as a number of type T with std::from_chars (no locale, no
// leading '+', no trailing junk), so "12abc" and "" are errors rather than 12 and 0.
template <typename T>
T parse_number(const std::string& text, std::string_view what) {
  T value{};
  const char* first = text.data();
  const char* last = text.data() + text.size();
  const auto [end, ec] = std::from_chars(first, last, value);
  if (ec == std::errc::result_out_of_range && end == last) {
    if constexpr (std::is_floating_point_v<T>) {
      // from_chars says "out of range" both for 1e400 (overflow) and 1e-400 (underflow): tell
      // them apart by the magnitude strtod finds (it returns 0 or a denormal for the latter).
      const double magnitude = std::fabs(std::strtod(text.c_str(), nullptr));
      if (magnitude < 1.0) {
        throw BadValue(fmt::format("'{}' is too small: it underflows to 0 (the smallest {} is {})", text,
                                   sizeof(T) == sizeof(float) ? "float" : "double", std::numeric_limits<T>::min()));
      }
    }
    throw BadValue(fmt::format("'{}' is too large", text));
  }
  if (ec != std::errc{} || end != last || text.empty()) {
    throw BadValue(fmt::format("'{}' is not {}", text, what));
  }
  return value;
}

// The default of a double flag as the lesson wrote it. A lesson often copies a float setting
// into a double flag (`double alpha = settings.alpha;` with alpha = 0.2f); printed as a double
// that shows float rounding noise, 0.20000000298023224. When the double is exactly a float, the
// float's shortest text ("0.2") names the same float the program will use, so we show that.
std::string format_default(double value) {
  const auto as_float = static_cast<float>(value);
  if (std::isfinite(value) && static_cast<double>(as_float) == value) return fmt::format("{}", as_float);
  return fmt::format("{}", value);
}

// Levenshtein distance, to suggest "--seed" for "--sed".
std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

// Breaks `text` at spaces into lines of at most `columns` characters; every line after the
// first is indented by `indent` spaces (so wrapped help lines up under its first line).
std::string wrap(const std::string& text, std::size_t columns, std::size_t indent) {
  std::string out;
  std::size_t line_length = 0;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find(' ', start);
    if (end == std::string::npos) end = text.size();
    const std::string_view word(text.data() + start, end - start);
    if (line_length > 0 && line_length + 1 + word.size() > columns) {
      out += '\n';
      out.append(indent, ' ');
      line_length = 0;
    } else if (line_length > 0) {
      out += ' ';
      ++line_length;
    }
    out += word;
    line_length += word.size();
    start = end + 1;
  }
  return out;
}

// Usage lines are wrapped to fit a terminal of this width.
constexpr std::size_t kUsageWidth = 100;

std::string quoted_or_none(const std::string& s) { return s.empty() ? "none" : s; }

}  // namespace

Flags::Flags(std::string program, std::string summary) : program_(std::move(program)), summary_(std::move(summary)) {}

void Flags::add(Flag flag) {
  while (flag.name.starts_with('-')) flag.name.erase(0, 1);
  if (flag.name.empty() || flag.name == "help" || find(flag.name) != nullptr) {
    // A programming mistake in the lesson, not a user error.
    throw std::logic_error(fmt::format("flags: --{} is empty, reserved or declared twice", flag.name));
  }
  flags_.push_back(std::move(flag));
}

const Flags::Flag* Flags::find(std::string_view name) const {
  const auto it = std::find_if(flags_.begin(), flags_.end(), [&](const Flag& f) { return f.name == name; });
  return it == flags_.end() ? nullptr : &*it;
}

void Flags::fail(const std::string& message) const { throw UsageError(message, usage()); }

void Flags::add_string(std::string_view name, std::string* target, std::string_view help, std::string_view value_name) {
  add({std::string(name),
       std::string(value_name),
       std::string(help),
       fmt::format("\"{}\"", *target),
       {},
       [target](const std::string& text) { *target = text; }});
}

void Flags::add_path(std::string_view name, std::filesystem::path* target, std::string_view help,
                     std::string_view value_name) {
  add({std::string(name),
       std::string(value_name),
       std::string(help),
       quoted_or_none(target->string()),
       {},
       [target](const std::string& text) {
         if (text.empty()) throw BadValue("an empty path is not allowed");
         *target = text;
       }});
}

void Flags::add_int(std::string_view name, int* target, std::string_view help, int min, int max) {
  add({std::string(name), "N", std::string(help), fmt::format("{}", *target), fmt::format("{} to {}", min, max),
       [target, min, max](const std::string& text) {
         const int value = parse_number<int>(text, "a whole number");
         if (value < min || value > max) {
           throw BadValue(fmt::format("{} is out of range (allowed: {} to {})", value, min, max));
         }
         *target = value;
       }});
}

void Flags::add_uint64(std::string_view name, std::uint64_t* target, std::string_view help) {
  add({std::string(name), "N", std::string(help), fmt::format("{}", *target), {}, [target](const std::string& text) {
         // from_chars on an unsigned type rejects a leading '-', so "-1" is "not a ... number".
         *target = parse_number<std::uint64_t>(text, "a non-negative whole number");
       }});
}

void Flags::add_double(std::string_view name, double* target, std::string_view help, double min, double max) {
  add({std::string(name), "X", std::string(help), format_default(*target),
       fmt::format("{} to {}", format_default(min), format_default(max)), [target, min, max](const std::string& text) {
         const double value = parse_number<double>(text, "a number");
         if (!std::isfinite(value)) throw BadValue(fmt::format("'{}' is not a finite number", text));
         if (value < min || value > max) {
           throw BadValue(
               fmt::format("{} is out of range (allowed: {} to {})", text, format_default(min), format_default(max)));
         }
         *target = value;
       }});
}

void Flags::add_float(std::string_view name, float* target, std::string_view help, float min, float max) {
  // fmt's {} on a float (not widened to double) prints the shortest text that reads back as it.
  add({std::string(name), "X", std::string(help), fmt::format("{}", *target), fmt::format("{} to {}", min, max),
       [target, min, max](const std::string& text) {
         const float value = parse_number<float>(text, "a number");
         if (!std::isfinite(value)) throw BadValue(fmt::format("'{}' is not a finite number", text));
         if (value < min || value > max) {
           throw BadValue(fmt::format("{} is out of range (allowed: {} to {})", text, min, max));
         }
         *target = value;
       }});
}

void Flags::add_size(std::string_view name, std::size_t* target, std::string_view help, std::size_t min,
                     std::size_t max) {
  add({std::string(name), "N", std::string(help), fmt::format("{}", *target), fmt::format("{} to {}", min, max),
       [target, min, max](const std::string& text) {
         const auto value = parse_number<std::size_t>(text, "a non-negative whole number");
         if (value < min || value > max) {
           throw BadValue(fmt::format("{} is out of range (allowed: {} to {})", value, min, max));
         }
         *target = value;
       }});
}

void Flags::add_bool(std::string_view name, bool* target, std::string_view help) {
  add({std::string(name), {}, std::string(help), *target ? "on" : "off", {}, [target](const std::string& text) {
         if (text == "true" || text == "1" || text == "yes") {
           *target = true;
         } else if (text == "false" || text == "0" || text == "no") {
           *target = false;
         } else {
           throw BadValue(fmt::format("'{}' is not true or false (a switch needs no value at all)", text));
         }
       }});
}

void Flags::add_list(std::string_view name, std::vector<std::string>* target, std::string_view help,
                     std::vector<std::string> allowed) {
  const std::string range = fmt::format("one or more of {}", fmt::join(allowed, ", "));
  add({std::string(name), "A,B,...", std::string(help), quoted_or_none(fmt::format("{}", fmt::join(*target, ","))),
       range, [target, allowed = std::move(allowed)](const std::string& text) {
         std::vector<std::string> items;
         std::size_t start = 0;
         while (true) {
           const std::size_t comma = text.find(',', start);
           std::string item = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
           if (item.empty()) throw BadValue(fmt::format("'{}' has an empty item", text));
           if (std::find(allowed.begin(), allowed.end(), item) == allowed.end()) {
             throw BadValue(fmt::format("'{}' is not allowed (choose from: {})", item, fmt::join(allowed, ", ")));
           }
           items.push_back(std::move(item));
           if (comma == std::string::npos) break;
           start = comma + 1;
         }
         *target = std::move(items);
       }});
}

bool Flags::parse(int argc, char** argv) {
  std::vector<std::string> args;
  for (int i = 1; i < argc; ++i) args.emplace_back(argv[i]);
  return parse(args);
}

bool Flags::parse(const std::vector<std::string>& args) {
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--help" || arg == "-h") {
      fmt::print("{}", usage());
      std::fflush(stdout);
      return false;
    }
    if (!arg.starts_with("--")) fail(fmt::format("unexpected argument '{}' (flags start with --)", arg));

    // "--name=value" or "--name value".
    const std::size_t equals = arg.find('=');
    const std::string name = arg.substr(2, equals == std::string::npos ? std::string::npos : equals - 2);
    const Flag* flag = find(name);
    if (flag == nullptr) {
      const std::string nearest = suggest(name);
      fail(fmt::format("unknown flag --{}{}", name,
                       nearest.empty() ? "" : fmt::format(" (did you mean --{}?)", nearest)));
    }

    std::string value;
    if (equals != std::string::npos) {
      value = arg.substr(equals + 1);
    } else if (flag->value_name.empty()) {
      value = "true";  // a switch on its own
    } else if (i + 1 < args.size() && !args[i + 1].starts_with("--")) {
      value = args[++i];
    } else {
      fail(fmt::format("--{}: missing value (expected {})", name, flag->value_name));
    }
    try {
      flag->set(value);
    } catch (const BadValue& e) {
      fail(fmt::format("--{}: {}", name, e.what()));
    }
  }
  return true;
}

std::string Flags::suggest(std::string_view name) const {
  if (name.empty()) return {};
  auto shared_prefix = [](std::string_view a, std::string_view b) {
    std::size_t n = 0;
    while (n < a.size() && n < b.size() && a[n] == b[n]) ++n;
    return n;
  };
  // The best candidate under the ordering (is an extension of name, -distance, shared prefix,
  // -length): --act finds --activations, --sed finds --seed (1 edit) over --seeds (2 edits).
  const Flag* best = nullptr;
  std::tuple<bool, long, std::size_t, long> best_key{};
  const std::size_t limit = std::max<std::size_t>(2, name.size() / 3);
  for (const Flag& f : flags_) {
    const bool extends = name.size() >= 2 && f.name.starts_with(name);
    const std::size_t distance = edit_distance(name, f.name);
    if (!extends && distance > limit) continue;
    const std::tuple<bool, long, std::size_t, long> key{extends, -static_cast<long>(distance),
                                                        shared_prefix(name, f.name), -static_cast<long>(f.name.size())};
    if (best == nullptr || key > best_key) {
      best = &f;
      best_key = key;
    }
  }
  return best == nullptr ? std::string() : best->name;
}

std::string Flags::usage() const {
  std::string text = fmt::format("Usage: {} [flags]\n\n{}\n\nFlags:\n", program_, summary_);
  // Left column "--name VALUE", padded so the help texts line up.
  std::vector<std::string> left;
  std::size_t width = std::string_view("--help").size();
  for (const Flag& f : flags_) {
    left.push_back(f.value_name.empty() ? fmt::format("--{}", f.name) : fmt::format("--{} {}", f.name, f.value_name));
    width = std::max(width, left.back().size());
  }
  for (std::size_t i = 0; i < flags_.size(); ++i) {
    const Flag& f = flags_[i];
    const std::string range = f.range_text.empty() ? "" : fmt::format("{}; ", f.range_text);
    const std::string help = fmt::format("{} ({}default: {})", f.help, range, f.default_text);
    text += fmt::format("  {:<{}}  {}\n", left[i], width, wrap(help, kUsageWidth - (width + 4), width + 4));
  }
  text += fmt::format("  {:<{}}  show this message and exit\n", "--help", width);
  text += "\nValues may also be written as --name=VALUE.\n";
  return text;
}

}  // namespace gradflow::support
