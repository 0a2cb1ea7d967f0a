// summarize_keras_model: per-layer output shapes (walking the Sequential chain or the
// functional graph), parameter counts and the trainable split.
#include <map>

#include "formats/keras/keras_config.h"
#include "formats/keras/keras_shapes.h"
#include "tfport/keras.h"

namespace tfport::keras {
namespace {

using Shapes = std::vector<KShape>;

json parse_or_empty(const std::string& text) {
  json j = json::parse(text, nullptr, false);
  return j.is_discarded() ? json::object() : j;
}

struct LayerAnalysis {
  std::vector<std::optional<Shapes>> node_outputs;  // one per call (one for Sequential layers)
  std::optional<Shapes> first_inputs;               // input shapes of the first call
};

struct ModelAnalysis {
  std::vector<LayerAnalysis> layers;
  std::optional<Shapes> outputs;
};

ModelAnalysis analyze(const KerasModel& model, int depth);

std::optional<Shapes> run_layer(const KerasLayer& layer, const Shapes& inputs, int depth) {
  if (layer.nested) {
    if (depth > 16) return std::nullopt;
    return analyze(*layer.nested, depth + 1).outputs;
  }
  return infer_output_shapes(layer.class_name, parse_or_empty(layer.config_json), inputs);
}

std::optional<KShape> sequential_input(const KerasModel& model) {
  json root = parse_or_empty(model.config_json);
  if (!model.layers.empty()) {
    if (auto s = declared_input_shape(parse_or_empty(model.layers[0].config_json))) return s;
  }
  if (root.contains("config") && root["config"].is_object() && root["config"].contains("build_input_shape")) {
    if (auto s = json_shape(root["config"]["build_input_shape"])) return s;
  }
  if (root.contains("build_config") && root["build_config"].is_object() &&
      root["build_config"].contains("input_shape")) {
    if (auto s = json_shape(root["build_config"]["input_shape"])) return s;
  }
  return std::nullopt;
}

ModelAnalysis analyze(const KerasModel& model, int depth) {
  ModelAnalysis a;
  a.layers.resize(model.layers.size());
  if (model.is_sequential()) {
    std::optional<Shapes> current;
    if (auto s = sequential_input(model)) current = Shapes{*s};
    for (size_t i = 0; i < model.layers.size(); ++i) {
      const KerasLayer& l = model.layers[i];
      a.layers[i].first_inputs = current;
      std::optional<Shapes> out;
      if (l.class_name == "InputLayer") out = run_layer(l, {}, depth);
      else if (current) out = run_layer(l, *current, depth);
      a.layers[i].node_outputs.push_back(out);
      current = out;
    }
    a.outputs = current;
    return a;
  }
  std::map<std::string, size_t> index;
  for (size_t i = 0; i < model.layers.size(); ++i) index.emplace(model.layers[i].name, i);
  auto lookup = [&](const KerasTensorRef& r) -> std::optional<KShape> {
    auto it = index.find(r.layer);
    if (it == index.end()) return std::nullopt;
    const auto& nodes = a.layers[it->second].node_outputs;
    int n = r.node_index;
    // Calls of a nested model count its own internal node first (spec §5.1).
    if (n >= static_cast<int>(nodes.size()) && model.layers[it->second].nested) n -= 1;
    if (n < 0 || n >= static_cast<int>(nodes.size()) || !nodes[n]) return std::nullopt;
    const Shapes& outs = *nodes[n];
    if (r.tensor_index < 0 || r.tensor_index >= static_cast<int>(outs.size())) return std::nullopt;
    return outs[r.tensor_index];
  };
  for (size_t i = 0; i < model.layers.size(); ++i) {
    const KerasLayer& l = model.layers[i];
    if (l.inbound_nodes.empty()) {
      a.layers[i].node_outputs.push_back(l.class_name == "InputLayer" ? run_layer(l, {}, depth) : std::nullopt);
      continue;
    }
    for (const KerasNode& node : l.inbound_nodes) {
      Shapes inputs;
      bool known = true;
      for (const KerasTensorRef& r : node.inputs) {
        auto s = lookup(r);
        if (!s) known = false;
        else inputs.push_back(*s);
      }
      for (const auto& kw : node.kwarg_inputs) {
        if (auto s = lookup(kw.second)) inputs.push_back(*s);
      }
      if (!a.layers[i].first_inputs && known) a.layers[i].first_inputs = inputs;
      a.layers[i].node_outputs.push_back(known ? run_layer(l, inputs, depth) : std::nullopt);
    }
  }
  Shapes outs;
  for (const KerasTensorRef& r : model.outputs) {
    auto s = lookup(r);
    if (!s) return a;
    outs.push_back(*s);
  }
  a.outputs = outs;
  return a;
}

std::string shapes_text(const Shapes& s, bool force_list) {
  if (s.size() == 1 && !force_list) return python_shape(s[0]);
  std::string t = "[";
  for (size_t i = 0; i < s.size(); ++i) t += (i ? ", " : "") + python_shape(s[i]);
  return t + "]";
}

std::string output_shape_text(const KerasLayer& l, const LayerAnalysis& a) {
  if (a.node_outputs.empty() || !a.node_outputs[0]) return "?";
  for (const auto& n : a.node_outputs) {
    if (!n || *n != *a.node_outputs[0]) return "multiple";
  }
  // tf.keras reports an InputLayer's output as a one-element list.
  return shapes_text(*a.node_outputs[0], l.class_name == "InputLayer");
}

// Functional models whose graph is a plain chain print like Sequential ones (no Connected to).
bool chain_like(const KerasModel& model) {
  if (model.inputs.size() > 1) return false;
  std::map<std::pair<std::string, int>, int> uses;
  for (const KerasLayer& l : model.layers) {
    if (l.inbound_nodes.size() > 1) return false;
    for (const KerasNode& n : l.inbound_nodes) {
      if (n.inputs.size() + n.kwarg_inputs.size() > 1) return false;
      for (const KerasTensorRef& r : n.inputs) {
        if (++uses[{r.layer, r.node_index}] > 1) return false;
      }
    }
  }
  return true;
}

struct Counts {
  int64_t trainable = 0, non_trainable = 0, trainable_bytes = 0, non_trainable_bytes = 0;
  bool inferred = false;
};

Counts count_model(const KerasModel& model, const ModelAnalysis& a, std::vector<int64_t>* per_layer, int depth);

Counts count_layer(const KerasLayer& l, const LayerAnalysis& a, bool weights_loaded, int depth) {
  Counts c;
  if (weights_loaded || !l.weights.empty()) {
    for (const KerasWeight& w : l.weights) {
      int64_t n = 1;
      for (int64_t d : w.shape) n *= d;
      int64_t bytes = n * static_cast<int64_t>(w.value.valid() ? element_storage_size(w.value.dtype()) : 4);
      (w.trainable ? c.trainable : c.non_trainable) += n;
      (w.trainable ? c.trainable_bytes : c.non_trainable_bytes) += bytes;
    }
    return c;
  }
  c.inferred = true;
  if (l.nested && depth < 16) {
    ModelAnalysis inner = analyze(*l.nested, depth + 1);
    Counts n = count_model(*l.nested, inner, nullptr, depth + 1);
    if (!l.trainable) n.non_trainable += n.trainable, n.non_trainable_bytes += n.trainable_bytes, n.trainable = 0,
                                                     n.trainable_bytes = 0;
    return n;
  }
  Shapes inputs = a.first_inputs ? *a.first_inputs : Shapes{};
  auto specs = infer_weight_shapes(l.class_name, parse_or_empty(l.config_json), inputs);
  if (!specs) return c;
  for (const WeightSpec& s : *specs) {
    int64_t n = 1;
    for (int64_t d : s.shape) n = d < 0 || n < 0 ? -1 : n * d;
    if (n < 0) continue;
    bool t = s.trainable && l.trainable;
    (t ? c.trainable : c.non_trainable) += n;
    (t ? c.trainable_bytes : c.non_trainable_bytes) += 4 * n;
  }
  return c;
}

Counts count_model(const KerasModel& model, const ModelAnalysis& a, std::vector<int64_t>* per_layer, int depth) {
  Counts total;
  for (size_t i = 0; i < model.layers.size(); ++i) {
    Counts c = count_layer(model.layers[i], a.layers[i], model.weights_loaded, depth);
    total.trainable += c.trainable;
    total.non_trainable += c.non_trainable;
    total.trainable_bytes += c.trainable_bytes;
    total.non_trainable_bytes += c.non_trainable_bytes;
    total.inferred = total.inferred || c.inferred;
    if (per_layer) per_layer->push_back(c.trainable + c.non_trainable);
  }
  return total;
}

}  // namespace
}  // namespace tfport::keras

namespace tfport {

KerasSummary summarize_keras_model(const KerasModel& model) {
  using namespace keras;
  KerasSummary s;
  s.model_name = model.name;
  ModelAnalysis a = analyze(model, 0);
  std::vector<int64_t> params;
  Counts totals = count_model(model, a, &params, 0);
  s.trainable_params = totals.trainable;
  s.non_trainable_params = totals.non_trainable;
  s.trainable_bytes = totals.trainable_bytes;
  s.non_trainable_bytes = totals.non_trainable_bytes;
  s.params_from_configs = totals.inferred;
  s.show_connections = !model.is_sequential() && !model.class_name.empty() && !chain_like(model);
  for (size_t i = 0; i < model.layers.size(); ++i) {
    const KerasLayer& l = model.layers[i];
    // Keras' Sequential.layers hides the InputLayer.
    if (model.is_sequential() && l.class_name == "InputLayer") continue;
    KerasLayerSummary row;
    row.name = l.name;
    row.class_name = l.class_name.empty() ? "?" : l.class_name;
    row.output_shape = output_shape_text(l, a.layers[i]);
    row.params = params[i];
    for (const KerasNode& n : l.inbound_nodes) {
      auto add = [&](const KerasTensorRef& r) {
        row.connected_to.push_back(r.layer + "[" + std::to_string(r.node_index) + "][" +
                                   std::to_string(r.tensor_index) + "]");
      };
      for (const KerasTensorRef& r : n.inputs) add(r);
      for (const auto& kw : n.kwarg_inputs) add(kw.second);
    }
    s.layers.push_back(std::move(row));
  }
  return s;
}

}  // namespace tfport
