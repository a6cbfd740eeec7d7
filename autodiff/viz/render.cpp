#include "autodiff/viz/render.hpp"

#include <fmt/format.h>
#include <graphviz/cgraph.h>
#include <graphviz/gvc.h>
#include <graphviz/gvplugin.h>
#include <graphviz/gvplugin_device.h>
#include <png.h>
#include <zlib.h>

#include <cerrno>
#include <csetjmp>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <system_error>
#include <vector>

// Why plugins need care
// ---------------------
// libgvc does no layout or drawing itself: the "dot" layout engine, the svg renderer and the
// cairo png renderer live in plugin libraries (libgvplugin_dot_layout, libgvplugin_core,
// libgvplugin_pango). gvContext() finds them through a configuration file that `dot -c` writes
// into Graphviz's plugin folder (config6a here, config6 in newer releases). When that file is
// missing (a minimal container, a package installed without running its post-install script,
// or GVBINDIR pointing elsewhere), gvContext() knows no plugins and every layout fails with
// `Layout type: "dot" not recognized`.
//
// What we do
// ----------
// The CMake file links the three plugin libraries directly (their development symlinks ship
// with libgraphviz-dev in <libdir>/graphviz) and defines GRADFLOW_VIZ_BUILTIN_PLUGINS. Each
// plugin library exports one table, gvplugin_<name>_LTX_library, describing what it provides;
// we hand those tables to gvContextPlugins(builtins, 0): "built-in" plugins, with demand
// loading off, so the context neither reads nor needs the configuration file. Rendering then
// works whatever the state of the Graphviz installation and always uses the same renderers.
// One context serves the whole process (see shared_context for why it is never freed).
//
// If CMake could not find the plugin libraries, we fall back to gvContext() (the installed
// configuration) and, when "dot" or the format is missing there, throw a RenderError that
// says so and how to fix it (run `dot -c` as root) instead of letting Graphviz fail obscurely.
#ifdef GRADFLOW_VIZ_BUILTIN_PLUGINS
extern "C" {
extern gvplugin_library_t gvplugin_dot_layout_LTX_library;
extern gvplugin_library_t gvplugin_core_LTX_library;
extern gvplugin_library_t gvplugin_pango_LTX_library;
}
#endif

namespace gradflow::autodiff::viz {

namespace {

#ifdef GRADFLOW_VIZ_BUILTIN_PLUGINS
// The "preloaded symbols" list gvContextPlugins expects: a libltdl-style table of
// {symbol name, address}, ended by {nullptr, nullptr}. The names must be
// "gvplugin_<package>_LTX_library" for Graphviz to recognise them as plugin tables.
const lt_symlist_t kBuiltinPlugins[] = {
    {"gvplugin_dot_layout_LTX_library", static_cast<void*>(&gvplugin_dot_layout_LTX_library)},
    {"gvplugin_core_LTX_library", static_cast<void*>(&gvplugin_core_LTX_library)},
    {"gvplugin_pango_LTX_library", static_cast<void*>(&gvplugin_pango_LTX_library)},
    {nullptr, nullptr},
};
#endif

// Why PNGs have a device of our own
// ---------------------------------
// Graphviz's own "png" device (cairo) draws the picture quickly and then spends most of its time
// compressing it: `cairo_surface_write_to_png` asks libpng for its best compression, which tries
// five row filters on every row and runs zlib at level 6. Lesson 05's computation graph is about
// 1,300 x 2,500 pixels (13 MB of RGBA), and `perf` put 62% of `dot -Tpng` in libpng and zlib.
//
// So PNGs are drawn by the same cairo renderer but handed to a tiny device plugin of ours,
// "gradflow_png": Graphviz's plugin API gives a device the finished raster (job->imagedata,
// cairo's ARGB32) and we encode it with libpng ourselves, with one cheap row filter and zlib's
// fastest level (see encode_png_rows). The pixels are the ones Graphviz drew; only the
// compression differs, so the file is somewhat larger and is written several times faster.
//
// The device writes nothing through Graphviz: it encodes into `g_png_bytes`, which render_all()
// points at its own buffer while it holds g_render_mutex, and render_all() writes the file.
std::string* g_png_bytes = nullptr;
std::string* g_png_error = nullptr;

// libpng reports errors by longjmp-ing back to the setjmp in encode_png_rows; these two
// callbacks keep its message. Nothing between that setjmp and the longjmp owns a C++ object with
// a destructor, so the jump skips no clean-up.
struct PngErrorState {
  char message[256] = "";
};

extern "C" void png_keep_error(png_structp png, png_const_charp text) {
  auto* state = static_cast<PngErrorState*>(png_get_error_ptr(png));
  std::snprintf(state->message, sizeof state->message, "%s", text != nullptr ? text : "unknown libpng error");
  png_longjmp(png, 1);
}

extern "C" void png_ignore_warning(png_structp, png_const_charp) {}

extern "C" void png_append(png_structp png, png_bytep data, std::size_t length) {
  auto* bytes = static_cast<std::string*>(png_get_io_ptr(png));
  bool appended = true;
  try {
    bytes->append(reinterpret_cast<const char*>(data), length);
  } catch (...) {
    appended = false;
  }
  if (!appended) png_error(png, "out of memory while encoding the PNG");
}

extern "C" void png_flush_nothing(png_structp) {}

// Encodes a cairo ARGB32 raster (one native-endian 0xAARRGGBB word per pixel, colour
// premultiplied by alpha, `width` words per row) as an 8-bit RGBA PNG appended to `bytes`.
// `row` is scratch space for one converted row (width * 4 bytes). Returns false and fills
// `state.message` when libpng fails.
//
// The settings trade a little file size for a lot of speed on diagrams, which are mostly flat
// colour: one fixed row filter, "Sub", which stores each byte as its difference from the same
// channel of the pixel to its left, so flat runs become runs of zeros (libpng's default tries all
// five filters on every row and keeps the best), and zlib's fastest level. Measured on lesson 05's
// computation graph (then 1,662 x 3,153 pixels): encoding about 3x faster, 552 kB instead of 444 kB.
bool encode_png_rows(const unsigned char* argb, std::size_t width, std::size_t height, unsigned char* row,
                     std::string& bytes, PngErrorState& state) {
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &state, png_keep_error, png_ignore_warning);
  if (png == nullptr) {
    std::snprintf(state.message, sizeof state.message, "libpng could not start a PNG");
    return false;
  }
  png_infop info = png_create_info_struct(png);
  if (info == nullptr || setjmp(png_jmpbuf(png)) != 0) {
    png_destroy_write_struct(&png, &info);
    if (state.message[0] == '\0') std::snprintf(state.message, sizeof state.message, "libpng failed");
    return false;
  }
  png_set_write_fn(png, &bytes, png_append, png_flush_nothing);
  png_set_IHDR(png, info, static_cast<png_uint_32>(width), static_cast<png_uint_32>(height), 8,
               PNG_COLOR_TYPE_RGB_ALPHA, PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_set_filter(png, PNG_FILTER_TYPE_BASE, PNG_FILTER_SUB);
  png_set_compression_level(png, Z_BEST_SPEED);
  png_write_info(png, info);
  for (std::size_t y = 0; y < height; ++y) {
    const unsigned char* in = argb + y * width * 4;
    unsigned char* out = row;
    for (std::size_t x = 0; x < width; ++x, in += 4, out += 4) {
      // Little-endian 0xAARRGGBB is the bytes B, G, R, A. A PNG holds straight (not
      // premultiplied) colour: c = c' * 255 / a, rounded, where a pixel is partly transparent.
      const unsigned alpha = in[3];
      const unsigned blue = in[0], green = in[1], red = in[2];
      if (alpha == 0 || alpha == 255) {
        out[0] = static_cast<unsigned char>(red);
        out[1] = static_cast<unsigned char>(green);
        out[2] = static_cast<unsigned char>(blue);
      } else {
        out[0] = static_cast<unsigned char>((red * 255u + alpha / 2) / alpha);
        out[1] = static_cast<unsigned char>((green * 255u + alpha / 2) / alpha);
        out[2] = static_cast<unsigned char>((blue * 255u + alpha / 2) / alpha);
      }
      out[3] = static_cast<unsigned char>(alpha);
    }
    png_write_row(png, row);
  }
  png_write_end(png, info);
  png_destroy_write_struct(&png, &info);
  return true;
}

extern "C" void gradflow_png_format(GVJ_t* job) {
  if (g_png_bytes == nullptr || g_png_error == nullptr) return;
  const std::size_t width = job->width;
  const std::size_t height = job->height;
  if (job->imagedata == nullptr || width == 0 || height == 0) {
    *g_png_error = "Graphviz produced no image (empty drawing)";
    return;
  }
  try {
    std::vector<unsigned char> row(width * 4);
    g_png_bytes->reserve(width * height / 4);
    PngErrorState state;
    if (!encode_png_rows(reinterpret_cast<const unsigned char*>(job->imagedata), width, height, row.data(),
                         *g_png_bytes, state)) {
      *g_png_error = fmt::format("libpng could not encode the {} x {} image: {}", width, height, state.message);
      g_png_bytes->clear();
    }
  } catch (const std::exception& e) {  // never let an exception unwind into Graphviz's C code
    *g_png_error = fmt::format("encoding the {} x {} image failed: {}", width, height, e.what());
    g_png_bytes->clear();
  }
}

gvdevice_engine_t g_png_engine = {nullptr, gradflow_png_format, nullptr};
// Binary output, alpha channel, 96 dpi like Graphviz's own bitmap devices.
gvdevice_features_t g_png_features = {GVDEVICE_BINARY_FORMAT | GVDEVICE_DOES_TRUECOLOR, {0., 0.}, {0., 0.}, {96., 96.}};
char g_png_type[] = "gradflow_png:cairo";  // device "gradflow_png", drawn by the "cairo" renderer
gvplugin_installed_t g_png_devices[] = {{0, g_png_type, 10, &g_png_engine, &g_png_features},
                                        {0, nullptr, 0, nullptr, nullptr}};
gvplugin_api_t g_png_apis[] = {{API_device, g_png_devices}, {static_cast<api_t>(0), nullptr}};
char g_png_package[] = "gradflow_png";
gvplugin_library_t g_png_library = {g_png_package, g_png_apis};

// The Graphviz device that writes a format: our own for PNG (drawn by the cairo renderer).
std::string device_for(Format format) {
  return format == Format::png ? "gradflow_png" : std::string(to_string(format));
}

// Graphviz reports errors through one process-wide callback (agseterrf) and its parser and
// layout code keep global state, so renders must not overlap: this mutex serialises them, and
// while it is held `g_messages` collects what Graphviz says.
std::mutex g_render_mutex;
std::string* g_messages = nullptr;

int collect_message(char* text) {
  if (g_messages != nullptr && text != nullptr) *g_messages += text;
  return 0;
}

// Installs collect_message for the lifetime of one render and restores the previous handler.
class CaptureMessages {
 public:
  explicit CaptureMessages(std::string& sink) : previous_(agseterrf(collect_message)) {
    g_messages = &sink;
    agreseterrors();
  }
  ~CaptureMessages() {
    g_messages = nullptr;
    agseterrf(previous_);
  }
  CaptureMessages(const CaptureMessages&) = delete;
  CaptureMessages& operator=(const CaptureMessages&) = delete;

 private:
  agusererrf previous_;
};

struct GraphDeleter {
  void operator()(Agraph_t* graph) const { agclose(graph); }
};
using DotGraph = std::unique_ptr<Agraph_t, GraphDeleter>;

// Frees the layout before the graph is closed (Graphviz requires that order).
class Layout {
 public:
  Layout(GVC_t* context, Agraph_t* graph) : context_(context), graph_(graph) {}
  ~Layout() { gvFreeLayout(context_, graph_); }
  Layout(const Layout&) = delete;
  Layout& operator=(const Layout&) = delete;

 private:
  GVC_t* context_;
  Agraph_t* graph_;
};

struct RenderedData {
  char* data = nullptr;
  ~RenderedData() {
    if (data != nullptr) gvFreeRenderData(data);
  }
};

// Graphviz's messages, on one line: "Error: syntax error in line 1 near 'x'; Warning: ...".
std::string tidy(std::string messages) {
  std::string out;
  std::size_t start = 0;
  while (start < messages.size()) {
    std::size_t end = messages.find('\n', start);
    if (end == std::string::npos) end = messages.size();
    std::string_view line(messages.data() + start, end - start);
    while (!line.empty() && (line.back() == ' ' || line.back() == '\r')) line.remove_suffix(1);
    if (!line.empty()) {
      if (!out.empty()) out += "; ";
      out += line;
    }
    start = end + 1;
  }
  return out;
}

bool has_plugin(GVC_t* context, const char* kind, std::string_view name) {
  int count = 0;
  char** list = gvPluginList(context, kind, &count, nullptr);
  bool found = false;
  for (int i = 0; i < count; ++i) {
    if (list[i] != nullptr && std::string_view(list[i]) == name) found = true;
    std::free(list[i]);  // NOLINT: Graphviz hands out malloc'ed strings
  }
  std::free(static_cast<void*>(list));  // NOLINT
  return found;
}

// The Graphviz context, created on first use and kept for the life of the process (call only
// with g_render_mutex held). Why not one context per render: Graphviz 2.43's pango plugin
// caches a pointer to the last font name it laid out, and that name lives in the context's font
// table; freeing the context and laying out with a new one reads freed memory (valgrind shows
// it). One long-lived context is also how the `dot` program itself renders many graphs, and it
// saves loading the plugins and fonts for every diagram.
GVC_t* shared_context() {
  static GVC_t* const context = [] {
#ifdef GRADFLOW_VIZ_BUILTIN_PLUGINS
    GVC_t* created = gvContextPlugins(kBuiltinPlugins, 0);
#else
    GVC_t* created = gvContext();
#endif
    if (created != nullptr) gvAddLibrary(created, &g_png_library);  // our PNG device, either way
    return created;
  }();
  return context;
}

std::string error_prefix(const std::filesystem::path& out, Format format) {
  return fmt::format("render \"{}\" ({})", out.string(), to_string(format));
}

// Writes `size` bytes to `out`, replacing it. On failure removes what was written.
void write_file(const std::filesystem::path& out, const char* data, std::size_t size, const std::string& prefix) {
  std::ofstream file(out, std::ios::binary | std::ios::trunc);
  if (!file) {
    throw RenderError(fmt::format("{}: cannot open the file for writing: {}", prefix, std::strerror(errno)));
  }
  file.write(data, static_cast<std::streamsize>(size));
  file.close();
  if (!file) {
    std::error_code ignored;
    std::filesystem::remove(out, ignored);
    throw RenderError(fmt::format("{}: writing the file failed", prefix));
  }
}

}  // namespace

std::string_view to_string(Format format) {
  switch (format) {
    case Format::svg: return "svg";
    case Format::png: return "png";
  }
  return "?";
}

std::string_view plugin_source() {
#ifdef GRADFLOW_VIZ_BUILTIN_PLUGINS
  return "built-in";
#else
  return "installed (config)";
#endif
}

namespace {

struct Output {
  std::filesystem::path path;
  Format format;
};

// Parses and lays out `dot` once, then renders it to every output (an SVG and a PNG of the same
// layout: PNGs are drawn at Graphviz's default 96 dpi, the size the SVG has at 100% in a browser,
// so both come from one layout). Errors before rendering name the first output.
void render_all(std::string_view dot, std::span<const Output> outputs) {
  const std::string prefix = error_prefix(outputs.front().path, outputs.front().format);

  std::scoped_lock lock(g_render_mutex);
  std::string messages;
  CaptureMessages capture(messages);
  auto graphviz_said = [&messages] {
    return messages.empty() ? std::string("no message from Graphviz") : tidy(messages);
  };

  GVC_t* const context = shared_context();
  if (context == nullptr) throw RenderError(fmt::format("{}: Graphviz could not create a context", prefix));
  for (const Output& output : outputs) {
    // PNGs go through our own device (see gradflow_png_format), drawn by Graphviz's cairo renderer.
    const bool png = output.format == Format::png;
    if (!has_plugin(context, "layout", "dot") || !has_plugin(context, "device", device_for(output.format)) ||
        (png && !has_plugin(context, "render", "cairo"))) {
      throw RenderError(
          fmt::format("{}: Graphviz has no plugin for the \"dot\" layout or the {} format (plugins: {}); its plugin "
                      "configuration is probably missing: run `dot -c` as root",
                      error_prefix(output.path, output.format), to_string(output.format), plugin_source()));
    }
  }

  // agmemread needs a NUL-terminated string. Trailing whitespace is dropped because Graphviz's
  // scanner is global and counts a newline left after the closing brace as the first line of
  // the *next* text it parses; agsetfile resets the line counter that error messages quote.
  std::string text(dot);
  text.erase(text.find_last_not_of(" \t\r\n") + 1);
  if (text.empty()) throw RenderError(fmt::format("{}: the DOT text is empty", prefix));
  static char input_name[] = "DOT text";
  agsetfile(input_name);
  DotGraph graph(agmemread(text.c_str()));
  if (!graph) {
    throw RenderError(fmt::format("{}: the DOT text does not parse: {}", prefix, graphviz_said()));
  }

  if (gvLayout(context, graph.get(), "dot") != 0) {
    throw RenderError(fmt::format("{}: the dot layout failed: {}", prefix, graphviz_said()));
  }
  Layout layout(context, graph.get());

  for (const Output& output : outputs) {
    const std::string output_prefix = error_prefix(output.path, output.format);
    const bool png = output.format == Format::png;
    const std::string device = device_for(output.format);
    // Render into memory and write the file ourselves: an unwritable path then becomes a clean
    // RenderError (older libgvc releases call exit() when they cannot open the output file) and
    // a failed render never leaves a truncated file behind.
    RenderedData rendered;
    unsigned int length = 0;
    std::string png_bytes;
    std::string png_error;
    g_png_bytes = &png_bytes;
    g_png_error = &png_error;
    const int status = gvRenderData(context, graph.get(), device.c_str(), &rendered.data, &length);
    g_png_bytes = nullptr;
    g_png_error = nullptr;
    if (status != 0 || (!png && rendered.data == nullptr) || (png && png_bytes.empty())) {
      const std::string why = !png_error.empty() ? png_error : graphviz_said();
      throw RenderError(fmt::format("{}: Graphviz could not render: {}", output_prefix, why));
    }
    if (png) {
      write_file(output.path, png_bytes.data(), png_bytes.size(), output_prefix);
    } else {
      write_file(output.path, rendered.data, length, output_prefix);
    }
  }
}

}  // namespace

void render(std::string_view dot, const std::filesystem::path& out, Format format) {
  const Output output{out, format};
  render_all(dot, std::span<const Output>(&output, 1));
}

std::vector<std::filesystem::path> write_dot_svg_png(std::string_view dot, const std::filesystem::path& stem) {
  auto with_extension = [&stem](std::string_view extension) {
    std::filesystem::path p = stem;
    p += extension;  // not replace_extension: "graph.v2" must become "graph.v2.dot"
    return p;
  };
  std::vector<std::filesystem::path> paths{with_extension(".dot"), with_extension(".svg"), with_extension(".png")};
  write_file(paths[0], dot.data(), dot.size(), fmt::format("write \"{}\"", paths[0].string()));
  const Output outputs[] = {{paths[1], Format::svg}, {paths[2], Format::png}};
  render_all(dot, outputs);
  return paths;
}

}  // namespace gradflow::autodiff::viz
