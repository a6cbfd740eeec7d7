#pragma once
// Node names, as TensorFlow gives them: the scopes alive at creation, then the requested name
// ("layer3/kernel"); a name already taken gets the next free suffix ("layer3/matmul_1").

#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace gradflow::autodiff {

class NameTable {
 public:
  struct Choice {
    std::string base;  // scopes + requested name
    std::string name;  // base, or base_N if base is taken
    int suffix = 0;    // N, or 0
  };

  void push_scope(std::string_view scope) { scopes_.emplace_back(scope); }
  void pop_scope() { scopes_.pop_back(); }

  // The name a node asking for `requested` would get now. Nothing is reserved yet.
  [[nodiscard]] Choice choose(std::string_view requested) const;
  // Marks the choice as taken. Called only once the node really exists, so that a failed
  // apply() leaves its name free.
  void claim(const Choice& choice);

 private:
  std::vector<std::string> scopes_;
  std::unordered_set<std::string> taken_;
  std::unordered_map<std::string, int> next_suffix_;  // base name -> next "_N" to try
};

}  // namespace gradflow::autodiff
