// The lesson runtime's TensorBoard sink (lessons/runtime/training_log.*): the tags it gives the
// post's scalars.csv names, one run folder per scenario and seed, non-finite histogram values.
#include <fmt/format.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <vector>

#include "lessons/runtime/training_log.hpp"
#include "tensorboard/event.pb.h"
#include "tensorboard/record.hpp"

namespace fs = std::filesystem;
namespace gl = gradflow::lessons;
namespace tb = gradflow::tensorboard;

namespace {

struct TempDir {
  fs::path path = fs::temp_directory_path() / fmt::format("gradflow-tb-sink-test-{}", ::getpid());
  TempDir() {
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() { fs::remove_all(path); }
};

// The events of the one event file in `run_dir` (CRCs are checked in test_event_writer.cpp).
std::vector<tb::proto::Event> events_in(const fs::path& run_dir) {
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(run_dir)) files.push_back(entry.path());
  REQUIRE(files.size() == 1);
  std::ifstream in(files[0], std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  const std::string bytes = s.str();
  std::vector<tb::proto::Event> events;
  for (std::size_t at = 0; at < bytes.size();) {
    std::uint64_t length = 0;
    for (int i = 7; i >= 0; --i)
      length = (length << 8) | static_cast<unsigned char>(bytes[at + static_cast<std::size_t>(i)]);
    tb::proto::Event e;
    REQUIRE(e.ParseFromString(bytes.substr(at + 12, length)));
    events.push_back(e);
    at += 12 + length + 4;
  }
  return events;
}

}  // namespace

TEST_CASE("the post's scalars.csv tags get per-layer TensorBoard tags", "[tensorboard][training_log]") {
  CHECK(gl::tensorboard_tag("loss") == "loss");
  CHECK(gl::tensorboard_tag("acc") == "accuracy");
  CHECK(gl::tensorboard_tag("mean_3") == "layer3/kernel_grad_mean");
  CHECK(gl::tensorboard_tag("bias_mean_3") == "layer3/bias_grad_mean");
  CHECK(gl::tensorboard_tag("weight_mean_12") == "layer12/kernel_mean");
  CHECK(gl::tensorboard_tag("dead_1") == "layer1/dead_fraction");
  CHECK(gl::tensorboard_tag("saturated_6") == "layer6/saturated_fraction");
  CHECK(gl::tensorboard_tag("negative_side_2") == "layer2/negative_side_fraction");  // lesson 07, leaky ReLU
  CHECK(gl::tensorboard_tag("mean_x") == "mean_x");  // not a layer number: kept as it is
  CHECK(gl::tensorboard_tag("grad_norm") == "grad_norm");
}

TEST_CASE("the training log writes one TensorBoard run per scenario and seed", "[tensorboard][training_log]") {
  TempDir dir;
  {
    gl::TrainingLog log(dir.path / "scalars.csv", dir.path / "histograms.csv");
    log.set_sink(gl::make_tensorboard_sink(dir.path / "tb"));
    log.scalar("sigmoid", 1, 200, "mean_3", 0.25);
    log.scalar("relu", 2, 0, "acc", 0.5);
    const std::vector<std::uint32_t> counts = {1, 2};
    const std::vector<float> values = {0.5f, std::numeric_limits<float>::infinity(), 1.0f, 1.5f};
    log.histogram("sigmoid", 1, 200, 3, "kernel_grad", 0.5, 1.5, counts, values);
    log.close();
  }
  const auto sigmoid = events_in(dir.path / "tb" / "sigmoid" / "seed1");
  REQUIRE(sigmoid.size() == 4);  // file_version, the scalar, the histogram, its non-finite count
  CHECK(sigmoid[0].file_version() == "brain.Event:2");
  CHECK(sigmoid[1].step() == 200);
  CHECK(sigmoid[1].summary().value(0).tag() == "layer3/kernel_grad_mean");
  CHECK(sigmoid[1].summary().value(0).simple_value() == 0.25f);
  CHECK(sigmoid[2].summary().value(0).tag() == "layer3/kernel_grad");
  CHECK(sigmoid[2].summary().value(0).histo().num() == 3.0);  // the infinity is left out ...
  CHECK(sigmoid[3].summary().value(0).tag() == "layer3/kernel_grad_nonfinite");
  CHECK(sigmoid[3].summary().value(0).simple_value() == 1.0f);  // ... and counted
  const auto relu = events_in(dir.path / "tb" / "relu" / "seed2");
  REQUIRE(relu.size() == 2);
  CHECK(relu[1].summary().value(0).tag() == "accuracy");
}

TEST_CASE("a --tensorboard folder that cannot be made is named at once", "[tensorboard][training_log]") {
  TempDir dir;
  std::ofstream(dir.path / "file") << "mine";
  CHECK_THROWS_WITH(gl::make_tensorboard_sink(dir.path / "file"),
                    Catch::Contains((dir.path / "file").string()) && Catch::Contains("not a folder"));
  CHECK_THROWS_WITH(gl::make_tensorboard_sink(dir.path / "file" / "tb"), Catch::Contains("cannot create"));
}
