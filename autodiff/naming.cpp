#include "autodiff/naming.hpp"

#include <fmt/format.h>

namespace gradflow::autodiff {

NameTable::Choice NameTable::choose(std::string_view requested) const {
  Choice choice;
  for (const auto& s : scopes_) choice.base += s + "/";
  choice.base += requested;
  if (!taken_.contains(choice.base)) {
    choice.name = choice.base;
    return choice;
  }
  // The next suffix to try is remembered per base name, so naming stays O(1) even for a chain
  // of 1000 "add"s.
  const auto it = next_suffix_.find(choice.base);
  for (choice.suffix = it == next_suffix_.end() ? 1 : it->second;; ++choice.suffix) {
    choice.name = fmt::format("{}_{}", choice.base, choice.suffix);
    if (!taken_.contains(choice.name)) return choice;
  }
}

void NameTable::claim(const Choice& choice) {
  taken_.insert(choice.name);
  if (choice.suffix > 0) next_suffix_[choice.base] = choice.suffix + 1;
}

}  // namespace gradflow::autodiff
