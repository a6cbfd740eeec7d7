// Writes a known TensorBoard run for the independent Python reader (test_event_files.py):
//
//   tensorboard_sample OUT [--kill-after N]
//
// OUT/sample/seed1/events.out.tfevents.*  the event file
// OUT/scalars.csv                         scenario,seed,step,tag,value of every scalar written
// OUT/histograms.csv                      scenario,seed,step,tag,values (space separated)
//
// With --kill-after N the program sends itself SIGKILL right after its N-th scalar or histogram
// event, the way a learner's Ctrl-\ or the OOM killer would end a run: no destructor, no flush.
#include <fmt/format.h>

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>
#include <string>
#include <vector>

#include "tensorboard/event_writer.hpp"

int main(int argc, char** argv) {
  if (argc != 2 && !(argc == 4 && std::string(argv[2]) == "--kill-after")) {
    std::cerr << "usage: tensorboard_sample OUT [--kill-after N]\n";
    return 2;
  }
  const std::filesystem::path out = argv[1];
  const long kill_after = argc == 4 ? std::atol(argv[3]) : -1;
  try {
    std::filesystem::create_directories(out);
    std::ofstream scalars(out / "scalars.csv");
    std::ofstream histograms(out / "histograms.csv");
    scalars << "scenario,seed,step,tag,value\n";
    histograms << "scenario,seed,step,tag,values\n";

    gradflow::tensorboard::EventWriter writer(out / "sample" / "seed1");
    std::mt19937 rng(7);
    std::normal_distribution<float> normal(0.0f, 1.0f);
    long written = 0;
    auto after_event = [&] {
      scalars.flush();
      histograms.flush();
      if (++written == kill_after) std::raise(SIGKILL);
    };
    for (std::int64_t step = 0; step <= 1000; step += 200) {
      // Values that stress the encoding: exactly 0 (must still be written), negatives, a
      // denormal, large magnitudes; `{}` prints a float's shortest round-trip form.
      const std::vector<std::pair<std::string, float>> points = {
          {"loss", step == 0 ? 0.0f : 2.3f / static_cast<float>(step)},
          {"accuracy", static_cast<float>(step) / 1000.0f},
          {"layer3/kernel_grad_mean", 1.0e-3f * normal(rng) * normal(rng)},
          {"layer3/bias_grad_mean", step == 400 ? 1.0e-41f : -3.0e7f * normal(rng)},
      };
      for (const auto& [tag, value] : points) {
        writer.scalar(tag, step, value);
        scalars << fmt::format("sample,1,{},{},{}\n", step, tag, value);
        after_event();
      }
      std::vector<float> values(200 + static_cast<std::size_t>(step) / 10);
      for (float& v : values) v = 0.05f * normal(rng);
      values[0] = 0.0f;
      values[1] = 0.0f;
      values[2] = -1.0e-13f;  // below the smallest limit's magnitude
      values[3] = 1.0e25f;    // above the largest finite limit
      for (const char* tag : {"layer3/kernel_grad", "layer3/kernel"}) {
        writer.histogram(tag, step, values);
        histograms << fmt::format("sample,1,{},{},{}\n", step, tag, fmt::join(values, " "));
        after_event();
      }
    }
    std::cout << writer.file().string() << "\n";
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }
}
