#pragma once
// Command-line flags for the lesson programs and the mnist tools (one style everywhere).
//
// Every lesson declares its flags next to the variables they fill, so the defaults a learner
// sees in `--help` are the values the program really starts from:
//
//   int epochs = 5;
//   Flags flags("lesson07_optimizers", "Compares SGD, momentum and Adam.");
//   flags.add_int("epochs", &epochs, "passes over the training set", 1, 100);
//   if (!flags.parse(argc, argv)) return 0;  // --help was printed
//
// Both `--name VALUE` and `--name=VALUE` work. A mistake (an unknown flag, a missing value, a
// value that is not a number, out of range or not allowed) throws UsageError with a message
// that names the flag and says what would have been accepted; run_main turns it into exit 2.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace gradflow::support {

// A bad command line. `usage()` is the full usage text of the program that threw it (empty
// when the error did not come from a Flags object).
class UsageError : public std::runtime_error {
 public:
  explicit UsageError(const std::string& message, std::string usage = {})
      : std::runtime_error(message), usage_(std::move(usage)) {}
  [[nodiscard]] const std::string& usage() const { return usage_; }

 private:
  std::string usage_;
};

class Flags {
 public:
  Flags(std::string program, std::string summary);

  // Flag names are given without the dashes ("seed" for --seed). Each target keeps the value it
  // has now as the default, shown by usage(). `value_name` is how usage() names the argument.
  void add_string(std::string_view name, std::string* target, std::string_view help,
                  std::string_view value_name = "TEXT");
  void add_path(std::string_view name, std::filesystem::path* target, std::string_view help,
                std::string_view value_name = "PATH");
  void add_int(std::string_view name, int* target, std::string_view help, int min, int max);
  void add_uint64(std::string_view name, std::uint64_t* target, std::string_view help);
  // Floating-point flags. `--help` shows the default as written (0.2, not 0.20000000298023224):
  // the shortest text that reads back as the same value of the target's own type. A value too
  // small for the type is refused as underflowing rather than silently becoming 0.
  void add_double(std::string_view name, double* target, std::string_view help, double min, double max);
  void add_float(std::string_view name, float* target, std::string_view help, float min, float max);
  // A count such as a number of images (0 and up to `max`).
  void add_size(std::string_view name, std::size_t* target, std::string_view help, std::size_t min, std::size_t max);
  // A switch: `--quick` sets it to true (`--quick=false` and `--quick=true` also work).
  void add_bool(std::string_view name, bool* target, std::string_view help);
  // A comma-separated list, e.g. `--activations sigmoid,relu`; every item must be in `allowed`.
  void add_list(std::string_view name, std::vector<std::string>* target, std::string_view help,
                std::vector<std::string> allowed);

  // Parses argv[1..argc). Returns false when --help (or -h) was given: the usage has then been
  // printed to stdout and the program should exit 0. Throws UsageError on any mistake.
  bool parse(int argc, char** argv);
  // The same for arguments without the program name (handy in tests).
  bool parse(const std::vector<std::string>& args);

  // True when the last parse() set `name` from the command line (not left at its default), e.g.
  // so that `--alpha` overrides every activation's parameter only when it was asked for.
  [[nodiscard]] bool given(std::string_view name) const;

  // The declared flag nearest to a mistyped `name` ("seed" for "sed", "activations" for
  // "activation"), or "" when none is close: a flag that `name` is the start of wins, then the
  // smallest edit distance (at most 2, or a third of the name), then the longest shared prefix.
  [[nodiscard]] std::string suggest(std::string_view name) const;

  // "Usage: <program> [flags]", the summary and one line per flag with its default.
  [[nodiscard]] std::string usage() const;
  [[nodiscard]] const std::string& program() const { return program_; }

 private:
  struct Flag {
    std::string name;        // without dashes
    std::string value_name;  // "N", "PATH", ...; empty for a switch
    std::string help;
    std::string default_text;
    std::string range_text;  // "1 to 100", "one or more of a, b"; may be empty
    // Converts and stores the text; throws UsageError with the flag's name on a bad value.
    std::function<void(const std::string& text)> set;
  };
  void add(Flag flag);
  [[nodiscard]] const Flag* find(std::string_view name) const;
  [[noreturn]] void fail(const std::string& message) const;

  std::string program_;
  std::string summary_;
  std::vector<Flag> flags_;
  std::set<std::string> given_;
};

}  // namespace gradflow::support
