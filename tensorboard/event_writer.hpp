#pragma once
// Writes TensorBoard event files, so a gradflow run can be laid beside TensorFlow or PyTorch runs
// with `tensorboard --logdir DIR`. This module knows nothing of autodiff: it takes tags, steps
// and numbers.
//
//   gradflow::tensorboard::EventWriter tb("runs/sigmoid/seed1");
//   tb.scalar("loss", step, loss);                     // a point on the "loss" chart
//   tb.histogram("layer3/kernel_grad", step, values);  // one slice of a histogram chart
//
// The file is `run_dir/events.out.tfevents.<unix time>.<hostname>` (TensorFlow's name; a suffix
// .2, .3, ... only if that name is already taken: an existing file is never touched). Its first
// event carries file_version "brain.Event:2", as TensorFlow's writer does. Every record goes to
// the operating system as soon as it is written (one write() per record), so a run killed at any
// moment leaves a file whose complete records all read back; at most the last one is cut short,
// and TensorBoard's reader skips a cut-short last record.

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>

namespace gradflow::tensorboard {

// TensorFlow's file_version string for the current event format.
inline constexpr std::string_view kFileVersion = "brain.Event:2";

class EventWriter {
 public:
  // Creates `run_dir` (and its parents) if needed and a new event file in it. Throws
  // std::runtime_error naming the path and the cause when that is impossible.
  explicit EventWriter(const std::filesystem::path& run_dir);
  ~EventWriter();
  EventWriter(EventWriter&& other) noexcept;
  EventWriter& operator=(EventWriter&& other) noexcept;
  EventWriter(const EventWriter&) = delete;
  EventWriter& operator=(const EventWriter&) = delete;

  // One Event{step, Summary{Value{tag, simple_value}}}. Any float, NaN included, is recorded
  // (TensorBoard draws NaN as a gap). Throws std::invalid_argument for an empty tag.
  void scalar(std::string_view tag, std::int64_t step, float value);

  // One Event{step, Summary{Value{tag, histo}}} with TensorFlow's default buckets. TensorBoard
  // histograms hold finite numbers only (TensorFlow refuses NaN and inf too), so a non-finite
  // value throws std::invalid_argument naming the tag, step and value; nothing is written then.
  void histogram(std::string_view tag, std::int64_t step, std::span<const float> values);

  // Asks the operating system to put the file on disk (fsync). Records already survive a killed
  // program without it; this also survives a power cut.
  void flush();

  // The event file this writer appends to.
  [[nodiscard]] const std::filesystem::path& file() const { return file_; }

 private:
  void write_event(const std::string& serialized_event);

  std::filesystem::path file_;
  int fd_ = -1;
};

}  // namespace gradflow::tensorboard
