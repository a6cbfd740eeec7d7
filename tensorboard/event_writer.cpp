#include "tensorboard/event_writer.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstring>
#include <stdexcept>
#include <system_error>
#include <utility>

#include "tensorboard/event.pb.h"
#include "tensorboard/histogram.hpp"
#include "tensorboard/record.hpp"

namespace gradflow::tensorboard {

namespace fs = std::filesystem;

namespace {

double wall_time_now() {
  const auto since_epoch = std::chrono::system_clock::now().time_since_epoch();
  return std::chrono::duration<double>(since_epoch).count();
}

std::string host_name() {
  char name[256] = {};
  if (::gethostname(name, sizeof(name) - 1) != 0 || name[0] == '\0') return "localhost";
  std::string host(name);
  // A file name must not contain a path separator; hostnames never should, but be sure.
  for (char& c : host)
    if (c == '/') c = '_';
  return host;
}

// Opens a file name nobody has: O_EXCL makes "create only if absent" one atomic step, so two
// writers started in the same second (two seeds, two programs) never share or clobber a file.
std::pair<fs::path, int> create_event_file(const fs::path& run_dir) {
  const auto unix_seconds =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  const std::string base = fmt::format("events.out.tfevents.{}.{}", unix_seconds, host_name());
  for (int attempt = 1; attempt <= 1000; ++attempt) {
    fs::path file = run_dir / (attempt == 1 ? base : fmt::format("{}.{}", base, attempt));
    const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd >= 0) return {std::move(file), fd};
    if (errno != EEXIST)
      throw std::runtime_error(
          fmt::format("tensorboard: cannot create event file {}: {}", file.string(), std::strerror(errno)));
  }
  throw std::runtime_error(fmt::format(
      "tensorboard: cannot create event file in {}: 1000 names starting {} are all taken", run_dir.string(), base));
}

}  // namespace

EventWriter::EventWriter(const fs::path& run_dir) {
  std::error_code ec;
  fs::create_directories(run_dir, ec);
  if (ec)
    throw std::runtime_error(
        fmt::format("tensorboard: cannot create the run folder {}: {}", run_dir.string(), ec.message()));
  if (!fs::is_directory(run_dir))
    throw std::runtime_error(fmt::format("tensorboard: {} exists and is not a folder", run_dir.string()));
  std::tie(file_, fd_) = create_event_file(run_dir);

  proto::Event first;
  first.set_wall_time(wall_time_now());
  first.set_step(0);
  first.set_file_version(std::string(kFileVersion));
  write_event(first.SerializeAsString());
}

EventWriter::~EventWriter() {
  if (fd_ >= 0) ::close(fd_);
}

EventWriter::EventWriter(EventWriter&& other) noexcept
    : file_(std::move(other.file_)), fd_(std::exchange(other.fd_, -1)) {}

EventWriter& EventWriter::operator=(EventWriter&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    file_ = std::move(other.file_);
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

void EventWriter::scalar(std::string_view tag, std::int64_t step, float value) {
  if (tag.empty()) throw std::invalid_argument(fmt::format("tensorboard: empty scalar tag at step {}", step));
  proto::Event event;
  event.set_wall_time(wall_time_now());
  event.set_step(step);
  proto::Summary::Value* v = event.mutable_summary()->add_value();
  v->set_tag(std::string(tag));
  v->set_simple_value(value);
  write_event(event.SerializeAsString());
}

void EventWriter::histogram(std::string_view tag, std::int64_t step, std::span<const float> values) {
  if (tag.empty()) throw std::invalid_argument(fmt::format("tensorboard: empty histogram tag at step {}", step));
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (!std::isfinite(values[i]))
      throw std::invalid_argument(
          fmt::format("tensorboard: histogram '{}' at step {}: value {} of {} is {}; histograms hold finite "
                      "numbers only",
                      tag, step, i, values.size(), values[i]));
  }
  const Histogram h = make_histogram(values);
  proto::Event event;
  event.set_wall_time(wall_time_now());
  event.set_step(step);
  proto::Summary::Value* v = event.mutable_summary()->add_value();
  v->set_tag(std::string(tag));
  proto::HistogramProto* histo = v->mutable_histo();
  histo->set_min(h.min);
  histo->set_max(h.max);
  histo->set_num(h.num);
  histo->set_sum(h.sum);
  histo->set_sum_squares(h.sum_squares);
  histo->mutable_bucket_limit()->Assign(h.bucket_limit.begin(), h.bucket_limit.end());
  histo->mutable_bucket()->Assign(h.bucket.begin(), h.bucket.end());
  write_event(event.SerializeAsString());
}

void EventWriter::flush() {
  if (fd_ < 0) throw std::logic_error("tensorboard: flush() on a moved-from EventWriter");
  if (::fsync(fd_) != 0)
    throw std::runtime_error(fmt::format("tensorboard: cannot flush {}: {}", file_.string(), std::strerror(errno)));
}

void EventWriter::write_event(const std::string& serialized_event) {
  if (fd_ < 0) throw std::logic_error("tensorboard: write on a moved-from EventWriter");
  // The whole record in one buffer and (normally) one write(): the kernel then holds either the
  // complete record or, if the program dies inside write(), a prefix of it, never a gap.
  const std::string record = frame_record(serialized_event);
  std::size_t done = 0;
  while (done < record.size()) {
    const ssize_t n = ::write(fd_, record.data() + done, record.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw std::runtime_error(fmt::format("tensorboard: cannot write {}: {}", file_.string(), std::strerror(errno)));
    }
    done += static_cast<std::size_t>(n);
  }
}

}  // namespace gradflow::tensorboard
