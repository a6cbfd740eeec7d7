// The data half of lesson 05's report: CSV, JSON and the summary table.
#include <fmt/format.h>

#include <cmath>

#include "lessons/lesson05/report.hpp"

namespace gradflow::lessons::lesson05 {

namespace {
// Shortest text that reads back as the same float.
std::string num(double v) {
  if (!std::isfinite(v)) return "null";
  return fmt::format("{:.7g}", v);
}

std::string json_string(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out += fmt::format("\\u{:04x}", static_cast<int>(c));
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

std::string json_stat(const Stat& s) { return fmt::format("{{\"mean\": {}, \"std\": {}}}", num(s.mean), num(s.std)); }

std::string json_stats(const std::vector<Stat>& v) {
  std::string out = "[";
  for (std::size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + json_stat(v[i]);
  return out + "]";
}
}  // namespace

std::string scalars_csv(const std::vector<Run>& runs) {
  std::string out = "scenario,seed,step,tag,value\n";
  for (const Run& run : runs) {
    for (const LogPoint& p : run.log) {
      auto row = [&](std::string_view tag, double v) {
        out += fmt::format("{},{},{},{},{}\n", run.scenario, run.seed, p.step, tag, num(v));
      };
      row("loss", p.loss);
      row("acc", p.accuracy);
      const auto& layers = p.gradients.layers;
      for (std::size_t l = 0; l < layers.size(); ++l)
        row(fmt::format("mean_{}", l + 1), layers[l].mean_abs_kernel_grad);
      for (std::size_t l = 0; l < layers.size(); ++l)
        row(fmt::format("bias_mean_{}", l + 1), layers[l].mean_abs_bias_grad);
      for (std::size_t l = 0; l < layers.size(); ++l)
        row(fmt::format("weight_mean_{}", l + 1), layers[l].mean_abs_kernel);
      for (std::size_t l = 0; l < layers.size(); ++l) {
        if (layers[l].dead_fraction) row(fmt::format("dead_{}", l + 1), *layers[l].dead_fraction);
        if (layers[l].saturated_fraction) row(fmt::format("saturated_{}", l + 1), *layers[l].saturated_fraction);
      }
    }
  }
  return out;
}

std::string histograms_csv(const std::vector<Run>& runs) {
  std::string out = "scenario,seed,step,layer,kind,bin,lo,hi,count\n";
  for (const Run& run : runs) {
    for (const LogPoint& p : run.log) {
      const auto& layers = p.gradients.layers;
      for (std::size_t l = 0; l < layers.size(); ++l) {
        for (const auto& [kind, h] :
             {std::pair<std::string_view, const nn::Histogram*>{"kernel_grad", &layers[l].kernel_grad},
              {"kernel_value", &layers[l].kernel_value}}) {
          const auto bins = h->counts.size();
          const double width = bins ? (static_cast<double>(h->hi) - h->lo) / static_cast<double>(bins) : 0.0;
          for (std::size_t b = 0; b < bins; ++b) {
            const double lo = h->lo + width * static_cast<double>(b);
            out += fmt::format("{},{},{},{},{},{},{},{},{}\n", run.scenario, run.seed, p.step, l + 1, kind, b, num(lo),
                               num(lo + width), h->counts[b]);
          }
        }
      }
    }
  }
  return out;
}

std::string summary_json(const Results& r) {
  const Settings& s = r.settings;
  std::string out = "{\n";
  out += "  \"settings\": {";
  out += fmt::format("\"activations\": [");
  for (std::size_t i = 0; i < s.activations.size(); ++i) out += (i ? ", " : "") + json_string(s.activations[i]);
  out += fmt::format(
      "], \"seeds\": {}, \"first_seed\": {}, \"iterations\": {}, \"batch\": {}, \"hidden\": {}, \"layers\": {}, "
      "\"log_every\": {}, \"leaky_relu_alpha\": {}, \"init\": {}, \"optimizer\": \"adam(lr=0.001, beta1=0.9, "
      "beta2=0.999, eps=1e-8)\"}},\n",
      s.seeds, s.first_seed, s.iterations, s.batch, s.hidden, s.layers, s.log_every, num(s.alpha),
      json_string(nn::to_string(s.init)));
  out += fmt::format("  \"data\": {},\n", json_string(r.data_description));
  out += fmt::format("  \"training_seconds\": {},\n", num(r.seconds));
  out += "  \"scenarios\": {\n";
  for (std::size_t i = 0; i < r.summaries.size(); ++i) {
    const ScenarioSummary& m = r.summaries[i];
    out += fmt::format("    {}: {{\n", json_string(m.scenario));
    out += fmt::format("      \"runs\": {},\n", m.runs);
    out += fmt::format("      \"test_acc\": {},\n", json_stat(m.test_accuracy));
    out += fmt::format("      \"final_train_batch_acc\": {},\n", json_stat(m.final_train_accuracy));
    out += fmt::format("      \"grad_ratio\": {},\n", json_stat(m.kernel_ratio_last_first));
    out += fmt::format("      \"grad_ratio_last_over_layer2\": {},\n", json_stat(m.kernel_ratio_last_second));
    out += fmt::format("      \"bias_grad_ratio\": {},\n", json_stat(m.bias_ratio_last_first));
    out += fmt::format("      \"mean_abs_grad\": {},\n", json_stats(m.mean_abs_kernel_grad));
    out += fmt::format("      \"mean_abs_bias_grad\": {},\n", json_stats(m.mean_abs_bias_grad));
    out += fmt::format("      \"mean_abs_weight\": {},\n", json_stats(m.mean_abs_kernel));
    out += "      \"per_seed\": [";
    bool first = true;
    for (const Run& run : r.runs) {
      if (run.scenario != m.scenario) continue;
      out += fmt::format("{}{{\"seed\": {}, \"test_acc\": {}, \"validation_acc\": {}, \"seconds\": {}}}",
                         first ? "" : ", ", run.seed, num(run.test_accuracy), num(run.validation_accuracy),
                         num(run.seconds));
      first = false;
    }
    out += "]\n";
    out += fmt::format("    }}{}\n", i + 1 < r.summaries.size() ? "," : "");
  }
  out += "  },\n  \"claims\": [\n";
  for (std::size_t i = 0; i < r.verdicts.size(); ++i) {
    const Verdict& v = r.verdicts[i];
    out += fmt::format("    {{\"claim\": {}, \"measured\": {}, \"verdict\": {}}}{}\n", json_string(v.claim),
                       json_string(v.measured), json_string(v.verdict), i + 1 < r.verdicts.size() ? "," : "");
  }
  out += "  ]\n}\n";
  return out;
}

std::vector<std::string> summary_headers() {
  return {"scenario", "runs", "test accuracy", "|dL/dW| last/1", "|dL/dW| last/2", "|dL/db| last/1"};
}

std::vector<std::vector<std::string>> summary_rows(const Results& r) {
  std::vector<std::vector<std::string>> rows;
  auto ratio = [](const Stat& s) { return fmt::format("{:.1f}x ± {:.1f}", s.mean, s.std); };
  for (const auto& m : r.summaries) {
    rows.push_back({m.scenario, fmt::format("{}", m.runs),
                    fmt::format("{:.2f}% ± {:.2f}", 100 * m.test_accuracy.mean, 100 * m.test_accuracy.std),
                    ratio(m.kernel_ratio_last_first), ratio(m.kernel_ratio_last_second),
                    ratio(m.bias_ratio_last_first)});
  }
  return rows;
}

}  // namespace gradflow::lessons::lesson05
