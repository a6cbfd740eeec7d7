// In-process rendering with libgvc: files written, errors reported, plugins found.
#include <fmt/format.h>
#include <png.h>
#include <sys/wait.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "autodiff/viz/dot.hpp"
#include "autodiff/viz/render.hpp"
#include "tests/viz/viz_test_support.hpp"

namespace fs = std::filesystem;
namespace ad = gradflow::autodiff;
namespace viz = gradflow::autodiff::viz;
using viz::testing::fresh_dir;
using viz::testing::read_file;
using viz::testing::TwoLayerNet;

namespace {

bool contains(const std::string& text, std::string_view part) { return text.find(part) != std::string::npos; }

constexpr std::string_view kPngSignature{"\x89PNG\r\n\x1a\n", 8};

// Runs a shell command line and returns the program's exit code (-1 if it did not exit normally).
int run(const std::string& command) {
  const int status = std::system(command.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

void write_text(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  REQUIRE(out.good());
}

// Decodes a PNG file into 8-bit straight RGBA with libpng's simplified API (any PNG colour type
// comes out the same way, so two encoders of the same picture can be compared pixel by pixel).
struct Pixels {
  std::size_t width = 0, height = 0;
  std::vector<unsigned char> rgba;
};
Pixels decode_png(const fs::path& path) {
  png_image image{};
  image.version = PNG_IMAGE_VERSION;
  REQUIRE(png_image_begin_read_from_file(&image, path.c_str()) != 0);
  image.format = PNG_FORMAT_RGBA;
  Pixels pixels{image.width, image.height, std::vector<unsigned char>(PNG_IMAGE_SIZE(image))};
  REQUIRE(png_image_finish_read(&image, nullptr, pixels.rgba.data(), 0, nullptr) != 0);
  return pixels;
}

}  // namespace

TEST_CASE("render writes an SVG file that shows the graph's node names", "[viz]") {
  const fs::path dir = fresh_dir("svg");
  TwoLayerNet net;
  const fs::path out = dir / "net.svg";
  viz::DotOptions options;
  options.title = "two layers";
  viz::render(viz::to_dot(net.graph, options), out, viz::Format::svg);
  const std::string svg = read_file(out);
  CHECK(contains(svg, "<svg"));
  CHECK(contains(svg, "</svg>"));
  CHECK(contains(svg, "layer1/kernel"));  // the tooltip and the cluster members keep full names
  CHECK(contains(svg, ">kernel<"));       // the node's label text
  CHECK(contains(svg, ">two layers<"));
  CHECK(contains(svg, "mean |grad|"));
}

TEST_CASE("render writes a PNG file", "[viz]") {
  const fs::path dir = fresh_dir("png");
  TwoLayerNet net;
  const fs::path out = dir / "net.png";
  viz::render(viz::to_dot(net.graph), out, viz::Format::png);
  const std::string png = read_file(out);
  REQUIRE(png.size() > 1000);
  CHECK(png.substr(0, 8) == kPngSignature);
}

// render() encodes PNGs itself (a fast libpng set-up behind a device plugin of ours) from the
// raster Graphviz's cairo renderer draws. The pixels must be exactly those of Graphviz's own
// PNG device, `dot -Tpng`: same size, same colours, partly transparent anti-aliased edges
// included (a slip in the channel order or in undoing cairo's premultiplied alpha shows here).
TEST_CASE("render's PNG has exactly the pixels of Graphviz's own PNG device", "[viz]") {
  const fs::path dir = fresh_dir("png_pixels");
  TwoLayerNet net;
  viz::DotOptions options;
  options.title = "two layers";
  // Transparent background plus half-transparent fills: every alpha case in one picture.
  std::string dot = viz::to_dot(net.graph, options);
  dot.insert(dot.find('{') + 1, "\n  bgcolor=\"transparent\"; node [style=filled, fillcolor=\"#3060c080\"];");
  write_text(dir / "net.dot", dot);
  viz::render(dot, dir / "ours.png", viz::Format::png);
  // Both at Graphviz's default 96 dpi (the DOT text sets none).
  REQUIRE(run(fmt::format("cd '{}' && dot -Tpng net.dot -o reference.png", dir.string())) == 0);
  const Pixels ours = decode_png(dir / "ours.png");
  const Pixels reference = decode_png(dir / "reference.png");
  REQUIRE(ours.width == reference.width);
  REQUIRE(ours.height == reference.height);
  std::size_t differing = 0, partly_transparent = 0;
  for (std::size_t i = 0; i < ours.rgba.size(); i += 4) {
    if (!std::equal(ours.rgba.begin() + i, ours.rgba.begin() + i + 4, reference.rgba.begin() + i)) ++differing;
    if (reference.rgba[i + 3] != 0 && reference.rgba[i + 3] != 255) ++partly_transparent;
  }
  CHECK(partly_transparent > 100);  // the picture really exercises partial alpha
  CHECK(differing == 0);
}

TEST_CASE("render renders names with quotes, backslashes and angle brackets", "[viz]") {
  const fs::path dir = fresh_dir("escaping");
  ad::Graph g;
  ad::Var w = g.parameter(R"(say "hi" \ <b>&)", ad::Tensor({1, 1}, 2.0F));
  g.backward(ad::ops::relu(w));
  viz::render(viz::to_dot(g), dir / "escaped.svg", viz::Format::svg);
  // Graphviz writes the label back as XML: the name survives intact.
  CHECK(contains(read_file(dir / "escaped.svg"), "say &quot;hi&quot; \\ &lt;b&gt;&amp;"));
}

TEST_CASE("render reports a DOT syntax error with the file name and Graphviz's message", "[viz]") {
  const fs::path dir = fresh_dir("syntax_error");
  const fs::path out = dir / "broken.svg";
  try {
    viz::render("digraph { a -> ; }", out, viz::Format::svg);
    FAIL("no RenderError");
  } catch (const viz::RenderError& e) {
    const std::string message = e.what();
    INFO(message);
    CHECK(contains(message, out.string()));
    CHECK(contains(message, "does not parse"));
    CHECK(contains(message, "syntax error in line 1"));
  }
  CHECK_FALSE(fs::exists(out));
  // A failure leaves Graphviz usable: the next render works.
  viz::render("digraph { a -> b }", dir / "fine.svg", viz::Format::svg);
  CHECK(fs::exists(dir / "fine.svg"));
}

TEST_CASE("render reports an unwritable output path with the file name", "[viz]") {
  const fs::path dir = fresh_dir("unwritable");
  const fs::path missing_folder = dir / "no_such_folder" / "graph.png";
  REQUIRE_THROWS_AS(viz::render("digraph { a -> b }", missing_folder, viz::Format::png), viz::RenderError);
  try {
    viz::render("digraph { a -> b }", missing_folder, viz::Format::png);
  } catch (const viz::RenderError& e) {
    CHECK(contains(e.what(), missing_folder.string()));
    CHECK(contains(e.what(), "cannot open the file for writing"));
  }
  // A folder is not a file either.
  fs::create_directories(dir / "a_folder.svg");
  CHECK_THROWS_WITH(viz::render("digraph { a -> b }", dir / "a_folder.svg", viz::Format::svg),
                    Catch::Contains("a_folder.svg"));
  CHECK_FALSE(fs::exists(dir / "no_such_folder"));  // render creates no folders
}

TEST_CASE("write_dot_svg_png writes exactly stem.dot, stem.svg and stem.png", "[viz]") {
  const fs::path dir = fresh_dir("write_all");
  TwoLayerNet net;
  const std::string dot = viz::to_dot(net.graph);
  const auto paths = viz::write_dot_svg_png(dot, dir / "graph.v2");
  REQUIRE(paths.size() == 3);
  CHECK(paths[0] == dir / "graph.v2.dot");
  CHECK(paths[1] == dir / "graph.v2.svg");
  CHECK(paths[2] == dir / "graph.v2.png");
  CHECK(read_file(paths[0]) == dot);
  CHECK(contains(read_file(paths[1]), "<svg"));
  CHECK(read_file(paths[2]).substr(0, 8) == kPngSignature);
  std::size_t files = 0;
  for ([[maybe_unused]] const auto& entry : fs::directory_iterator(dir)) ++files;
  CHECK(files == 3);

  CHECK_THROWS_AS(viz::write_dot_svg_png(dot, dir / "missing" / "graph"), viz::RenderError);
}

TEST_CASE("rendering works when Graphviz's plugin configuration is missing", "[viz]") {
  // GVBINDIR tells libgvc where its plugins and their configuration file are. Pointing it at
  // an empty folder is what a broken installation looks like: a plain gvContext() then has no
  // "dot" layout. viz::render uses plugins linked into the program and must still work; a
  // build without them must fail with a clear RenderError, never crash.
  const fs::path dir = fresh_dir("no_plugin_config");
  const fs::path empty = dir / "empty_gvbindir";
  fs::create_directories(empty);
  const std::string env = fmt::format("GVBINDIR='{}'", empty.string());
  const std::string probe = GRADFLOW_VIZ_PROBE;

  // The set-up really hides the plugins from an ordinary context ...
  CHECK(run(fmt::format("{} '{}' plain-context", env, probe)) == 4);
  // ... (and the probe sees them when nothing is hidden).
  CHECK(run(fmt::format("'{}' plain-context", probe)) == 0);

  const fs::path out = dir / "rendered.png";
  const fs::path log = dir / "probe.log";
  const int code = run(fmt::format("{} '{}' render '{}' > '{}' 2>&1", env, probe, out.string(), log.string()));
  INFO("probe output: " << read_file(log));
  if (viz::plugin_source() == "built-in") {
    CHECK(code == 0);
    CHECK(read_file(out).substr(0, 8) == kPngSignature);
  } else {
    CHECK(code == 3);
    CHECK(contains(read_file(log), "run `dot -c`"));
    CHECK_FALSE(fs::exists(out));
  }
}

TEST_CASE("each render parses only its own DOT text", "[viz]") {
  // Graphviz's DOT parser is a global flex scanner: text left over from one call (a second
  // graph, or just the trailing newline) must not leak into the next call.
  const fs::path dir = fresh_dir("parser_state");
  viz::render("digraph first { first_node }\ndigraph second { leftover_node }\n", dir / "one.svg", viz::Format::svg);
  viz::render("digraph third { third_node }", dir / "two.svg", viz::Format::svg);
  const std::string two = read_file(dir / "two.svg");
  CHECK(contains(two, "third_node"));
  CHECK_FALSE(contains(two, "leftover_node"));
  // And line numbers in errors count from the start of each text.
  CHECK_THROWS_WITH(viz::render("\n\ndigraph { a -> ; }", dir / "three.svg", viz::Format::svg),
                    Catch::Contains("syntax error in line 3"));
}

TEST_CASE("render refuses empty DOT text with a clear error", "[viz]") {
  const fs::path dir = fresh_dir("empty_text");
  CHECK_THROWS_WITH(viz::render(" \n", dir / "empty.svg", viz::Format::svg),
                    Catch::Contains("empty.svg") && Catch::Contains("the DOT text is empty"));
  CHECK_FALSE(fs::exists(dir / "empty.svg"));
}
