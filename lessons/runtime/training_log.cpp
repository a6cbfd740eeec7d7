#include "lessons/runtime/training_log.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <utility>
#include <vector>

#include "lessons/runtime/flags.hpp"
#include "tensorboard/event_writer.hpp"

namespace gradflow::lessons {

std::string csv_number(double v) {
  if (!std::isfinite(v)) return "null";
  return fmt::format("{:.7g}", v);
}

long logged_steps(long iterations, long log_every) {
  if (iterations <= 0 || log_every <= 0) return 0;
  return (iterations + log_every - 1) / log_every;
}

void check_logged_steps(long iterations, long log_every) {
  const long steps = logged_steps(iterations, log_every);
  if (steps <= kMaxLoggedSteps) return;
  const long smallest = (iterations + kMaxLoggedSteps - 1) / kMaxLoggedSteps;
  throw UsageError(fmt::format(
      "--log-every {}: {} iterations would log {} steps per run, more than the {} a lesson keeps (the logs, "
      "histograms and figures grow with every logged step); use --log-every {} or more",
      log_every, iterations, steps, kMaxLoggedSteps, smallest));
}

std::string tensorboard_tag(std::string_view csv_tag) {
  if (csv_tag == "acc") return "accuracy";
  // "<prefix><layer number>" -> "layer<number>/<name>"
  static constexpr std::pair<std::string_view, std::string_view> kPerLayer[] = {
      {"bias_mean_", "bias_grad_mean"},     {"weight_mean_", "kernel_mean"},
      {"mean_", "kernel_grad_mean"},        {"dead_", "dead_fraction"},
      {"saturated_", "saturated_fraction"}, {"negative_side_", "negative_side_fraction"},
  };
  for (const auto& [prefix, name] : kPerLayer) {
    if (!csv_tag.starts_with(prefix)) continue;
    const std::string_view layer = csv_tag.substr(prefix.size());
    if (!layer.empty() && layer.find_first_not_of("0123456789") == std::string_view::npos)
      return fmt::format("layer{}/{}", layer, name);
  }
  return std::string(csv_tag);
}

namespace {

// One TensorBoard run per scenario and seed: DIR/<scenario>/seed<N>/, as TensorBoard lists runs
// by folder. Writers are opened when a run logs its first value.
class TensorBoardSink final : public ScalarSink {
 public:
  explicit TensorBoardSink(std::filesystem::path dir) : dir_(std::move(dir)) {
    std::error_code ec;
    if (std::filesystem::exists(dir_, ec) && !std::filesystem::is_directory(dir_, ec))
      throw std::runtime_error(fmt::format("--tensorboard {}: that is a file, not a folder", dir_.string()));
    std::filesystem::create_directories(dir_, ec);
    if (ec)
      throw std::runtime_error(
          fmt::format("--tensorboard {}: cannot create that folder: {}", dir_.string(), ec.message()));
  }
  void scalar(std::string_view scenario, std::uint64_t seed, long step, std::string_view tag, double value) override {
    writer(scenario, seed).scalar(tensorboard_tag(tag), step, static_cast<float>(value));
  }
  void histogram(std::string_view scenario, std::uint64_t seed, long step, std::string_view tag,
                 std::span<const float> values) override {
    // TensorBoard histograms hold finite numbers only. A diverging run (lesson 07) can produce
    // inf or NaN gradients: those are left out of the histogram and counted in a scalar
    // "<tag>_nonfinite" beside it, so the chart is drawn and nothing is hidden.
    std::vector<float> finite;
    finite.reserve(values.size());
    for (float v : values)
      if (std::isfinite(v)) finite.push_back(v);
    auto& w = writer(scenario, seed);
    w.histogram(tag, step, finite);
    if (finite.size() != values.size())
      w.scalar(fmt::format("{}_nonfinite", tag), step, static_cast<float>(values.size() - finite.size()));
  }
  void flush() override {
    for (auto& [key, w] : writers_) w.flush();
  }

 private:
  tensorboard::EventWriter& writer(std::string_view scenario, std::uint64_t seed) {
    const auto key = std::make_pair(std::string(scenario), seed);
    auto it = writers_.find(key);
    if (it == writers_.end())
      it = writers_.emplace(key, tensorboard::EventWriter(dir_ / key.first / fmt::format("seed{}", seed))).first;
    return it->second;
  }
  std::filesystem::path dir_;
  std::map<std::pair<std::string, std::uint64_t>, tensorboard::EventWriter> writers_;
};

}  // namespace

std::unique_ptr<ScalarSink> make_tensorboard_sink(const std::filesystem::path& dir) {
  return std::make_unique<TensorBoardSink>(dir);
}

bool tensorboard_available() { return true; }

TrainingLog::TrainingLog(const std::filesystem::path& scalars_csv, const std::filesystem::path& histograms_csv)
    : scalars_path_(scalars_csv), histograms_path_(histograms_csv) {
  scalars_.open(scalars_path_, std::ios::binary | std::ios::trunc);
  if (!scalars_) {
    throw std::runtime_error(fmt::format("cannot write {}: {}", scalars_path_.string(), std::strerror(errno)));
  }
  scalars_ << "scenario,seed,step,tag,value\n";
  if (!histograms_path_.empty()) {
    histograms_.open(histograms_path_, std::ios::binary | std::ios::trunc);
    if (!histograms_) {
      throw std::runtime_error(fmt::format("cannot write {}: {}", histograms_path_.string(), std::strerror(errno)));
    }
    histograms_ << "scenario,seed,step,layer,kind,bin,lo,hi,count\n";
  }
}

TrainingLog::~TrainingLog() = default;

void TrainingLog::check(std::ofstream& out, const std::filesystem::path& path) {
  if (!out) {
    const int err = errno;
    throw std::runtime_error(
        fmt::format("writing {} failed: {}", path.string(), err ? std::strerror(err) : "the stream reported an error"));
  }
}

void TrainingLog::scalar(std::string_view scenario, std::uint64_t seed, long step, std::string_view tag, double value) {
  scalars_ << fmt::format("{},{},{},{},{}\n", scenario, seed, step, tag, csv_number(value));
  ++rows_;
  if (sink_) sink_->scalar(scenario, seed, step, tag, value);
}

void TrainingLog::histogram(std::string_view scenario, std::uint64_t seed, long step, int layer, std::string_view kind,
                            double lo, double hi, std::span<const std::uint32_t> counts,
                            std::span<const float> values) {
  if (histograms_.is_open()) {
    const auto bins = counts.size();
    const double width = bins ? (hi - lo) / static_cast<double>(bins) : 0.0;
    std::string rows;
    for (std::size_t b = 0; b < bins; ++b) {
      const double left = lo + width * static_cast<double>(b);
      // The last bin ends at hi exactly (lo + bins w can miss it by a rounding error).
      const double right = b + 1 == bins ? hi : left + width;
      rows += fmt::format("{},{},{},{},{},{},{},{},{}\n", scenario, seed, step, layer, kind, b, csv_number(left),
                          csv_number(right), counts[b]);
    }
    histograms_ << rows;
  }
  if (sink_ && !values.empty()) sink_->histogram(scenario, seed, step, fmt::format("layer{}/{}", layer, kind), values);
}

void TrainingLog::histogram_of(std::string_view scenario, std::uint64_t seed, long step, int layer,
                               std::string_view kind, std::span<const float> values, int bins) {
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  for (float v : values) {
    if (!std::isfinite(v)) continue;
    lo = std::min(lo, static_cast<double>(v));
    hi = std::max(hi, static_cast<double>(v));
  }
  std::vector<std::uint32_t> counts(static_cast<std::size_t>(std::max(bins, 1)), 0);
  if (lo > hi) {  // nothing finite: an empty histogram at 0
    lo = hi = 0;
  } else {
    const double width = (hi - lo) / static_cast<double>(counts.size());
    for (float v : values) {
      if (!std::isfinite(v)) continue;
      const auto b = width > 0 ? static_cast<std::size_t>((static_cast<double>(v) - lo) / width) : 0;
      ++counts[std::min(b, counts.size() - 1)];
    }
  }
  histogram(scenario, seed, step, layer, kind, lo, hi, counts, values);
}

void TrainingLog::close() {
  if (closed_) return;
  closed_ = true;
  errno = 0;
  scalars_.flush();
  check(scalars_, scalars_path_);
  scalars_.close();
  check(scalars_, scalars_path_);
  if (histograms_.is_open()) {
    histograms_.flush();
    check(histograms_, histograms_path_);
    histograms_.close();
    check(histograms_, histograms_path_);
  }
  if (sink_) sink_->flush();
}

}  // namespace gradflow::lessons
