#pragma once
// Declarative figures, drawn by gnuplot.
//
// A lesson says WHAT to plot; this module writes NAME.dat (the numbers, one block per series),
// NAME.gp (a script that draws NAME.svg and NAME.png from NAME.dat) and runs gnuplot on it in
// the output folder. The .gp and .dat stay there, so a learner can change a colour or a range
// and redraw the figure with `gnuplot NAME.gp`, no C++ needed.
//
//   figures::Figure f{.name = "accuracy", .title = "Train-batch accuracy", .caption = "..."};
//   figures::Panel& p = f.panels.emplace_back();
//   p.title = "accuracy"; p.x_label = "training step"; p.y_label = "%";
//   p.series.push_back(figures::band("relu", steps, mean, min, max));   // line + min-max band
//   report.figure(f);                               // or figures::render(f, folder)
//
// Text is plain: titles may hold _ ^ { } (gnuplot's markup characters); they are escaped.
// Panels are laid out `columns` per row (default: up to two), all with the same size, so a
// figure stays readable when a 900 px window scales it down.

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gradflow::lessons::figures {

enum class Style {
  lines,        // a line through (x, y); with lo/hi a translucent band under it (e.g. min-max)
  linespoints,  // the same with a dot at every point
  points,       // dots only
  errorbars,    // line and points with vertical bars from lo to hi
  ridge,        // an opaque area from lo to hi with a line along hi: one ridge of a ridgeline plot
};

struct Series {
  std::string title;           // legend entry; empty: not in the legend
  std::vector<double> x, y;    // non-finite y values leave a gap
  std::vector<double> lo, hi;  // optional (same length as x): band, error bars or ridge
  std::string color;           // "#RRGGBB"; empty: the figure palette by series index
  Style style = Style::lines;
  double line_width = 2.5;
  double band_opacity = 0.12;  // lines/linespoints bands
  std::string fill_color;      // ridge fill; empty: `color` mixed with white
};

// Shorthands (designated initialisers of Series warn under -Wextra when fields are left out):
Series line(std::string title, std::vector<double> x, std::vector<double> y, std::string color = {});
// A line with a min-max (or any lo..hi) band under it; style lines unless changed.
Series band(std::string title, std::vector<double> x, std::vector<double> y, std::vector<double> lo,
            std::vector<double> hi, std::string color = {});

// An image / heatmap panel: `values` row-major, row 0 drawn at the top (as a picture or a
// matrix is read), e.g. a 28 x 28 weight template or a 10 x 10 confusion matrix.
struct Image {
  int rows = 0, cols = 0;
  std::vector<double> values;
  std::string palette = "viridis";  // "viridis", "gray" (0 black .. 1 white), "diverging" (blue-white-red, 0 white)
  std::optional<double> min, max;   // colour range; default: the data's (symmetric for diverging)
  std::vector<std::string> col_labels, row_labels;  // optional tick labels
  bool annotate = false;                            // print each value in its cell (small matrices)
  std::string value_format = "%.2g";
  std::string colorbar_label;
  bool colorbar = true;
};

struct Panel {
  std::string title, x_label, y_label;
  bool log_x = false, log_y = false;
  std::optional<double> x_min, x_max, y_min, y_max;
  std::optional<double> x_tic_step, y_tic_step;
  std::vector<std::string> x_tic_labels;  // x = 1, 2, ... get these labels when set
  std::string legend = "top right";       // gnuplot key position; "" hides the legend
  std::string legend_title;
  std::vector<Series> series;
  std::optional<Image> image;  // an image panel draws no series
};

struct Figure {
  std::string name;                           // file stem: NAME.gp, NAME.dat, NAME.svg, NAME.png
  std::string title;                          // above the panels (in the picture)
  std::string caption;                        // below the picture on the page (what to look for); plain text
  int columns = 0;                            // panels per row; 0: min(2, panels)
  int panel_width = 560, panel_height = 400;  // pixels per panel at 100% (SVG scales)
  int font_size = 14;                         // points; readable at 900 px when panel_width stays near 560
  std::string footnote;                       // small text under the panels, e.g. what the bands are
  std::vector<Panel> panels;
  bool png = true;  // also NAME.png beside NAME.svg (the page shows the SVG; --no-png skips it)
};

// The two files a figure is drawn from.
std::string data_file(const Figure& figure);
std::string gnuplot_script(const Figure& figure);

// Writes NAME.dat and NAME.gp into `folder` and runs gnuplot there, which writes NAME.svg and
// NAME.png. Throws std::runtime_error naming the figure when the figure is malformed (series
// lengths differ, no panels), gnuplot is missing or fails (with its messages), or it did not
// write both pictures.
void render(const Figure& figure, const std::filesystem::path& folder);

// Many figures, drawn in the background by a few long-lived gnuplot processes. Why not one
// gnuplot per figure: starting gnuplot (loading its ~50 libraries, fontconfig's font list for
// the PNG terminal) costs about as much CPU as drawing a small figure, so a lesson with seven
// figures spent half its drawing time starting programs. A Plotter starts at most `processes`
// gnuplots (one per figure until there are that many) and feeds each its share of the scripts
// through a socket on its standard input (`load 'NAME.gp'`); the .gp and .dat files are the same
// as render()'s, so `gnuplot NAME.gp` still redraws any figure on its own.
//
// finish() waits for them all and checks that every figure was drawn. A figure that failed
// (gnuplot reported an error while drawing it, or a picture is missing) is drawn once more on its
// own with render(), so the error thrown is exactly render()'s, naming that figure and quoting
// gnuplot. The destructor finishes too (errors swallowed).
class Plotter {
 public:
  Plotter(std::filesystem::path folder, std::size_t processes);
  Plotter(const Plotter&) = delete;
  Plotter& operator=(const Plotter&) = delete;
  ~Plotter();
  // Writes NAME.dat and NAME.gp (throws if the figure is malformed) and queues the drawing.
  void draw(const Figure& figure);
  // Waits for every gnuplot and throws the first failed figure's error. Safe to call twice.
  void finish();

 private:
  struct Process {
    int pid = -1;
    int input = -1;                    // our end of the socket that is gnuplot's standard input
    std::string log;                   // file (in the folder) that gets gnuplot's messages
    std::vector<std::size_t> figures;  // indexes into figures_, in the order sent
    bool broken = false;               // gnuplot stopped reading (it failed to start or died)
  };
  void start_process(std::size_t index);
  std::filesystem::path folder_;
  std::size_t max_processes_;
  std::vector<Process> processes_;
  std::vector<Figure> figures_;
};

// Colours: Okabe and Ito's colour-blind-safe palette, with fixed colours for the activations
// (sigmoid blue, relu red-orange, leaky_relu green, tanh pink) so every lesson agrees.
std::string series_color(std::string_view name, std::size_t index);
// Item i of n on viridis (dark violet .. yellow-green, stopping before the pale end).
std::string sequential_color(std::size_t i, std::size_t n);

}  // namespace gradflow::lessons::figures
