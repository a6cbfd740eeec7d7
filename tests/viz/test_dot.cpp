// DOT export: what to_dot, the colour scale and the legend write.
#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <string>

#include "autodiff/viz/dot.hpp"
#include "tests/viz/viz_test_support.hpp"

namespace ad = gradflow::autodiff;
namespace viz = gradflow::autodiff::viz;
using viz::testing::node_line;
using viz::testing::TwoLayerNet;

namespace {

bool contains(const std::string& text, std::string_view part) { return text.find(part) != std::string::npos; }

double luminance(const std::string& hex) {
  const auto channel = [&](std::size_t at) { return std::stoi(hex.substr(at, 2), nullptr, 16) / 255.0; };
  return 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
}

}  // namespace

TEST_CASE("to_dot draws every node with its op, shape and mean |grad|", "[viz]") {
  TwoLayerNet net;
  const std::string dot = viz::to_dot(net.graph);
  REQUIRE(dot.rfind("digraph", 0) == 0);
  const auto& g = net.graph.storage();
  for (auto v : boost::make_iterator_range(boost::vertices(g))) {
    const ad::Node& n = g[v];
    INFO("node " << n.name);
    const std::string line = node_line(dot, n.name);
    REQUIRE_FALSE(line.empty());
    CHECK(contains(line, n.op ? n.op->name() : ad::to_string(n.kind)));
    CHECK(contains(line, ad::to_string(n.value.shape())));
    if (n.requires_grad && n.grad.size() <= 4) {
      // Small gradients are shown in full with their signs (issue 8 item 21), e.g. "grad [-1.2]".
      CHECK(contains(line, fmt::format("grad [{:.3g}", n.grad[0])));
    } else if (n.requires_grad) {
      CHECK(contains(line, "mean |grad| " + viz::gradient_label(ad::mean_abs(n.grad))));
    } else {
      CHECK_FALSE(contains(line, "mean |grad|"));
    }
  }
  // The loss is a scalar, so its value itself is shown.
  CHECK(contains(node_line(dot, "loss"), fmt::format("= {:.4g}", net.loss.value().item())));
}

TEST_CASE("to_dot labels operand positions only for ops with two or more operands", "[viz]") {
  TwoLayerNet net;
  const std::string dot = viz::to_dot(net.graph);
  CHECK(contains(dot, R"("x" -> "layer1/matmul" [label=" x0"])"));
  CHECK(contains(dot, R"("layer1/kernel" -> "layer1/matmul" [label=" x1"])"));
  CHECK(contains(dot, "\"layer1/add\" -> \"layer1/relu\";\n"));  // relu has one operand: no label
}

TEST_CASE("to_dot groups nodes of one scope in a labelled cluster, nesting nested scopes", "[viz]") {
  TwoLayerNet net;
  const std::string dot = viz::to_dot(net.graph);
  CHECK(contains(dot, "subgraph \"cluster_layer1\" {"));
  CHECK(contains(dot, "subgraph \"cluster_layer2\" {"));
  CHECK(contains(dot, "label=<<B>layer1</B>>"));

  ad::Graph g;
  ad::Var x = g.input("x", ad::Tensor({1, 2}, 1.0F));
  {
    ad::Graph::Scope model(g, "model");
    ad::Graph::Scope layer(g, "layer3");
    ad::Var w = g.parameter("kernel", ad::Tensor({2, 1}, 0.5F));
    (void)ad::ops::matmul(x, w);
  }
  const std::string nested = viz::to_dot(g);
  const auto outer = nested.find("subgraph \"cluster_model\" {");
  const auto inner = nested.find("subgraph \"cluster_model/layer3\" {");
  const auto kernel = nested.find(node_line(nested, "model/layer3/kernel"));
  REQUIRE(outer != std::string::npos);
  REQUIRE(inner != std::string::npos);
  CHECK(outer < inner);
  CHECK(inner < kernel);
  CHECK(contains(nested, "label=<<B>layer3</B>>"));  // the cluster shows the last part of the scope
  // "x" has no scope: it is declared before any cluster opens.
  CHECK(nested.find(node_line(nested, "x")) < outer);
}

TEST_CASE("to_dot draws parameters, ops and inputs in different styles", "[viz]") {
  TwoLayerNet net;
  const std::string dot = viz::to_dot(net.graph);
  const std::string parameter = node_line(dot, "layer1/kernel");
  const std::string op = node_line(dot, "layer1/matmul");
  const std::string input = node_line(dot, "x");
  const std::string constant = node_line(dot, "ones");
  CHECK(contains(parameter, "shape=box"));
  CHECK(contains(parameter, "penwidth=2.5"));
  CHECK(contains(op, "shape=ellipse"));
  CHECK(contains(op, "penwidth=1,"));
  CHECK(contains(input, "shape=note"));
  CHECK(contains(constant, "shape=note"));
  CHECK(contains(constant, "dashed"));
  // Inputs never have a gradient: grey.
  CHECK(contains(input, fmt::format("fillcolor=\"{}\"", viz::kNoGradientColor)));
}

TEST_CASE("to_dot colours each node by its mean |grad| and draws a legend", "[viz]") {
  TwoLayerNet net;
  const viz::ColorScale scale = viz::gradient_scale(net.graph);
  const std::string dot = viz::to_dot(net.graph);
  for (const ad::Var& v : {net.kernel1, net.bias1, net.hidden, net.kernel2, net.loss}) {
    INFO("node " << v.name());
    const double log10_grad = std::log10(static_cast<double>(ad::mean_abs(v.grad())));
    CHECK(contains(node_line(dot, v.name()), fmt::format("fillcolor=\"{}\"", viz::color_for(log10_grad, scale))));
    CHECK(contains(node_line(dot, v.name()), fmt::format("fontcolor=\"{}\"", viz::text_color_for(log10_grad, scale))));
  }
  CHECK(contains(dot, "subgraph cluster_legend {"));
  CHECK(contains(dot, "mean |dL/dx|"));
  CHECK(contains(dot, "no gradient"));
  for (int decade = static_cast<int>(scale.log10_min); decade < 0; ++decade) {
    CHECK(contains(dot, fmt::format(">1e{}<", decade)));
  }
}

TEST_CASE("to_dot without gradients shows no gradient text, colours or legend", "[viz]") {
  TwoLayerNet before_backward(false);
  viz::DotOptions options;
  options.show_gradients = false;
  options.show_values = false;
  options.title = "forward only";
  options.rankdir = "LR";
  const std::string dot = viz::to_dot(before_backward.graph, options);
  CHECK_FALSE(contains(dot, "mean |grad|"));
  CHECK_FALSE(contains(dot, "cluster_legend"));
  CHECK_FALSE(contains(dot, "mean 0"));
  CHECK(contains(dot, "rankdir=\"LR\""));
  CHECK(contains(dot, "label=<<B>forward only</B>>"));
  // Before backward, with gradients requested, nodes say they have none yet.
  const std::string with = viz::to_dot(before_backward.graph);
  CHECK(contains(node_line(with, "layer1/kernel"), "no gradient"));
}

TEST_CASE("to_dot escapes quotes, backslashes and angle brackets in names", "[viz]") {
  ad::Graph g;
  ad::Var w = g.parameter(R"(say "hi" \ <b>&)", ad::Tensor({1, 1}, 2.0F));
  ad::Var loss = ad::ops::relu(w);
  g.backward(loss);
  viz::DotOptions options;
  options.title = "a <title> & \"quotes\"";
  const std::string dot = viz::to_dot(g, options);
  const std::string line = node_line(dot, R"(say \"hi\" \\ <b>&)");
  REQUIRE_FALSE(line.empty());
  CHECK(contains(line, "<B>say &quot;hi&quot; \\ &lt;b&gt;&amp;</B>"));
  CHECK(contains(dot, R"("say \"hi\" \\ <b>&" -> "relu")"));
  CHECK(contains(dot, "a &lt;title&gt; &amp; &quot;quotes&quot;"));
  CHECK(viz::escape_quoted("a\"b\\c\nd") == "a\\\"b\\\\c\\nd");
  CHECK(viz::escape_html("<a href=\"x\">&</a>") == "&lt;a href=&quot;x&quot;&gt;&amp;&lt;/a&gt;");
}

TEST_CASE("gradient_scale spans the graph's mean |grad| in whole decades, ignoring zeros", "[viz]") {
  ad::Graph g;
  ad::Var small = g.parameter("small", ad::Tensor({1, 1}, 3e-4F));
  ad::Var dead = g.parameter("dead", ad::Tensor({1, 1}, -1.0F));
  ad::Var loss = ad::ops::add(ad::ops::matmul(small, g.constant("k", ad::Tensor({1, 1}, 0.2F))), ad::ops::relu(dead));
  g.backward(loss);
  // mean |grad|: loss 1, small 0.2, dead 0 (relu is off), k none.
  REQUIRE(ad::mean_abs(dead.grad()) == 0.0F);
  const viz::ColorScale scale = viz::gradient_scale(g);
  CHECK(scale.log10_min == -1);
  CHECK(scale.log10_max == 0);
  (void)small;

  ad::Graph empty;
  (void)empty.input("x", ad::Tensor({1, 1}, 1.0F));
  CHECK(viz::gradient_scale(empty) == viz::ColorScale{});

  TwoLayerNet net;
  const viz::ColorScale wide = viz::gradient_scale(net.graph);
  for (const ad::Var& v : {net.kernel1, net.bias1, net.hidden, net.kernel2, net.out, net.loss}) {
    const double log10_grad = std::log10(static_cast<double>(ad::mean_abs(v.grad())));
    CHECK(wide.log10_min <= log10_grad);
    CHECK(wide.log10_max >= log10_grad);
  }
  CHECK(wide.log10_min == std::floor(wide.log10_min));
  CHECK(wide.log10_max == std::ceil(wide.log10_max));
  CHECK(wide.log10_max - wide.log10_min >= 1);
}

TEST_CASE("gradient_label prints a mean |grad| in short scientific notation", "[viz]") {
  CHECK(viz::gradient_label(0.06) == "6.0e-2");
  CHECK(viz::gradient_label(0.000123) == "1.2e-4");
  CHECK(viz::gradient_label(1.0) == "1.0e0");
  CHECK(viz::gradient_label(2500.0) == "2.5e3");
  CHECK(viz::gradient_label(3e-12) == "3.0e-12");
  CHECK(viz::gradient_label(0.0) == "0");
}

TEST_CASE("merge gives the smallest scale containing both", "[viz]") {
  CHECK(viz::merge({-4, -1}, {-6, -2}) == viz::ColorScale{-6, -1});
  CHECK(viz::merge({-3, 2}, {-1, 0}) == viz::ColorScale{-3, 2});
}

TEST_CASE("color_for runs from cold and dark to hot and bright, clamped at the ends", "[viz]") {
  const viz::ColorScale scale{-6, 0};
  const std::string coldest = viz::color_for(-6, scale);
  const std::string hottest = viz::color_for(0, scale);
  CHECK(coldest == "#440154");
  CHECK(hottest == "#fde725");
  CHECK(viz::color_for(-40, scale) == coldest);
  CHECK(viz::color_for(-std::numeric_limits<double>::infinity(), scale) == coldest);
  CHECK(viz::color_for(std::numeric_limits<double>::quiet_NaN(), scale) == coldest);
  CHECK(viz::color_for(7, scale) == hottest);
  // Brightness never decreases as the gradient grows, and the ends differ strongly.
  double previous = -1;
  for (double v = -7; v <= 1; v += 0.25) {
    const std::string colour = viz::color_for(v, scale);
    REQUIRE(colour.size() == 7);
    REQUIRE(colour[0] == '#');
    CHECK(luminance(colour) >= previous);
    previous = luminance(colour);
  }
  CHECK(luminance(hottest) - luminance(coldest) > 0.7);
  // Readable text: white on the dark end, black on the bright end.
  CHECK(viz::text_color_for(-6, scale) == "#ffffff");
  CHECK(viz::text_color_for(0, scale) == "#000000");
}

TEST_CASE("a shared scale makes colours comparable between diagrams", "[viz]") {
  TwoLayerNet net;
  const std::string own = viz::to_dot(net.graph);
  const viz::ColorScale mine = viz::gradient_scale(net.graph);
  // Another diagram had gradients up to 1e3: on the shared scale, this graph's loss
  // (mean |grad| 1) is no longer the hottest colour.
  const viz::ColorScale shared = viz::merge(mine, {-2, 3});
  viz::DotOptions options;
  options.scale = shared;
  const std::string on_shared = viz::to_dot(net.graph, options);
  const std::string own_fill = fmt::format("fillcolor=\"{}\"", viz::color_for(0, mine));
  const std::string shared_fill = fmt::format("fillcolor=\"{}\"", viz::color_for(0, shared));
  CHECK(own_fill != shared_fill);
  CHECK(contains(node_line(own, "loss"), own_fill));
  CHECK(contains(node_line(on_shared, "loss"), shared_fill));
  CHECK(luminance(viz::color_for(0, shared)) < luminance(viz::color_for(0, mine)));
  // The legend follows the shared scale.
  CHECK(contains(on_shared, ">1e3<"));
  CHECK_FALSE(contains(own, ">1e3<"));
}

TEST_CASE("legend_dot draws one swatch per decade and a grey no-gradient swatch", "[viz]") {
  const std::string legend = viz::legend_dot({-3, 1}, "mean |dL/dW|");
  CHECK(contains(legend, "subgraph cluster_legend {"));
  CHECK(contains(legend, "mean |dL/dW|"));
  for (const char* label : {">1e-3<", ">1e-2<", ">1e-1<", ">1<", ">10<"}) CHECK(contains(legend, label));
  CHECK(contains(legend, fmt::format("BGCOLOR=\"{}\"", viz::kNoGradientColor)));
  CHECK(contains(legend, "no gradient"));
  std::size_t swatches = 0;
  for (auto at = legend.find("BGCOLOR="); at != std::string::npos; at = legend.find("BGCOLOR=", at + 1)) ++swatches;
  CHECK(swatches == 5 + 1);
  CHECK(contains(viz::legend_dot({}), "mean |gradient|"));
}
