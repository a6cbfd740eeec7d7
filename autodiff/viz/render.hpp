#pragma once
// In-process rendering of DOT text to SVG and PNG with Graphviz's libgvc: no `dot` program
// is run. See render.cpp for how the Graphviz plugins are found (and why rendering still works
// when Graphviz's plugin configuration is missing).

#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace gradflow::autodiff::viz {

// Any rendering failure. The message names the output file and what went wrong, quoting
// Graphviz's own message where there is one, e.g.
//   render "out/graph.svg" (svg): the DOT text does not parse: Error: syntax error in line 3 near '->'
class RenderError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

enum class Format { svg, png };
std::string_view to_string(Format format);  // "svg", "png"

// Lays out `dot` with the "dot" engine and renders it to `out` (which is replaced). PNG output
// is drawn at Graphviz's 96 dpi (one pixel per CSS pixel of the SVG at 100%) unless the DOT text
// sets dpi itself. The parent folder must exist.
// Throws RenderError (DOT syntax error, layout failure, missing plugin, unwritable file); no
// partial output file is left behind. Calls are serialised: Graphviz keeps global state.
void render(std::string_view dot, const std::filesystem::path& out, Format format);

// Writes stem.dot, stem.svg and stem.png (creating nothing else, not even folders) and returns
// those three paths in that order. "out/graph" gives "out/graph.dot", ... The SVG and the PNG
// are drawn from one layout.
std::vector<std::filesystem::path> write_dot_svg_png(std::string_view dot, const std::filesystem::path& stem);

// How rendering finds its plugins, for diagnostics: "built-in" when the dot layout, core (svg)
// and cairo/pango (png) plugins are linked into the program, otherwise "installed (config)".
std::string_view plugin_source();

}  // namespace gradflow::autodiff::viz
