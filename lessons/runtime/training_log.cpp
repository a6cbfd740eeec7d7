#include "lessons/runtime/training_log.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <stdexcept>

#include "lessons/runtime/flags.hpp"

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

std::unique_ptr<ScalarSink> make_tensorboard_sink(const std::filesystem::path&) {
  // Wired to gradflow::tensorboard::EventWriter once that module is in the tree.
  return nullptr;
}

bool tensorboard_available() { return false; }

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
      rows += fmt::format("{},{},{},{},{},{},{},{},{}\n", scenario, seed, step, layer, kind, b, csv_number(left),
                          csv_number(left + width), counts[b]);
    }
    histograms_ << rows;
  }
  if (sink_ && !values.empty()) sink_->histogram(scenario, seed, step, fmt::format("layer{}/{}", layer, kind), values);
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
