#pragma once
// The training log of a lesson: scalars.csv (`scenario,seed,step,tag,value`, the tags the post
// used: loss, acc, mean_1 ...) and histograms.csv, streamed to disk as rows arrive so memory
// stays flat however often a run logs, plus optional TensorBoard event files.
//
//   TrainingLog log(report.path("scalars.csv"), report.path("histograms.csv"));
//   log.scalar("relu", 1, 200, "loss", 0.31);
//   log.histogram("relu", 1, 200, "kernel_grad", 4, lo, hi, counts);
//   log.close();   // flushes; throws naming the file if the disk was full
//
// Values are written with 7 significant digits ("{:.7g}": they read back as the same float).
// A lesson bounds how many steps it logs up front (check_logged_steps) so that a flag such as
// `--log-every 1` cannot fill the disk or stall the figures.

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>

namespace gradflow::lessons {

// Where else the scalars and histograms go: one implementation writes TensorBoard event files
// (helper G's gradflow::tensorboard::EventWriter), one run folder per scenario and seed.
class ScalarSink {
 public:
  virtual ~ScalarSink() = default;
  virtual void scalar(std::string_view scenario, std::uint64_t seed, long step, std::string_view tag, double value) = 0;
  virtual void histogram(std::string_view scenario, std::uint64_t seed, long step, std::string_view tag,
                         std::span<const float> values) = 0;
  virtual void flush() = 0;
};

// A sink writing DIR/<scenario>/seed<N>/events.out.tfevents.* files; nullptr when this build
// has no TensorBoard writer (then --tensorboard is refused with a clear message).
// Creates DIR at once (throws std::runtime_error naming it when impossible), so a bad
// --tensorboard fails before training rather than after. Files already in DIR are never touched:
// each run folder gets a new event file.
std::unique_ptr<ScalarSink> make_tensorboard_sink(const std::filesystem::path& dir);
bool tensorboard_available();

// The TensorBoard tag of a scalars.csv tag, grouped per layer the way TensorBoard groups charts
// (by the part before the first '/'): "acc" -> "accuracy", "mean_3" -> "layer3/kernel_grad_mean",
// "bias_mean_3" -> "layer3/bias_grad_mean", "weight_mean_3" -> "layer3/kernel_mean",
// "dead_3" -> "layer3/dead_fraction", "saturated_3" -> "layer3/saturated_fraction",
// "negative_side_3" -> "layer3/negative_side_fraction" (leaky ReLU units never positive); any other
// tag ("loss") is kept as it is.
std::string tensorboard_tag(std::string_view csv_tag);

// The most logged steps per run a lesson keeps (per run, summed over all tags).
inline constexpr long kMaxLoggedSteps = 1000;
// Number of logged steps of a run of `iterations` steps logging every `log_every`: ceil.
long logged_steps(long iterations, long log_every);
// Throws UsageError naming --log-every (and the smallest value that fits) when a run would log
// more than kMaxLoggedSteps steps.
void check_logged_steps(long iterations, long log_every);

class TrainingLog {
 public:
  // Opens both files (truncating) and writes their headers; an empty histograms path: none.
  explicit TrainingLog(const std::filesystem::path& scalars_csv, const std::filesystem::path& histograms_csv = {});
  ~TrainingLog();
  TrainingLog(const TrainingLog&) = delete;
  TrainingLog& operator=(const TrainingLog&) = delete;

  // Optional second destination (TensorBoard).
  void set_sink(std::unique_ptr<ScalarSink> sink) { sink_ = std::move(sink); }

  void scalar(std::string_view scenario, std::uint64_t seed, long step, std::string_view tag, double value);
  // One histogram as bins: `counts[b]` values in [lo + b w, lo + (b+1) w), w = (hi - lo) / bins.
  // Row format: scenario,seed,step,layer,kind,bin,lo,hi,count. `values`, when given, also go
  // to the sink (TensorBoard builds its own buckets).
  void histogram(std::string_view scenario, std::uint64_t seed, long step, int layer, std::string_view kind, double lo,
                 double hi, std::span<const std::uint32_t> counts, std::span<const float> values = {});
  // The same from raw values: `bins` equal bins from their min to their max (non-finite values
  // are left out of the CSV counts), and the values themselves to the sink.
  void histogram_of(std::string_view scenario, std::uint64_t seed, long step, int layer, std::string_view kind,
                    std::span<const float> values, int bins = 30);

  // Flushes and closes; throws std::runtime_error naming the file and the cause on failure.
  void close();
  [[nodiscard]] long rows() const { return rows_; }

 private:
  void check(std::ofstream& out, const std::filesystem::path& path);
  std::filesystem::path scalars_path_, histograms_path_;
  std::ofstream scalars_, histograms_;
  std::unique_ptr<ScalarSink> sink_;
  long rows_ = 0;
  bool closed_ = false;
};

// The number format of scalars.csv and histograms.csv: "{:.7g}", "null" for non-finite.
std::string csv_number(double v);

}  // namespace gradflow::lessons
