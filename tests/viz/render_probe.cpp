// Runs one rendering step in its own process, so that a test can change the environment
// Graphviz sees (GVBINDIR) without affecting the test process itself.
//
//   viz_render_probe render OUT.png   renders a small graph with viz::render;
//                                     exit 0 on success, 3 on RenderError (message on stderr)
//   viz_render_probe plain-context    asks a plain gvContext() (the installed plugin
//                                     configuration) for the "dot" layout: exit 0 if it has it, 4 if not
#include <graphviz/gvc.h>

#include <cstdlib>
#include <cstring>
#include <exception>
#include <iostream>
#include <string_view>

#include "autodiff/viz/render.hpp"

namespace viz = gradflow::autodiff::viz;

namespace {

bool plain_context_has_dot_layout() {
  GVC_t* context = gvContext();
  int count = 0;
  char** list = gvPluginList(context, "layout", &count, nullptr);
  bool found = false;
  for (int i = 0; i < count; ++i) {
    if (std::strcmp(list[i], "dot") == 0) found = true;
    std::free(list[i]);
  }
  std::free(static_cast<void*>(list));
  gvFreeContext(context);
  return found;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc >= 2 && std::string_view(argv[1]) == "plain-context") {
    return plain_context_has_dot_layout() ? 0 : 4;
  }
  if (argc != 3 || std::string_view(argv[1]) != "render") {
    std::cerr << "usage: viz_render_probe render OUT.png | viz_render_probe plain-context\n";
    return 2;
  }
  try {
    viz::render("digraph { rankdir=BT; x -> matmul; w -> matmul; matmul -> loss }", argv[2], viz::Format::png);
    std::cout << "rendered " << argv[2] << " with " << viz::plugin_source() << " plugins\n";
    return 0;
  } catch (const viz::RenderError& e) {
    std::cerr << e.what() << "\n";
    return 3;
  } catch (const std::exception& e) {
    std::cerr << "unexpected: " << e.what() << "\n";
    return 1;
  }
}
