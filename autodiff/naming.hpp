#pragma once
// Node names, as TensorFlow gives them: the scopes alive at creation, then the requested name
// ("layer3/kernel"); a name already taken gets the next free suffix ("layer3/matmul_1").

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace gradflow::autodiff {

class NameTable {
 public:
  struct Entry;
  struct Choice {
    std::string name;  // scopes + requested name, or that + "_N" when it is taken
    // Where claim() records the name: the entry of its base (null: none yet), the base's length
    // in `name`, and its suffix. When the requested name was taken: its own entry (null: none
    // yet, then it is `entry`) and the suffix its next search starts from (N + 1), else 0.
    Entry* entry = nullptr;
    std::size_t base_length = 0;
    int suffix = 0;
    Entry* requested_entry = nullptr;
    int next_suffix = 0;
  };

  void push_scope(std::string_view scope) { scopes_.emplace_back(scope); }
  void pop_scope() { scopes_.pop_back(); }

  // The name a node asking for `requested` would get now. Nothing is reserved yet.
  [[nodiscard]] Choice choose(std::string_view requested);
  // Marks the choice as taken. Called only once the node really exists, so that a failed
  // apply() leaves its name free.
  void claim(const Choice& choice);

  // The names taken, grouped by base: "tanh", "tanh_1" and "tanh_2" are the base "tanh" with
  // suffixes 0, 1 and 2 (a suffix is "_" and a number from 1 to kMaxSuffix without leading
  // zeros; any other name is a base with suffix 0).
  struct Entry {
    std::vector<bool> taken;  // taken[s]: is the base with suffix s a node's name?
    int next_suffix = 1;      // where the search for a free suffix starts when the base is taken
    [[nodiscard]] bool has(int suffix) const {
      return static_cast<std::size_t>(suffix) < taken.size() && taken[static_cast<std::size_t>(suffix)];
    }
  };
  static constexpr int kMaxSuffix = 1 << 20;

 private:
  // Lets the table be searched with a string_view, without building a std::string first.
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
  };

  std::vector<std::string> scopes_;
  // Why bases rather than a set of every name: a graph rebuilt every iteration names every node
  // again (a chain of 1000 ops: tanh, tanh_1, ..., tanh_333, scale, scale_1, ...), and with
  // bases that costs one lookup of a short string per node and no allocation, where a set of
  // names hashed and stored each of them.
  std::unordered_map<std::string, Entry, Hash, std::equal_to<>> entries_;
};

}  // namespace gradflow::autodiff
