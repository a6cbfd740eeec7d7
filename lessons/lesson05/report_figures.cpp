// The figures of lesson 05, drawn by gnuplot.
//
// For every figure we write two plain files into the output folder and then run gnuplot there:
//   <stem>.dat  the numbers, one block per scenario (or per logged step), with a comment header;
//   <stem>.gp   the gnuplot script, which draws the figure twice: <stem>.svg and <stem>.png.
// The script only names files in its own folder, so a learner can change a colour or a range
// and re-draw the figure with `gnuplot <stem>.gp` inside the output folder, no C++ needed.
//
// The figures:
//   accuracy          train-batch accuracy and loss over the iterations, mean over seeds with a
//                     min-max band; the test accuracy is in the legend
//   gradients         mean |dL/dW| per layer over the iterations, one panel per scenario, log y,
//                     the same y-range on every panel so the panels compare
//   bias_gradients    the same for mean |dL/db|
//   layer_profile     mean |dL/dW|, mean |dL/db| and mean |W| against the layer index: the whole
//                     vanishing gradient in one picture
//   histograms_<s>    the distribution of one layer's kernel values and kernel gradients at every
//                     logged step of the first seed, as ridges (TensorBoard's histogram view)

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <stdexcept>

#include "autodiff/viz/dot.hpp"
#include "lessons/lesson05/report.hpp"

namespace gradflow::lessons::lesson05 {

int histogram_layer(const Settings& settings) { return std::clamp(4, 1, std::max(1, settings.layers)); }

namespace {

namespace fs = std::filesystem;

// ---------------------------------------------------------------------------------------------
// Gathering the numbers
// ---------------------------------------------------------------------------------------------

// The runs of one scenario (one per seed), in seed order.
struct Scenario {
  std::string name;
  std::vector<const Run*> runs;
  const ScenarioSummary* summary = nullptr;
};

std::vector<Scenario> scenarios_of(const Results& results) {
  std::vector<Scenario> out;
  for (const std::string& name : results.settings.activations) {
    Scenario s{name, {}, nullptr};
    for (const Run& run : results.runs) {
      if (run.scenario == name && !run.log.empty()) s.runs.push_back(&run);
    }
    for (const ScenarioSummary& m : results.summaries) {
      if (m.scenario == name) s.summary = &m;
    }
    if (!s.runs.empty()) out.push_back(std::move(s));
  }
  return out;
}

// Mean, smallest and largest of one quantity over the seeds.
struct Spread {
  double mean = 0;
  double lo = 0;
  double hi = 0;
};

Spread spread_of(const std::vector<double>& values) {
  Spread s;
  if (values.empty()) return s;
  s.lo = *std::min_element(values.begin(), values.end());
  s.hi = *std::max_element(values.begin(), values.end());
  for (double v : values) s.mean += v;
  s.mean /= static_cast<double>(values.size());
  return s;
}

// One number per run, taken at logged point `i` (every seed logs the same steps).
template <class F>
Spread across_seeds(const Scenario& s, std::size_t i, F&& value_of) {
  std::vector<double> values;
  for (const Run* run : s.runs) {
    if (i < run->log.size()) values.push_back(value_of(run->log[i]));
  }
  return spread_of(values);
}

std::size_t logged_points(const Scenario& s) {
  std::size_t n = std::numeric_limits<std::size_t>::max();
  for (const Run* run : s.runs) n = std::min(n, run->log.size());
  return n;
}

std::size_t layer_count(const Scenario& s) { return s.runs.front()->log.front().gradients.layers.size(); }

// A layer's mean over the logged steps of one run: the number summarise() averages over seeds.
double time_average(const Run& run, std::size_t layer, float nn::LayerRecord::*field) {
  double total = 0;
  for (const LogPoint& p : run.log) total += static_cast<double>(p.gradients.layers[layer].*field);
  return total / static_cast<double>(run.log.size());
}

// ---------------------------------------------------------------------------------------------
// Writing gnuplot
// ---------------------------------------------------------------------------------------------

// Colours for the scenarios: Okabe and Ito's colour-blind-safe palette, in the post's order
// (sigmoid blue, ReLU red, leaky ReLU green).
std::string scenario_color(std::string_view scenario, std::size_t index) {
  if (scenario == "sigmoid") return "#0072B2";
  if (scenario == "relu") return "#D55E00";
  if (scenario == "leaky_relu") return "#009E73";
  if (scenario == "tanh") return "#CC79A7";
  static constexpr std::string_view others[] = {"#E69F00", "#56B4E9", "#000000", "#F0E442"};
  return std::string(others[index % std::size(others)]);
}

// A sequential colour for item i of n (layer 1 ... layer N, step 0 ... last): viridis from its
// dark violet end to yellow-green. We stop at 0.85 of the map because its last, pale yellow
// colours are hard to see on white paper.
std::string sequential_color(std::size_t i, std::size_t n) {
  const double t = n > 1 ? 0.85 * static_cast<double>(i) / static_cast<double>(n - 1) : 0.0;
  return autodiff::viz::color_for(t, autodiff::viz::ColorScale{0.0, 1.0});
}

// `color` mixed with white: the fill under a ridge, so the line on top of it stays readable.
std::string tint(const std::string& color, double white) {
  unsigned r = 0, g = 0, b = 0;
  std::sscanf(color.c_str(), "#%02x%02x%02x", &r, &g, &b);
  auto mix = [&](unsigned c) { return static_cast<int>(std::lround(c + (255.0 - c) * white)); };
  return fmt::format("#{:02x}{:02x}{:02x}", mix(r), mix(g), mix(b));
}

// Text for a double-quoted gnuplot string in "enhanced" mode, where _ ^ { } @ & are markup
// (leaky_relu would print as leaky with a subscript r). A double backslash makes them literal.
std::string gp_text(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\\\\\"; break;
      case '_':
      case '^':
      case '{':
      case '}':
      case '@':
      case '&':
        out += "\\\\";
        out += c;
        break;
      default: out += c;
    }
  }
  return out;
}

std::string num(double v) { return std::isfinite(v) ? fmt::format("{:.6g}", v) : std::string("NaN"); }

// A log axis range from the smallest to the largest positive value, widened to whole decades
// (and to at least two) so the tick labels are round powers of ten.
struct LogRange {
  double lo = 1e-6;
  double hi = 1;
};

class LogRangeBuilder {
 public:
  void add(double v) {
    if (!(v > 0) || !std::isfinite(v)) return;  // zeros have no place on a log axis
    lo_ = std::min(lo_, v);
    hi_ = std::max(hi_, v);
  }
  [[nodiscard]] LogRange range() const {
    if (lo_ > hi_) return {};
    LogRange r{std::pow(10.0, std::floor(std::log10(lo_))), std::pow(10.0, std::ceil(std::log10(hi_)))};
    if (r.hi <= r.lo * 10) r.hi = r.lo * 100;
    return r;
  }

 private:
  double lo_ = std::numeric_limits<double>::infinity();
  double hi_ = -std::numeric_limits<double>::infinity();
};

// "set xtics 0, inc, end" with a round increment (1, 2 or 5 times a power of ten) giving about
// five tics, the last one strictly inside [0, last].
std::string x_tics(long last) {
  if (last <= 0) return "set xtics autofreq\n";
  const double raw = static_cast<double>(last) / 5.0;
  const double decade = std::pow(10.0, std::floor(std::log10(raw)));
  double inc = decade;
  for (double m : {1.0, 2.0, 5.0, 10.0}) {
    if (m * decade >= raw) {
      inc = m * decade;
      break;
    }
  }
  double end = std::floor(static_cast<double>(last) / inc) * inc;
  if (end >= 0.95 * static_cast<double>(last)) end -= inc;
  return fmt::format("set xtics 0,{},{}\n", num(inc), num(std::max(0.0, end)));
}

// The script around a figure's plotting commands: draw everything twice, as SVG and as PNG.
// Both terminals get the same size and font, so the two files show the same picture.
std::string script(std::string_view stem, std::string_view what, std::string_view body, int width = 1200,
                   int height = 700) {
  std::string s;
  s += fmt::format("# {}.gp: {}\n", stem, what);
  s += "# Written by lesson05_vanishing_gradients. Edit it and re-draw in this folder with:\n";
  s += fmt::format("#   gnuplot {}.gp\n", stem);
  s += "set encoding utf8\n";
  s += "do for [ext in \"svg png\"] {\n";
  s += "  if (ext eq \"svg\") {\n";
  s += fmt::format(
      "    set terminal svg size {},{} fixed enhanced font \"DejaVu Sans,12\" linewidth 1.2 background "
      "\"white\"\n",
      width, height);
  s += "  } else {\n";
  s += fmt::format(
      "    set terminal pngcairo size {},{} enhanced font \"DejaVu Sans,12\" linewidth 1.2 background \"white\"\n",
      width, height);
  s += "  }\n";
  s += fmt::format("  set output \"{}.\".ext\n", stem);
  std::istringstream lines{std::string(body)};
  for (std::string line; std::getline(lines, line);) s += line.empty() ? "\n" : "  " + line + "\n";
  s += "  set output\n";
  s += "  reset\n";
  s += "}\n";
  return s;
}

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Runs `gnuplot <stem>.gp` inside the output folder and checks that it drew both files.
// gnuplot's messages go to a log file that is read back into the error message and removed.
void run_gnuplot(const OutputDir& out, const std::string& stem) {
  const fs::path folder = out.staging_path();
  const std::string script_name = stem + ".gp";
  const fs::path log = out.path(stem + ".gnuplot.log");
  const pid_t pid = ::fork();
  if (pid < 0) {
    throw std::runtime_error(fmt::format("figure {}: cannot start gnuplot: {}", stem, std::strerror(errno)));
  }
  if (pid == 0) {
    // The child: only async-signal-safe calls until exec.
    const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
      ::dup2(fd, STDOUT_FILENO);
      ::dup2(fd, STDERR_FILENO);
      ::close(fd);
    }
    if (::chdir(folder.c_str()) != 0) ::_exit(126);
    ::execlp("gnuplot", "gnuplot", script_name.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);  // exec failed: gnuplot is not on the PATH
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) {
      throw std::runtime_error(fmt::format("figure {}: waiting for gnuplot failed: {}", stem, std::strerror(errno)));
    }
  }
  std::string messages = read_file(log);
  std::error_code ec;
  fs::remove(log, ec);
  while (!messages.empty() && (messages.back() == '\n' || messages.back() == ' ')) messages.pop_back();

  const int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  if (code == 127) {
    throw std::runtime_error(fmt::format(
        "figure {}: gnuplot is not installed or not on the PATH (Debian: apt-get install gnuplot-nox)", stem));
  }
  if (code != 0) {
    throw std::runtime_error(fmt::format("figure {}: gnuplot failed on {} ({}){}{}", stem, script_name,
                                         code < 0 ? "killed by a signal" : fmt::format("exit code {}", code),
                                         messages.empty() ? "" : ":\n", messages));
  }
  for (const char* ext : {".svg", ".png"}) {
    const fs::path file = out.path(stem + ext);
    if (!fs::exists(file, ec) || fs::file_size(file, ec) == 0) {
      throw std::runtime_error(fmt::format("figure {}: gnuplot exited 0 but did not write {}{}{}", stem,
                                           file.filename().string(), messages.empty() ? "" : ":\n", messages));
    }
  }
}

// Writes the data and script of one figure, runs gnuplot, and returns the picture.
Picture draw(const OutputDir& out, const std::string& stem, const std::string& data, const std::string& gp,
             const std::string& scenario = {}) {
  out.write_text(stem + ".dat", data);
  out.write_text(stem + ".gp", gp);
  run_gnuplot(out, stem);
  return Picture{stem, stem + ".gp", scenario};
}

std::string test_accuracy_text(const Scenario& s) {
  if (!s.summary) return "";
  const Stat& t = s.summary->test_accuracy;
  return s.runs.size() > 1 ? fmt::format("test {:.1f} ± {:.1f}%", 100 * t.mean, 100 * t.std)
                           : fmt::format("test {:.1f}%", 100 * t.mean);
}

std::string seeds_text(std::size_t n) { return n == 1 ? "1 seed" : fmt::format("{} seeds", n); }

// ---------------------------------------------------------------------------------------------
// (a) accuracy: what the post showed first, plus the loss and the spread over seeds
// ---------------------------------------------------------------------------------------------
Picture accuracy_figure(const Results& results, const std::vector<Scenario>& scenarios, const OutputDir& out) {
  std::string data =
      "# Train-batch accuracy (%) and loss at every logged step: mean, min and max over the seeds.\n"
      "# One block per scenario (gnuplot: index 0, 1, ...).\n";
  std::size_t most_seeds = 0;
  for (const Scenario& s : scenarios) {
    most_seeds = std::max(most_seeds, s.runs.size());
    data += fmt::format("# scenario {} ({})\n# step acc_mean acc_min acc_max loss_mean loss_min loss_max\n", s.name,
                        seeds_text(s.runs.size()));
    for (std::size_t i = 0; i < logged_points(s); ++i) {
      const Spread acc = across_seeds(s, i, [](const LogPoint& p) { return 100.0 * p.accuracy; });
      const Spread loss = across_seeds(s, i, [](const LogPoint& p) { return static_cast<double>(p.loss); });
      data += fmt::format("{} {} {} {} {} {} {}\n", s.runs.front()->log[i].step, num(acc.mean), num(acc.lo),
                          num(acc.hi), num(loss.mean), num(loss.lo), num(loss.hi));
    }
    data += "\n\n";
  }

  // Two panels: accuracy (what the post plotted) and the loss it logged but did not show.
  std::string body;
  body += fmt::format("set multiplot layout 1,2 title \"{}\" font \",15\"\n",
                      gp_text(fmt::format("Training on MNIST: train-batch accuracy and loss (batch {}; lines: mean "
                                          "over {}, bands: min–max)",
                                          results.settings.batch, seeds_text(most_seeds))));
  body += "set grid lc rgb \"#dddddd\"\nset border lc rgb \"#555555\"\nset xlabel \"training step\"\n";
  body += "set key bottom right box opaque samplen 2 spacing 1.2\n";
  auto panel = [&](int first_column, std::string_view title, std::string_view ylabel, bool with_test) {
    std::string p = fmt::format("set title \"{}\"\nset ylabel \"{}\"\n", gp_text(title), gp_text(ylabel));
    p += "plot \\\n";
    for (std::size_t k = 0; k < scenarios.size(); ++k) {
      const Scenario& s = scenarios[k];
      const std::string color = scenario_color(s.name, k);
      const std::string label = with_test ? fmt::format("{} ({})", s.name, test_accuracy_text(s)) : s.name;
      p += fmt::format(
          "  \"accuracy.dat\" index {0} using 1:{1}:{2} with filledcurves fc rgb \"{3}\" fs transparent solid 0.18 "
          "noborder notitle, \\\n"
          "  \"accuracy.dat\" index {0} using 1:{4} with linespoints lw 2.5 pt 7 ps 0.6 lc rgb \"{3}\" title \"{5}\"",
          k, first_column + 1, first_column + 2, color, first_column, gp_text(label));
      p += k + 1 < scenarios.size() ? ", \\\n" : "\n";
    }
    return p;
  };
  body += "set yrange [0:100]\n";
  body += panel(2, "accuracy on the training batch", "accuracy (%)", true);
  body += "set yrange [0:*]\nset key top right\n";
  body += panel(5, "loss on the training batch (softmax cross-entropy)", "loss", false);
  body += "unset multiplot\n";
  return draw(
      out, "accuracy", data,
      script("accuracy", "train-batch accuracy and loss per scenario, mean over seeds with a min-max band", body));
}

// ---------------------------------------------------------------------------------------------
// (b), (c) gradients and bias_gradients: one panel per scenario, one line per layer
// ---------------------------------------------------------------------------------------------
Picture layer_lines_figure(const std::vector<Scenario>& scenarios, const OutputDir& out, const std::string& stem,
                           float nn::LayerRecord::*field, std::string_view symbol, std::string_view what) {
  // Data: per scenario, per logged step, the mean over seeds of every layer, then the min and
  // max over seeds (for the faint bands).
  std::string data = fmt::format(
      "# Mean {} per layer at every logged step: mean over the seeds, then min and max over them.\n"
      "# One block per scenario. Columns: step, mean_1..mean_N, min_1..min_N, max_1..max_N.\n",
      symbol);
  LogRangeBuilder range;
  std::size_t layers = 0;
  for (const Scenario& s : scenarios) {
    const std::size_t n = layer_count(s);
    layers = std::max(layers, n);
    data += fmt::format("# scenario {} ({}, {} layers)\n", s.name, seeds_text(s.runs.size()), n);
    for (std::size_t i = 0; i < logged_points(s); ++i) {
      std::vector<Spread> per_layer;
      for (std::size_t l = 0; l < n; ++l) {
        per_layer.push_back(
            across_seeds(s, i, [&](const LogPoint& p) { return static_cast<double>(p.gradients.layers[l].*field); }));
        range.add(per_layer.back().lo);
        range.add(per_layer.back().hi);
      }
      data += fmt::format("{}", s.runs.front()->log[i].step);
      for (const Spread& v : per_layer) data += fmt::format(" {}", num(v.mean));
      for (const Spread& v : per_layer) data += fmt::format(" {}", num(v.lo));
      for (const Spread& v : per_layer) data += fmt::format(" {}", num(v.hi));
      data += "\n";
    }
    data += "\n\n";
  }
  const LogRange y = range.range();
  long last_step = 0;
  for (const Scenario& s : scenarios) last_step = std::max(last_step, s.runs.front()->log.back().step);

  // The panels share one y-range, so a line that sits lower in one panel than in another really
  // is smaller. Margins are fixed by hand so that every panel has the same size and the key
  // fits in a column of its own on the right.
  const std::size_t n_panels = scenarios.size();
  const double left = 0.075, right = 0.86, gap = 0.02;
  const double width = (right - left - gap * static_cast<double>(n_panels - 1)) / static_cast<double>(n_panels);
  std::string body;
  body += fmt::format("set multiplot title \"{}\" font \",15\"\n",
                      gp_text(fmt::format("{} per layer during training (log scale; lines: mean over seeds, "
                                          "bands: min–max)",
                                          what)));
  body += fmt::format("set logscale y\nset yrange [{}:{}]\nset format y \"10^{{%L}}\"\n", num(y.lo), num(y.hi));
  body += "set grid lc rgb \"#dddddd\"\nset border lc rgb \"#555555\"\nset xlabel \"training step\"\n";
  body += "set tmargin at screen 0.87\nset bmargin at screen 0.11\n";
  // Panels sit side by side, so a tick label at the right edge of one would run into the "0" of
  // the next: the x tics stop short of the last step.
  body += fmt::format("set xrange [0:{}]\n{}", std::max(1L, last_step), x_tics(last_step));
  for (std::size_t k = 0; k < n_panels; ++k) {
    const Scenario& s = scenarios[k];
    const double l = left + static_cast<double>(k) * (width + gap);
    body += fmt::format("set lmargin at screen {:.4f}\nset rmargin at screen {:.4f}\n", l, l + width);
    body += fmt::format("set title \"{}\"\n", gp_text(fmt::format("{} ({})", s.name, test_accuracy_text(s))));
    if (k == 0) {
      body += fmt::format("set ylabel \"mean {}\"\n", gp_text(symbol));
    } else {
      body += "unset ylabel\nset format y \"\"\n";
    }
    if (k + 1 == n_panels) {
      body += "set key at screen 0.995,0.87 right top box opaque title \"layer\" samplen 2 spacing 1.25\n";
    } else {
      body += "unset key\n";
    }
    const std::size_t n = layer_count(s);
    body += "plot \\\n";
    for (std::size_t li = 0; li < n; ++li) {
      body += fmt::format(
          "  \"{0}.dat\" index {1} using 1:{2}:{3} with filledcurves fc rgb \"{4}\" fs transparent solid 0.10 "
          "noborder notitle, \\\n",
          stem, k, 2 + n + li, 2 + 2 * n + li, sequential_color(li, n));
    }
    for (std::size_t li = 0; li < n; ++li) {
      body += fmt::format(
          "  \"{0}.dat\" index {1} using 1:{2} with linespoints lw 2.5 pt 7 ps 0.5 lc rgb \"{3}\" "
          "title \"{4}\"{5}\n",
          stem, k, 2 + li, sequential_color(li, n),
          li + 1 == n ? fmt::format("{} (output)", li + 1) : fmt::format("{}", li + 1), li + 1 < n ? ", \\" : "");
    }
  }
  body += "unset multiplot\n";
  return draw(out, stem, data,
              script(stem, fmt::format("mean {} per layer over training, one panel per scenario", symbol), body));
}

// ---------------------------------------------------------------------------------------------
// (e) layer_profile: each layer's gradient, averaged over the logged steps, against its depth
// ---------------------------------------------------------------------------------------------
Picture layer_profile_figure(const std::vector<Scenario>& scenarios, const OutputDir& out) {
  std::string data =
      "# Per layer: the mean over logged steps of mean |dL/dW|, mean |dL/db| and mean |W|, then the mean, min and max\n"
      "# of that over the seeds. One block per scenario. Column 2 is the layer shifted a little per scenario so\n"
      "# that the error bars do not sit on top of each other.\n";
  LogRangeBuilder range;
  double max_weight = 0;
  const double shift = 0.06;
  for (std::size_t k = 0; k < scenarios.size(); ++k) {
    const Scenario& s = scenarios[k];
    data += fmt::format(
        "# scenario {} ({})\n# layer x grad_mean grad_min grad_max bias_mean bias_min bias_max weight_mean weight_min "
        "weight_max\n",
        s.name, seeds_text(s.runs.size()));
    const double offset = (static_cast<double>(k) - 0.5 * static_cast<double>(scenarios.size() - 1)) * shift;
    for (std::size_t l = 0; l < layer_count(s); ++l) {
      std::vector<double> kernel, bias, weight;
      for (const Run* run : s.runs) {
        kernel.push_back(time_average(*run, l, &nn::LayerRecord::mean_abs_kernel_grad));
        bias.push_back(time_average(*run, l, &nn::LayerRecord::mean_abs_bias_grad));
        weight.push_back(time_average(*run, l, &nn::LayerRecord::mean_abs_kernel));
      }
      const Spread kg = spread_of(kernel), bg = spread_of(bias), w = spread_of(weight);
      for (double v : {kg.lo, kg.hi, bg.lo, bg.hi}) range.add(v);
      max_weight = std::max(max_weight, w.hi);
      data += fmt::format("{} {:.3f} {} {} {} {} {} {} {} {} {}\n", l + 1, static_cast<double>(l + 1) + offset,
                          num(kg.mean), num(kg.lo), num(kg.hi), num(bg.mean), num(bg.lo), num(bg.hi), num(w.mean),
                          num(w.lo), num(w.hi));
    }
    data += "\n\n";
  }
  const LogRange y = range.range();
  const std::size_t layers = scenarios.empty() ? 0 : layer_count(scenarios.front());

  std::string body;
  body += fmt::format(
      "set multiplot layout 1,3 title \"{}\" font \",15\"\n",
      gp_text(fmt::format("The vanishing gradient, layer by layer (each layer averaged over the logged steps; bars: "
                          "min–max over {})",
                          seeds_text(scenarios.empty() ? 0 : scenarios.front().runs.size()))));
  body += "set grid lc rgb \"#dddddd\"\nset border lc rgb \"#555555\"\n";
  body += fmt::format("set xlabel \"layer (1 = next to the input, {} = output)\"\nset xrange [0.6:{:.1f}]\n", layers,
                      static_cast<double>(layers) + 0.4);
  body += "set xtics 1\nset key top left box opaque samplen 2 spacing 1.2\n";
  auto panel = [&](int mean_column, std::string_view title, std::string_view ylabel, bool log_axis, bool with_ratio) {
    std::string p = fmt::format("set title \"{}\"\nset ylabel \"{}\"\n", gp_text(title), gp_text(ylabel));
    if (log_axis) {
      p += fmt::format("set logscale y\nset yrange [{}:{}]\nset format y \"10^{{%L}}\"\n", num(y.lo), num(y.hi));
    } else {
      p += fmt::format("unset logscale y\nset yrange [0:{}]\nset format y \"%g\"\n", num(max_weight * 1.25));
    }
    p += "plot \\\n";
    for (std::size_t k = 0; k < scenarios.size(); ++k) {
      const Scenario& s = scenarios[k];
      std::string label = s.name;
      if (with_ratio && s.summary) {
        const Stat& r = mean_column == 3 ? s.summary->kernel_ratio_last_first : s.summary->bias_ratio_last_first;
        label += fmt::format(" ({}/1: {:.1f}x)", layers, r.mean);
      }
      p += fmt::format(
          "  \"layer_profile.dat\" index {} using 2:{}:{}:{} with yerrorlines lw 2.5 pt 7 ps 1 lc rgb \"{}\" "
          "title \"{}\"{}\n",
          k, mean_column, mean_column + 1, mean_column + 2, scenario_color(s.name, k), gp_text(label),
          k + 1 < scenarios.size() ? ", \\" : "");
    }
    return p;
  };
  body += panel(3, "kernel gradient", "mean |dL/dW|", true, true);
  body += panel(6, "bias gradient (the back-propagated error)", "mean |dL/db|", true, true);
  body += panel(9, "size of the weights", "mean |W|", false, false);
  body += "unset multiplot\n";
  return draw(
      out, "layer_profile", data,
      script("layer_profile", "mean |dL/dW|, mean |dL/db| and mean |W| against the layer index", body, 1400, 620));
}

// ---------------------------------------------------------------------------------------------
// (d) histograms_<scenario>: ridges, one per logged step, like TensorBoard's histogram view
// ---------------------------------------------------------------------------------------------
Picture histogram_figure(const Results& results, const Scenario& s, const OutputDir& out) {
  const Run& run = *s.runs.front();
  const std::size_t layer = static_cast<std::size_t>(histogram_layer(results.settings)) - 1;
  const std::string stem = "histograms_" + s.name;
  const std::size_t steps = run.log.size();
  const double spacing = steps > 1 ? static_cast<double>(run.log[1].step - run.log[0].step) : 1.0;
  // Each ridge is scaled to its own tallest bin, and that peak rises 1.6 rows high: the ridges
  // overlap a little, which keeps them tall enough to read without hiding each other.
  const double peak = 1.6 * spacing;

  // The monitor's histograms have 30 bins for a 10 x 10 kernel: about 3 values a bin, too few
  // for a readable shape. Adjacent bins are merged in pairs (equal-width bins add up exactly).
  const auto merged = [](const nn::Histogram& h) {
    nn::Histogram m{h.lo, h.hi, {}};
    const std::size_t group = h.counts.size() >= 20 ? 2 : 1;
    for (std::size_t b = 0; b < h.counts.size(); b += group) {
      std::uint32_t c = 0;
      for (std::size_t k = b; k < std::min(h.counts.size(), b + group); ++k) c += h.counts[k];
      m.counts.push_back(c);
    }
    return m;
  };
  const std::size_t shown_bins = merged(run.log.front().gradients.layers[layer].kernel_value).counts.size();

  // Block 2*i is step i's kernel values, block 2*i + 1 its kernel gradient. Each bin is drawn
  // as a flat top from its left to its right edge, so the ridge is the histogram's outline.
  std::string data = fmt::format(
      "# Histograms of layer{} of the {} run with seed {} ({} bins each): block 2i holds the kernel values W at\n"
      "# logged step i, block 2i+1 the kernel gradient dL/dW. Columns: x, baseline (= the step), top (= baseline +\n"
      "# the bin's count scaled so that the step's fullest bin reaches {} above its baseline), count.\n",
      layer + 1, s.name, run.seed, shown_bins, num(peak));
  for (std::size_t i = 0; i < steps; ++i) {
    const auto& rec = run.log[i].gradients.layers[layer];
    const auto base = static_cast<double>(run.log[i].step);
    for (const nn::Histogram* raw : {&rec.kernel_value, &rec.kernel_grad}) {
      const nn::Histogram h = merged(*raw);
      data += fmt::format("# step {} {}\n", run.log[i].step, raw == &rec.kernel_value ? "kernel_value" : "kernel_grad");
      const std::size_t bins = h.counts.size();
      const std::uint32_t tallest = bins ? *std::max_element(h.counts.begin(), h.counts.end()) : 0;
      const double lo = h.lo, hi = h.hi, width = bins ? (hi - lo) / static_cast<double>(bins) : 0.0;
      // Start and end on the baseline so the filled ridge closes.
      data += fmt::format("{} {} {} 0\n", num(lo), num(base), num(base));
      for (std::size_t b = 0; b < bins; ++b) {
        const double top = base + (tallest ? peak * h.counts[b] / tallest : 0.0);
        const double left = lo + width * static_cast<double>(b);
        data += fmt::format("{} {} {} {}\n", num(left), num(base), num(top), h.counts[b]);
        data += fmt::format("{} {} {} {}\n", num(left + width), num(base), num(top), h.counts[b]);
      }
      data += fmt::format("{} {} {} 0\n\n\n", num(hi), num(base), num(base));
    }
  }

  const auto last_step = static_cast<double>(run.log.back().step);
  std::string body;
  body += fmt::format(
      "set multiplot layout 1,2 title \"{}\" font \",15\"\n",
      gp_text(fmt::format("{}: histograms of layer {} during training (seed {})", s.name, layer + 1, run.seed)));
  body += fmt::format(
      "set label 1 \"one ridge per logged step, each scaled to its own tallest bin ({} bins); dark = early, bright = "
      "late\" at screen 0.5,0.025 center textcolor rgb \"#444444\"\n",
      shown_bins);
  body += "set bmargin 5\n";
  body += "set grid xtics lc rgb \"#e5e5e5\"\nset border lc rgb \"#555555\"\nunset key\n";
  body += fmt::format("set ylabel \"training step\"\nset yrange [{}:{}]\nset ytics {}\n", num(-0.3 * spacing),
                      num(last_step + peak + 0.3 * spacing), num(spacing * (steps > 8 ? 2 : 1)));
  for (int kind = 0; kind < 2; ++kind) {
    body += fmt::format("set title \"{}\"\nset xlabel \"{}\"\n",
                        kind == 0 ? "kernel values W (what the post meant to log as \\\"weights\\\")"
                                  : "kernel gradient dL/dW (which the post logged twice)",
                        kind == 0 ? "W" : "dL/dW");
    if (kind == 1) body += "unset label 1\nset format x \"%g\"\n";
    body += "plot \\\n";
    // Back to front: the latest step (at the top) first, so the earlier ridges in front of it
    // cover its lower part with their opaque fill, as in a ridgeline ("joy") plot.
    for (std::size_t j = steps; j-- > 0;) {
      const std::string color = sequential_color(j, steps);
      body += fmt::format(
          "  \"{0}.dat\" index {1} using 1:2:3 with filledcurves fc rgb \"{2}\" fs solid 1.0 noborder, \\\n"
          "  \"{0}.dat\" index {1} using 1:3 with lines lw 2 lc rgb \"{3}\"{4}\n",
          stem, 2 * j + static_cast<std::size_t>(kind), tint(color, 0.78), color, j > 0 ? ", \\" : "");
    }
  }
  body += "unset multiplot\n";
  return draw(
      out, stem, data,
      script(stem, fmt::format("layer {} kernel value and gradient histograms over training ({})", layer + 1, s.name),
             body),
      s.name);
}

}  // namespace

std::vector<Picture> write_figures(const Results& results, const OutputDir& out) {
  const std::vector<Scenario> scenarios = scenarios_of(results);
  if (scenarios.empty()) throw std::runtime_error("figures: no run logged anything, so there is nothing to plot");
  std::vector<Picture> pictures;
  pictures.push_back(accuracy_figure(results, scenarios, out));
  pictures.push_back(layer_profile_figure(scenarios, out));
  pictures.push_back(layer_lines_figure(scenarios, out, "gradients", &nn::LayerRecord::mean_abs_kernel_grad, "|dL/dW|",
                                        "Kernel gradient mean |dL/dW|"));
  pictures.push_back(layer_lines_figure(scenarios, out, "bias_gradients", &nn::LayerRecord::mean_abs_bias_grad,
                                        "|dL/db|", "Bias gradient mean |dL/db|"));
  for (const Scenario& s : scenarios) pictures.push_back(histogram_figure(results, s, out));
  return pictures;
}

}  // namespace gradflow::lessons::lesson05
