// Declarative figures -> NAME.dat + NAME.gp -> gnuplot -> NAME.svg + NAME.png.
#include "lessons/runtime/figures.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <utility>

#include "autodiff/viz/dot.hpp"

namespace gradflow::lessons::figures {

namespace fs = std::filesystem;

std::string series_color(std::string_view name, std::size_t index) {
  if (name == "sigmoid") return "#0072B2";
  if (name == "relu") return "#D55E00";
  if (name == "leaky_relu") return "#009E73";
  if (name == "tanh") return "#CC79A7";
  static constexpr std::string_view others[] = {"#E69F00", "#56B4E9", "#000000", "#F0E442", "#0072B2", "#D55E00"};
  return std::string(others[index % std::size(others)]);
}

std::string sequential_color(std::size_t i, std::size_t n) {
  const double t = n > 1 ? 0.85 * static_cast<double>(i) / static_cast<double>(n - 1) : 0.0;
  return autodiff::viz::color_for(t, autodiff::viz::ColorScale{0.0, 1.0});
}

Series line(std::string title, std::vector<double> x, std::vector<double> y, std::string color) {
  Series s;
  s.title = std::move(title);
  s.x = std::move(x);
  s.y = std::move(y);
  s.color = std::move(color);
  return s;
}

Series band(std::string title, std::vector<double> x, std::vector<double> y, std::vector<double> lo,
            std::vector<double> hi, std::string color) {
  Series s = line(std::move(title), std::move(x), std::move(y), std::move(color));
  s.lo = std::move(lo);
  s.hi = std::move(hi);
  return s;
}

namespace {

// `color` mixed with white (the fill under a ridge, so the line on top of it stays readable).
std::string tint(const std::string& color, double white) {
  unsigned r = 0, g = 0, b = 0;
  if (std::sscanf(color.c_str(), "#%02x%02x%02x", &r, &g, &b) != 3) return "#dddddd";
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
      case '\n': out += "\\n"; break;
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

bool has_band(const Series& s) { return !s.lo.empty() && !s.hi.empty(); }

void validate(const Figure& f) {
  if (f.name.empty() || f.name.find('/') != std::string::npos) {
    throw std::runtime_error(fmt::format("figure \"{}\": the name must be a plain file stem", f.name));
  }
  if (f.panels.empty()) throw std::runtime_error(fmt::format("figure {}: it has no panels", f.name));
  for (std::size_t p = 0; p < f.panels.size(); ++p) {
    const Panel& panel = f.panels[p];
    if (panel.image) {
      const Image& im = *panel.image;
      if (im.rows <= 0 || im.cols <= 0 || im.values.size() != static_cast<std::size_t>(im.rows) * im.cols) {
        throw std::runtime_error(fmt::format("figure {} panel {}: image of {} x {} needs {} values, has {}", f.name,
                                             p + 1, im.rows, im.cols, static_cast<long>(im.rows) * im.cols,
                                             im.values.size()));
      }
      continue;
    }
    for (const Series& s : panel.series) {
      const bool lengths_ok = s.y.size() == s.x.size() && (s.lo.empty() || s.lo.size() == s.x.size()) &&
                              (s.hi.empty() || s.hi.size() == s.x.size());
      if (!lengths_ok) {
        throw std::runtime_error(
            fmt::format("figure {} panel {} series \"{}\": x has {} values, y {}, lo {}, hi {} (they must match)",
                        f.name, p + 1, s.title, s.x.size(), s.y.size(), s.lo.size(), s.hi.size()));
      }
      if ((s.style == Style::errorbars || s.style == Style::ridge) && !has_band(s)) {
        throw std::runtime_error(
            fmt::format("figure {} panel {} series \"{}\": this style needs lo and hi", f.name, p + 1, s.title));
      }
    }
  }
}

int columns_of(const Figure& f) {
  const int n = static_cast<int>(f.panels.size());
  return std::clamp(f.columns > 0 ? f.columns : std::min(2, n), 1, std::max(1, n));
}

std::string palette(const Image& im) {
  if (im.palette == "gray") return "set palette gray\n";
  if (im.palette == "diverging") return "set palette defined (0 \"#2166ac\", 0.5 \"#ffffff\", 1 \"#b2182b\")\n";
  return "set palette defined (0 \"#440154\", 0.25 \"#3b528b\", 0.5 \"#21918c\", 0.75 \"#5ec962\", 1 \"#fde725\")\n";
}

std::string image_commands(const Figure& f, const Image& im, std::size_t block) {
  std::string p;
  p += palette(im);
  double lo = im.min.value_or(0), hi = im.max.value_or(0);
  if (!im.min || !im.max) {
    double dlo = INFINITY, dhi = -INFINITY;
    for (double v : im.values) {
      if (std::isfinite(v)) {
        dlo = std::min(dlo, v);
        dhi = std::max(dhi, v);
      }
    }
    if (!(dlo <= dhi)) dlo = 0, dhi = 1;
    if (im.palette == "diverging") {
      const double m = std::max(std::abs(dlo), std::abs(dhi));
      dlo = -m, dhi = m;
    }
    if (!im.min) lo = dlo;
    if (!im.max) hi = dhi;
  }
  if (hi <= lo) hi = lo + 1;
  p += fmt::format("set cbrange [{}:{}]\n", num(lo), num(hi));
  p += im.colorbar ? fmt::format("set colorbox\nset cblabel \"{}\"\n", gp_text(im.colorbar_label)) : "unset colorbox\n";
  p += fmt::format("set xrange [-0.5:{}]\nset yrange [{}:-0.5]\n", num(im.cols - 0.5), num(im.rows - 0.5));
  p += "set size ratio -1\nunset grid\nset tics scale 0\n";
  auto tics = [](std::string_view axis, const std::vector<std::string>& labels, int count) {
    if (labels.empty()) return fmt::format("set {}tics autofreq\n", axis);
    std::string t = fmt::format("set {}tics (", axis);
    for (int i = 0; i < count && i < static_cast<int>(labels.size()); ++i)
      t += fmt::format("{}\"{}\" {}", i ? ", " : "", gp_text(labels[static_cast<std::size_t>(i)]), i);
    return t + ")\n";
  };
  p += tics("x", im.col_labels, im.cols);
  p += tics("y", im.row_labels, im.rows);
  p += fmt::format("plot \"{0}.dat\" index {1} using 1:2:3 with image pixels notitle", f.name, block);
  if (im.annotate) {
    p += fmt::format(", \\\n  \"{0}.dat\" index {1} using 1:2:(sprintf(\"{2}\", $3)) with labels font \",{3}\" notitle",
                     f.name, block, im.value_format, std::max(7, f.font_size - 4));
  }
  // "set size noratio", not "unset size": in a multiplot layout the latter resets the panel to
  // the whole canvas, so every later panel is drawn over the others.
  p += "\nset size noratio\nset tics scale default\n";
  return p;
}

std::string series_commands(const Figure& f, const Panel& panel, std::size_t first_block) {
  std::vector<std::string> parts;
  // Bands and ridges first, so every line is drawn on top of them.
  for (std::size_t k = 0; k < panel.series.size(); ++k) {
    const Series& s = panel.series[k];
    const std::string color = s.color.empty() ? series_color(s.title, k) : s.color;
    const std::size_t block = first_block + k;
    if (s.style == Style::ridge) {
      parts.push_back(fmt::format(
          "\"{0}.dat\" index {1} using 1:3:4 with filledcurves fc rgb \"{2}\" fs solid 1.0 noborder notitle", f.name,
          block, s.fill_color.empty() ? tint(color, 0.78) : s.fill_color));
      parts.push_back(fmt::format("\"{0}.dat\" index {1} using 1:4 with lines lw {2} lc rgb \"{3}\" {4}", f.name, block,
                                  num(s.line_width), color,
                                  s.title.empty() ? "notitle" : fmt::format("title \"{}\"", gp_text(s.title))));
    } else if (has_band(s) && (s.style == Style::lines || s.style == Style::linespoints)) {
      parts.push_back(fmt::format(
          "\"{0}.dat\" index {1} using 1:3:4 with filledcurves fc rgb \"{2}\" fs transparent solid {3} noborder "
          "notitle",
          f.name, block, color, num(s.band_opacity)));
    }
  }
  for (std::size_t k = 0; k < panel.series.size(); ++k) {
    const Series& s = panel.series[k];
    if (s.style == Style::ridge) continue;
    const std::string color = s.color.empty() ? series_color(s.title, k) : s.color;
    const std::string title = s.title.empty() ? "notitle" : fmt::format("title \"{}\"", gp_text(s.title));
    const std::size_t block = first_block + k;
    switch (s.style) {
      case Style::lines:
        parts.push_back(fmt::format("\"{}.dat\" index {} using 1:2 with lines lw {} lc rgb \"{}\" {}", f.name, block,
                                    num(s.line_width), color, title));
        break;
      case Style::linespoints:
        parts.push_back(fmt::format("\"{}.dat\" index {} using 1:2 with linespoints lw {} pt 7 ps 0.6 lc rgb \"{}\" {}",
                                    f.name, block, num(s.line_width), color, title));
        break;
      case Style::points:
        parts.push_back(fmt::format("\"{}.dat\" index {} using 1:2 with points pt 7 ps 0.8 lc rgb \"{}\" {}", f.name,
                                    block, color, title));
        break;
      case Style::errorbars:
        parts.push_back(
            fmt::format("\"{}.dat\" index {} using 1:2:3:4 with yerrorlines lw {} pt 7 ps 1 lc rgb \"{}\" {}", f.name,
                        block, num(s.line_width), color, title));
        break;
      case Style::ridge: break;
    }
  }
  if (parts.empty()) return "set key off\nplot NaN notitle\n";
  std::string p = "plot \\\n";
  for (std::size_t i = 0; i < parts.size(); ++i) p += "  " + parts[i] + (i + 1 < parts.size() ? ", \\\n" : "\n");
  return p;
}

std::string range(std::string_view axis, const std::optional<double>& lo, const std::optional<double>& hi) {
  return fmt::format("set {}range [{}:{}]\n", axis, lo ? num(*lo) : "*", hi ? num(*hi) : "*");
}

}  // namespace

std::string data_file(const Figure& f) {
  validate(f);
  std::string d = fmt::format(
      "# {}.dat: the numbers of figure \"{}\", one block per series (gnuplot: index 0, 1, ...)\n", f.name, f.title);
  std::size_t block = 0;
  for (std::size_t p = 0; p < f.panels.size(); ++p) {
    const Panel& panel = f.panels[p];
    if (panel.image) {
      const Image& im = *panel.image;
      d += fmt::format("# block {}: panel {} \"{}\", image {} x {}; columns: column row value\n", block++, p + 1,
                       panel.title, im.rows, im.cols);
      for (int r = 0; r < im.rows; ++r) {
        for (int c = 0; c < im.cols; ++c)
          d += fmt::format("{} {} {}\n", c, r, num(im.values[static_cast<std::size_t>(r) * im.cols + c]));
        d += "\n";
      }
      d += "\n";
      continue;
    }
    for (const Series& s : panel.series) {
      d += fmt::format("# block {}: panel {} \"{}\", series \"{}\"; columns: x y{}\n", block++, p + 1, panel.title,
                       s.title, has_band(s) ? " lo hi" : "");
      for (std::size_t i = 0; i < s.x.size(); ++i) {
        if (has_band(s)) {
          d += fmt::format("{} {} {} {}\n", num(s.x[i]), num(s.y[i]), num(s.lo[i]), num(s.hi[i]));
        } else {
          d += fmt::format("{} {}\n", num(s.x[i]), num(s.y[i]));
        }
      }
      d += "\n\n";
    }
  }
  return d;
}

std::string gnuplot_script(const Figure& f) {
  validate(f);
  const int cols = columns_of(f);
  const int rows = (static_cast<int>(f.panels.size()) + cols - 1) / cols;
  const int title_px = f.title.empty() ? 0 : 2 * f.font_size + 16 + (f.footnote.empty() ? 0 : f.font_size + 6);
  const int width = cols * f.panel_width, height = rows * f.panel_height + title_px;

  std::string body;
  std::string title = gp_text(f.title);
  if (!f.footnote.empty()) title += fmt::format("\\n{{/*0.8 {}}}", gp_text(f.footnote));
  body += fmt::format("set multiplot layout {},{} title \"{}\" font \",{}\"\n", rows, cols, title, f.font_size + 2);
  body += "set datafile missing NaN\n";
  std::size_t block = 0;
  for (const Panel& panel : f.panels) {
    body += "set grid lc rgb \"#dddddd\"\nset border lc rgb \"#555555\"\n";
    body += fmt::format("set title \"{}\"\nset xlabel \"{}\"\nset ylabel \"{}\"\n", gp_text(panel.title),
                        gp_text(panel.x_label), gp_text(panel.y_label));
    if (panel.image) {
      body += "unset key\nunset logscale\n";
      body += image_commands(f, *panel.image, block++);
      body += "unset colorbox\nunset cblabel\n";
      continue;
    }
    body += panel.log_x ? "set logscale x\nset format x \"10^{%L}\"\n" : "unset logscale x\nset format x \"%g\"\n";
    body += panel.log_y ? "set logscale y\nset format y \"10^{%L}\"\n" : "unset logscale y\nset format y \"%g\"\n";
    body += range("x", panel.x_min, panel.x_max) + range("y", panel.y_min, panel.y_max);
    if (!panel.x_tic_labels.empty()) {
      body += "set xtics (";
      for (std::size_t i = 0; i < panel.x_tic_labels.size(); ++i)
        body += fmt::format("{}\"{}\" {}", i ? ", " : "", gp_text(panel.x_tic_labels[i]), i + 1);
      body += ")\n";
    } else if (panel.x_tic_step) {
      body += fmt::format("set xtics {}\n", num(*panel.x_tic_step));
    } else {
      body += "set xtics autofreq\n";
    }
    body += panel.y_tic_step ? fmt::format("set ytics {}\n", num(*panel.y_tic_step)) : "set ytics autofreq\n";
    if (panel.legend.empty()) {
      body += "unset key\n";
    } else {
      body += fmt::format("set key {} box opaque samplen 2 spacing 1.1 title \"{}\"\n", panel.legend,
                          gp_text(panel.legend_title));
    }
    body += series_commands(f, panel, block);
    block += panel.series.size();
  }
  body += "unset multiplot\n";

  std::string s;
  s += fmt::format("# {}.gp: {}\n", f.name, f.title);
  s += "# Written by a gradflow lesson. Edit it and redraw in this folder with:\n";
  s += fmt::format("#   gnuplot {}.gp\n", f.name);
  s += "set encoding utf8\n";
  s += f.png ? "do for [ext in \"svg png\"] {\n" : "do for [ext in \"svg\"] {\n";
  s += "  if (ext eq \"svg\") {\n";
  s += fmt::format(
      "    set terminal svg size {},{} fixed enhanced font \"DejaVu Sans,{}\" linewidth 1.2 background \"white\"\n",
      width, height, f.font_size);
  s += "  } else {\n";
  s += fmt::format(
      "    set terminal pngcairo size {},{} enhanced font \"DejaVu Sans,{}\" linewidth 1.2 background \"white\"\n",
      width, height, f.font_size);
  s += "  }\n";
  s += fmt::format("  set output \"{}.\".ext\n", f.name);
  std::istringstream lines{body};
  for (std::string line; std::getline(lines, line);) s += line.empty() ? "\n" : "  " + line + "\n";
  s += "  set output\n  reset\n}\n";
  return s;
}

namespace {

std::string read_all(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void write_all(const fs::path& p, const std::string& text, std::string_view figure) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) {
    throw std::runtime_error(fmt::format("figure {}: cannot write {}: {}", figure, p.string(), std::strerror(errno)));
  }
}

// Forks a gnuplot inside `folder` with its messages going to `log`. `script` is the file it
// runs (NAME.gp), or nullptr: then it reads commands from `input`, which becomes its standard
// input. Returns the pid, or -1 with errno set when fork fails.
pid_t spawn_gnuplot(const fs::path& folder, const fs::path& log, const char* script, int input) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    // The child: only async-signal-safe calls until exec. dup2 clears close-on-exec on the copies.
    if (input >= 0) ::dup2(input, STDIN_FILENO);
    const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
      ::dup2(fd, STDOUT_FILENO);
      ::dup2(fd, STDERR_FILENO);
      ::close(fd);
    }
    if (::chdir(folder.c_str()) != 0) ::_exit(126);
    ::execlp("gnuplot", "gnuplot", script, static_cast<char*>(nullptr));
    ::_exit(127);  // exec failed: gnuplot is not on the PATH
  }
  return pid;
}

// Starts `gnuplot NAME.gp` inside `folder`; its messages go to a log file that finish_gnuplot
// reads back into the error message and removes.
pid_t start_gnuplot(const fs::path& folder, const std::string& stem) {
  const std::string script_name = stem + ".gp";
  const pid_t pid = spawn_gnuplot(folder, folder / (stem + ".gnuplot.log"), script_name.c_str(), -1);
  if (pid < 0) throw std::runtime_error(fmt::format("figure {}: cannot start gnuplot: {}", stem, std::strerror(errno)));
  return pid;
}

// waitpid, retried when a signal interrupts it.
pid_t wait_for(pid_t pid, int& status) {
  pid_t done;
  while ((done = ::waitpid(pid, &status, 0)) < 0 && errno == EINTR) {
  }
  return done;
}

// The first of NAME.svg (and NAME.png when `png`) that gnuplot did not write, or left empty.
std::optional<fs::path> missing_picture(const fs::path& folder, const std::string& stem, bool png) {
  std::error_code ec;
  for (const char* ext : {".svg", ".png"}) {
    if (!png && std::string_view(ext) == ".png") continue;
    const fs::path file = folder / (stem + ext);
    if (!fs::exists(file, ec) || fs::file_size(file, ec) == 0) return file;
  }
  return std::nullopt;
}

// NAME.dat and NAME.gp, what gnuplot draws a figure from (data_file validates the figure first).
void write_figure_files(const Figure& f, const fs::path& folder) {
  const std::string data = data_file(f);
  const std::string script = gnuplot_script(f);
  write_all(folder / (f.name + ".dat"), data, f.name);
  write_all(folder / (f.name + ".gp"), script, f.name);
}

// Waits for the gnuplot started by start_gnuplot and checks that it drew both files.
void finish_gnuplot(pid_t pid, const fs::path& folder, const std::string& stem, bool png) {
  const std::string script_name = stem + ".gp";
  const fs::path log = folder / (stem + ".gnuplot.log");
  int status = 0;
  if (wait_for(pid, status) < 0) {
    throw std::runtime_error(fmt::format("figure {}: waiting for gnuplot failed: {}", stem, std::strerror(errno)));
  }
  std::string messages = read_all(log);
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
  if (const auto missing = missing_picture(folder, stem, png)) {
    throw std::runtime_error(fmt::format("figure {}: gnuplot exited 0 but did not write {}{}{}", stem,
                                         missing->filename().string(), messages.empty() ? "" : ":\n", messages));
  }
}

}  // namespace

void render(const Figure& f, const fs::path& folder) {
  write_figure_files(f, folder);
  finish_gnuplot(start_gnuplot(folder, f.name), folder, f.name, f.png);
}

// ---- Plotter: a few gnuplots, fed through their standard input ----------------------------------

namespace {

// gnuplot's single-quoted strings take no escapes except '' for a quote.
std::string single_quoted(std::string_view text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

// What each figure's commands end with, so the log can be cut into one piece per figure.
constexpr std::string_view kEndMarker = "gradflow: figure drawn";

}  // namespace

Plotter::Plotter(fs::path folder, std::size_t processes)
    : folder_(std::move(folder)), max_processes_(std::max<std::size_t>(1, processes)) {}

Plotter::~Plotter() {
  try {
    finish();
  } catch (...) {  // a destructor must not throw: the error was only wanted if finish() was called
  }
}

void Plotter::start_process(std::size_t index) {
  Process process;
  process.log = fmt::format(".gnuplot-{}.log", index);
  const fs::path log = folder_ / process.log;
  int ends[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, ends) != 0) {
    throw std::runtime_error(fmt::format("figures: cannot start gnuplot: socketpair: {}", std::strerror(errno)));
  }
  const pid_t pid = spawn_gnuplot(folder_, log, nullptr, ends[1]);
  if (pid < 0) {
    const int error = errno;
    ::close(ends[0]);
    ::close(ends[1]);
    throw std::runtime_error(fmt::format("figures: cannot start gnuplot: {}", std::strerror(error)));
  }
  ::close(ends[1]);
  process.pid = pid;
  process.input = ends[0];
  processes_.push_back(std::move(process));
}

void Plotter::draw(const Figure& f) {
  write_figure_files(f, folder_);  // a malformed figure throws here, before anything is queued
  // One gnuplot per figure until there are max_processes_ of them, then round-robin.
  const std::size_t index = figures_.size() % max_processes_;
  if (index >= processes_.size()) start_process(index);
  Process& process = processes_[index];
  figures_.push_back(f);
  process.figures.push_back(figures_.size() - 1);
  if (process.broken) return;
  const std::string commands =
      fmt::format("load {}\nprint {}\n", single_quoted(f.name + ".gp"), single_quoted(kEndMarker));
  std::string_view rest = commands;
  while (!rest.empty()) {
    // MSG_NOSIGNAL: if gnuplot has died, send fails with EPIPE instead of killing us with SIGPIPE.
    const ssize_t sent = ::send(process.input, rest.data(), rest.size(), MSG_NOSIGNAL);
    if (sent < 0 && errno == EINTR) continue;
    if (sent <= 0) {
      process.broken = true;  // finish() draws this process's figures alone and reports why
      break;
    }
    rest.remove_prefix(static_cast<std::size_t>(sent));
  }
}

void Plotter::finish() {
  // Close every gnuplot's input first (they all finish their queues at once), then collect them.
  for (Process& p : processes_) {
    if (p.input >= 0) ::close(std::exchange(p.input, -1));
  }
  std::vector<std::size_t> redraw;  // figures to draw once more, alone, for render()'s exact error
  for (Process& p : processes_) {
    int status = 0;
    const bool waited = p.pid > 0 && wait_for(std::exchange(p.pid, -1), status) > 0;
    const bool clean = waited && WIFEXITED(status) && WEXITSTATUS(status) == 0 && !p.broken;
    std::error_code ec;
    const std::string messages = read_all(folder_ / p.log);
    fs::remove(folder_ / p.log, ec);
    // Cut the log at the end markers: piece k is what gnuplot said while drawing figure k.
    std::vector<std::string> pieces;
    std::size_t from = 0;
    for (std::size_t at; (at = messages.find(kEndMarker, from)) != std::string::npos; from = at + kEndMarker.size())
      pieces.push_back(messages.substr(from, at - from));
    for (std::size_t k = 0; k < p.figures.size(); ++k) {
      const Figure& f = figures_[p.figures[k]];
      const bool drawn = !missing_picture(folder_, f.name, f.png);
      // gnuplot exits 1 after any error but goes on with the next figure, so an unclean exit
      // blames the figures during which it said something (or all of them if it said nothing
      // we can place, e.g. it did not start).
      const bool ended = k < pieces.size();
      const bool spoke = ended && pieces[k].find_first_not_of(" \r\n") != std::string::npos;
      if (!drawn || !ended || (!clean && spoke)) redraw.push_back(p.figures[k]);
    }
    if (!clean && redraw.empty()) redraw = p.figures;
  }
  processes_.clear();
  std::vector<Figure> figures = std::move(figures_);
  figures_.clear();
  std::sort(redraw.begin(), redraw.end());
  redraw.erase(std::unique(redraw.begin(), redraw.end()), redraw.end());
  for (std::size_t i : redraw) render(figures[i], folder_);  // throws the figure's own error
}

}  // namespace gradflow::lessons::figures
