#include "autodiff/viz/render.hpp"

#include <fmt/format.h>
#include <graphviz/cgraph.h>
#include <graphviz/gvc.h>
#include <graphviz/gvplugin.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <mutex>
#include <system_error>

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
#ifdef GRADFLOW_VIZ_BUILTIN_PLUGINS
  static GVC_t* const context = gvContextPlugins(kBuiltinPlugins, 0);
#else
  static GVC_t* const context = gvContext();
#endif
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

void render(std::string_view dot, const std::filesystem::path& out, Format format) {
  const std::string prefix = error_prefix(out, format);
  const std::string format_name(to_string(format));

  std::scoped_lock lock(g_render_mutex);
  std::string messages;
  CaptureMessages capture(messages);

  GVC_t* const context = shared_context();
  if (context == nullptr) throw RenderError(fmt::format("{}: Graphviz could not create a context", prefix));
  if (!has_plugin(context, "layout", "dot") || !has_plugin(context, "device", format_name)) {
    throw RenderError(
        fmt::format("{}: Graphviz has no plugin for the \"dot\" layout or the {} format (plugins: {}); its plugin "
                    "configuration is probably missing: run `dot -c` as root",
                    prefix, format_name, plugin_source()));
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
    throw RenderError(fmt::format("{}: the DOT text does not parse: {}", prefix,
                                  messages.empty() ? std::string("no message from Graphviz") : tidy(messages)));
  }

  if (format == Format::png) {
    // Bitmaps default to 96 dpi, which makes 11 pt text small; 120 dpi reads well on screen.
    // (Graphviz reads dpi during layout; SVG is left alone, since dpi would only scale it.)
    std::string dpi = "dpi";
    std::string resolution = "resolution";
    const char* current = agget(graph.get(), dpi.data());
    const char* current_resolution = agget(graph.get(), resolution.data());
    if ((current == nullptr || *current == '\0') && (current_resolution == nullptr || *current_resolution == '\0')) {
      std::string value = "120";
      std::string empty;
      agsafeset(graph.get(), dpi.data(), value.data(), empty.data());
    }
  }

  if (gvLayout(context, graph.get(), "dot") != 0) {
    throw RenderError(fmt::format("{}: the dot layout failed: {}", prefix,
                                  messages.empty() ? std::string("no message from Graphviz") : tidy(messages)));
  }
  Layout layout(context, graph.get());

  // Render into memory and write the file ourselves: an unwritable path then becomes a clean
  // RenderError (older libgvc releases call exit() when they cannot open the output file) and
  // a failed render never leaves a truncated file behind.
  RenderedData rendered;
  unsigned int length = 0;
  if (gvRenderData(context, graph.get(), format_name.c_str(), &rendered.data, &length) != 0 ||
      rendered.data == nullptr) {
    throw RenderError(fmt::format("{}: Graphviz could not render: {}", prefix,
                                  messages.empty() ? std::string("no message from Graphviz") : tidy(messages)));
  }
  write_file(out, rendered.data, length, prefix);
}

std::vector<std::filesystem::path> write_dot_svg_png(std::string_view dot, const std::filesystem::path& stem) {
  auto with_extension = [&stem](std::string_view extension) {
    std::filesystem::path p = stem;
    p += extension;  // not replace_extension: "graph.v2" must become "graph.v2.dot"
    return p;
  };
  std::vector<std::filesystem::path> paths{with_extension(".dot"), with_extension(".svg"), with_extension(".png")};
  write_file(paths[0], dot.data(), dot.size(), fmt::format("write \"{}\"", paths[0].string()));
  render(dot, paths[1], Format::svg);
  render(dot, paths[2], Format::png);
  return paths;
}

}  // namespace gradflow::autodiff::viz
