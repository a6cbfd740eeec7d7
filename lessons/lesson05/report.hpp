#pragma once
// Everything lesson 05 writes into its --out folder: the data (scalars.csv, histograms.csv,
// summary.json), the figures (gnuplot), the gradient-flow diagrams (Graphviz) and index.html.

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "lessons/lesson05/experiment.hpp"
#include "lessons/runtime/output_dir.hpp"

namespace gradflow::lessons::lesson05 {

struct Results {
  Settings settings;
  std::vector<Run> runs;
  std::vector<ScenarioSummary> summaries;  // one per scenario, in the order of settings.activations
  std::vector<Verdict> verdicts;
  // The trained model of each scenario's first seed: its graph still holds the values and
  // gradients of the last training step, which the computation-graph diagrams draw.
  std::map<std::string, std::shared_ptr<nn::Classifier>> final_models;
  std::string data_description;  // e.g. "MNIST from data/mnist: 55000 train, 5000 validation, 10000 test"
  double seconds = 0;            // wall time of all training
};

// `scenario,seed,step,tag,value` with tags loss, acc, mean_1..N, bias_mean_1..N, weight_mean_1..N,
// dead_1..N-1 (ReLU family), saturated_1..N-1 (sigmoid).
std::string scalars_csv(const std::vector<Run>& runs);
// `scenario,seed,step,layer,kind,bin,lo,hi,count` with kind kernel_grad or kernel_value.
std::string histograms_csv(const std::vector<Run>& runs);
std::string summary_json(const Results& results);
// The console table printed at the end (also shown in index.html).
std::vector<std::string> summary_headers();
std::vector<std::vector<std::string>> summary_rows(const Results& results);

// One picture in the output folder: `stem`.svg and `stem`.png, and the file that made it
// (`stem`.gp, a gnuplot script, or `stem`.dot, Graphviz's input), so a learner can re-draw it.
struct Picture {
  std::string stem;      // "accuracy", "histograms_relu", "graph_sigmoid", "gradient_flow"
  std::string source;    // "accuracy.gp", "graph_sigmoid.dot"
  std::string scenario;  // the scenario it shows; empty when it shows all of them
};
// The layer whose kernel histograms are drawn (the post showed layer 4), clamped to the network.
int histogram_layer(const Settings& settings);

// report_figures.cpp: the gnuplot figures (accuracy, gradients, bias_gradients, layer_profile,
// histograms_<scenario>), with their data and scripts. Throws std::runtime_error naming the
// figure when gnuplot is missing or fails.
std::vector<Picture> write_figures(const Results& results, const OutputDir& out);
// report_diagrams.cpp: the Graphviz diagrams (graph_<scenario>, gradient_flow).
std::vector<Picture> write_diagrams(const Results& results, const OutputDir& out);

// Writes every file listed above, and index.html, into `out` (not committing it).
void write_report(const Results& results, OutputDir& out);

}  // namespace gradflow::lessons::lesson05
