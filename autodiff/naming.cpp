#include "autodiff/naming.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <system_error>
#include <utility>

namespace gradflow::autodiff {

namespace {
// "tanh_17" -> ("tanh", 17); "tanh", "x_0", "x_017" and "x_99999999" -> (the whole name, 0).
std::pair<std::string_view, int> split_name(std::string_view name) {
  const auto underscore = name.rfind('_');
  if (underscore == std::string_view::npos || underscore + 1 == name.size() || name[underscore + 1] == '0') {
    return {name, 0};
  }
  const std::string_view digits = name.substr(underscore + 1);
  int suffix = 0;
  const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), suffix);
  if (error != std::errc() || end != digits.data() + digits.size() || suffix > NameTable::kMaxSuffix) {
    return {name, 0};
  }
  return {name.substr(0, underscore), suffix};
}
}  // namespace

NameTable::Choice NameTable::choose(std::string_view requested) {
  Choice choice;
  for (const auto& s : scopes_) {
    choice.name += s;
    choice.name += '/';
  }
  choice.name += requested;
  // Free as asked?
  const auto [base, suffix] = split_name(choice.name);
  const auto it = entries_.find(base);
  choice.entry = it == entries_.end() ? nullptr : &it->second;
  choice.base_length = base.size();
  choice.suffix = suffix;
  if (choice.entry == nullptr || !choice.entry->has(suffix)) return choice;

  // Taken: the first free name_N, from the suffix after the last one handed out for this name,
  // so naming stays O(1) even for a chain of 1000 "add"s. name_N is the base `name` with suffix
  // N, so (up to kMaxSuffix) it is recorded in the requested name's own entry.
  const std::string requested_name = std::move(choice.name);
  if (suffix == 0) {
    choice.requested_entry = choice.entry;
  } else {
    const auto own = entries_.find(std::string_view(requested_name));
    choice.requested_entry = own == entries_.end() ? nullptr : &own->second;
  }
  for (int n = choice.requested_entry == nullptr ? 1 : choice.requested_entry->next_suffix;; ++n) {
    std::array<char, 16> digits{};
    const auto end = std::to_chars(digits.data(), digits.data() + digits.size(), n).ptr;
    choice.name.assign(requested_name);
    choice.name += '_';
    choice.name.append(digits.data(), end);
    choice.entry = choice.requested_entry;
    choice.base_length = requested_name.size();
    choice.suffix = n;
    if (n > kMaxSuffix) {  // beyond the suffixes kept per base: the whole name is its own base
      const auto whole = entries_.find(std::string_view(choice.name));
      choice.entry = whole == entries_.end() ? nullptr : &whole->second;
      choice.base_length = choice.name.size();
      choice.suffix = 0;
    }
    if (choice.entry == nullptr || !choice.entry->has(choice.suffix)) {
      choice.next_suffix = n + 1;
      return choice;
    }
  }
}

void NameTable::claim(const Choice& choice) {
  Entry* entry = choice.entry;
  if (entry == nullptr) entry = &entries_[std::string(std::string_view(choice.name).substr(0, choice.base_length))];
  const auto s = static_cast<std::size_t>(choice.suffix);
  if (entry->taken.size() <= s) entry->taken.resize(std::max(s + 1, 2 * entry->taken.size()));
  entry->taken[s] = true;
  if (choice.next_suffix != 0) {
    // A missing requested entry means it was just made: name_N (N <= kMaxSuffix) has the
    // requested name as its base.
    Entry* requested = choice.requested_entry != nullptr ? choice.requested_entry : entry;
    requested->next_suffix = choice.next_suffix;
  }
}

}  // namespace gradflow::autodiff
