// Lesson 02: the traced backward pass agrees with Graph::backward, the step diagrams and the
// player say what they should, and the lesson's --out folder holds every step (the browser test
// browser_lesson02_player.py then clicks through the player in Chromium).
#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "autodiff/autodiff.hpp"
#include "autodiff/trace.hpp"
#include "autodiff/viz/backward_dot.hpp"
#include "lessons/runtime/player.hpp"
#include "program_runner.hpp"

namespace fs = std::filesystem;
using namespace gradflow::autodiff;
using gradflow::testing::slurp;

namespace {

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto pos = text.find(what); pos != std::string::npos; pos = text.find(what, pos + 1)) ++n;
  return n;
}

// A two-layer net on a batch whose first kernel is also used by an L2 term (fan-out), plus a
// parameter that does not reach the loss.
struct Net {
  Graph g;
  Var w1, b1, w2, unused, loss;
  Net() {
    Var x = g.input("x", Tensor::from_rows({{0.5F, -1.0F, 2.0F}, {1.5F, 0.3F, -0.7F}}));
    Var labels = g.input("labels", Tensor::from_rows({{1, 0}, {0, 1}}));
    w1 = g.parameter("w1", Tensor::from_rows({{0.1F, -0.2F}, {0.3F, 0.4F}, {-0.5F, 0.6F}}));
    b1 = g.parameter("b1", Tensor::from_rows({{0.05F, -0.05F}}));
    w2 = g.parameter("w2", Tensor::from_rows({{0.7F, -0.1F}, {0.2F, 0.9F}}));
    unused = g.parameter("unused", Tensor::scalar(3.0F));
    Var h = tanh(matmul(x, w1) + b1);
    loss = softmax_cross_entropy(matmul(h, w2), labels) + mean(square(w1)) * 0.01F;
  }
};

}  // namespace

TEST_CASE("trace_backward visits the nodes in Graph::backward's order and computes the same gradients",
          "[lesson02][trace]") {
  Net net;
  const BackwardTrace trace = trace_backward(net.g, net.loss);
  // Nothing written into the graph by the trace.
  CHECK(net.w1.grad().empty());
  std::vector<std::string> hooked;
  for (NodeId id = 0; id < net.g.size(); ++id) {
    if (net.g.node(id).requires_grad) {
      net.g.add_hook(Var(net.g, id), [&hooked](const GradientEvent& e) { hooked.push_back(e.name); });
    }
  }
  net.g.backward(net.loss);
  REQUIRE(hooked.size() == trace.steps.size());
  for (std::size_t s = 0; s < trace.steps.size(); ++s) {
    CHECK(net.g.node(trace.steps[s].node).name == hooked[s]);
    const Tensor& engine = net.g.node(trace.steps[s].node).grad;
    REQUIRE(engine.shape() == trace.steps[s].dy.shape());
    for (std::size_t k = 0; k < engine.size(); ++k) CHECK(engine[k] == trace.steps[s].dy[k]);  // bit for bit
  }
  CHECK(trace.steps.front().node == net.loss.id());
  CHECK(trace.steps.front().dy[0] == 1.0F);
  // w1 fans out: two shares, the later one marked as added, and grad_after is their sum.
  std::vector<const BackwardShare*> w1_shares;
  for (const auto& step : trace.steps) {
    for (const auto& share : step.shares) {
      if (share.operand == net.w1.id()) w1_shares.push_back(&share);
    }
  }
  REQUIRE(w1_shares.size() == 2);
  CHECK_FALSE(w1_shares[0]->accumulated);
  CHECK(w1_shares[1]->accumulated);
  for (std::size_t k = 0; k < net.w1.grad().size(); ++k) {
    CHECK(w1_shares[1]->grad_after[k] == Approx(w1_shares[0]->share[k] + w1_shares[1]->share[k]));
  }
  // The unreachable parameter: a zero gradient, no shares, as Graph::backward gives it.
  CHECK(trace.grads[net.unused.id()].size() == 1);
  CHECK(trace.grads[net.unused.id()][0] == 0.0F);
  CHECK(net.unused.grad()[0] == 0.0F);
}

TEST_CASE("trace_backward refuses what backward refuses", "[lesson02][trace]") {
  Graph g;
  Var w = g.parameter("w", Tensor::from_rows({{1, 2}}));
  CHECK_THROWS_WITH(trace_backward(g, square(w)), Catch::Contains("scalar"));
  Var c = g.constant("c", Tensor::scalar(1));
  CHECK_THROWS_WITH(trace_backward(g, square(c)), Catch::Contains("does not depend on any parameter"));
}

TEST_CASE("a step diagram highlights exactly the visited node and greys the unknown ones", "[lesson02][viz]") {
  Net net;
  const BackwardTrace trace = trace_backward(net.g, net.loss);
  const std::string first = viz::backward_step_dot(net.g, trace, 0);
  CHECK(count(first, "penwidth=3.5") == 1);
  CHECK_THAT(first, Catch::Contains(fmt::format("<B>{}</B>", net.loss.name())));
  CHECK_THAT(first, Catch::Contains("dL/d? unknown"));
  const std::string last = viz::backward_step_dot(net.g, trace, trace.steps.size() - 1);
  CHECK(count(last, "penwidth=3.5") == 1);
  CHECK(count(last, "dL/d? unknown") == 0);  // at the end every gradient is known
  CHECK_THROWS_AS(viz::backward_step_dot(net.g, trace, trace.steps.size()), std::out_of_range);
}

TEST_CASE("the step player carries every step, escapes text and rejects bad input", "[lesson02][player]") {
  using gradflow::lessons::PlayerStep;
  const std::vector<PlayerStep> steps = {{"step_00.svg", "a", "Step 1", "loss", "1", "text </script><b>"},
                                         {"step_01.svg", "b", "Step 2", "w", "0.5", "second"}};
  const std::string html = gradflow::lessons::step_player_html("p", steps);
  for (const char* id : {"p-prev", "p-next", "p-slider", "p-counter", "p-image", "p-node", "p-grad", "p-text"}) {
    CHECK_THAT(html, Catch::Contains(fmt::format("id=\"{}\"", id)));
  }
  CHECK_THAT(html, Catch::Contains("max=\"1\""));
  CHECK_THAT(html, Catch::Contains("step_01.svg"));
  CHECK_THAT(html, !Catch::Contains("</script><b>"));  // neither raw in the page nor in the JSON
  CHECK_THAT(html, !Catch::Contains("http"));          // no outside resources
  CHECK_THROWS_AS(gradflow::lessons::step_player_html("p", {}), std::invalid_argument);
  CHECK_THROWS_AS(gradflow::lessons::step_player_html("a b", steps), std::invalid_argument);
}

TEST_CASE("lesson02 writes every backward step: text, diagram, player and summary", "[lesson02]") {
  const fs::path out = fs::temp_directory_path() / fmt::format("gradflow-test-lesson02-{}", ::getpid());
  fs::remove_all(out);
  const auto run = gradflow::testing::run_program("lesson02_backward", fmt::format("--quick --out '{}'", out.string()));
  INFO(run.out << run.err);
  REQUIRE(run.exit_code == 0);
  const auto summary = nlohmann::json::parse(slurp(out / "summary.json"));
  CHECK(summary["lesson"] == "02_backward");
  REQUIRE(summary["claims"].size() == 4);
  for (const auto& c : summary["claims"]) CHECK(c["verdict"] == "holds");
  const auto& steps = summary["steps"];
  // x w + b -> sigmoid -> (y - t)^2 + 0.1 w^2: w, b and eight op nodes need a gradient.
  REQUIRE(steps.size() == 10);
  CHECK(steps[0]["node"] == "add_1");
  CHECK(steps[0]["dy"] == 1.0);
  const std::string page = slurp(out / "index.html");
  int added = 0;
  double w_sum = 0;
  for (std::size_t s = 0; s < steps.size(); ++s) {
    const std::string svg = slurp(out / steps[s]["diagram"].get<std::string>());
    CHECK(count(svg, "#d62728") >= 1);  // the highlight is drawn
    CHECK(fs::file_size(out / fmt::format("step_{:02}.png", s)) > 1000);
    CHECK_THAT(page, Catch::Contains(steps[s]["diagram"].get<std::string>()));
    for (const auto& share : steps[s]["shares"]) {
      if (share["operand"] == "w") w_sum += share["share"].get<double>();
      if (share["accumulated"].get<bool>()) {
        ++added;
        CHECK(share["operand"] == "w");
      }
    }
  }
  CHECK(added == 1);
  CHECK(w_sum == Approx(summary["gradients"]["w"].get<double>()));
  CHECK_THAT(page, Catch::Contains("backward-next"));
  CHECK_THAT(run.out, Catch::Contains("ADDED to the share already there"));
  CHECK_THAT(run.out, Catch::Contains("share for x0 = add: dy * y (1 - y) = "));
  fs::remove_all(out);
}

TEST_CASE("lesson02 refuses a bad flag with exit code 2", "[lesson02]") {
  const auto run = gradflow::testing::run_program("lesson02_backward", "--steps 3");
  CHECK(run.exit_code == 2);
  CHECK_THAT(run.err, Catch::Contains("--steps"));
}
