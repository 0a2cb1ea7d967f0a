// read_keras_saved_model: tf.keras tracks model.layers[i] as the root's child "layer-<i>" and
// each weight as that layer's child named after the weight; the weight's value is the
// checkpoint key of its VARIABLE_VALUE attribute.
#include <algorithm>

#include "core/file.h"
#include "formats/keras/keras_config.h"
#include "formats/keras/keras_weight_layout.h"
#include "formats/keras/keras_weights.h"
#include "tfport/checkpoint.h"
#include "tfport/keras_saved_model.h"

namespace tfport {
namespace {

using Graph = tensorflow::TrackableObjectGraph;

int child(const Graph& g, int node, const std::string& name) {
  for (const auto& c : g.nodes(node).children()) {
    if (c.local_name() == name && c.node_id() >= 0 && c.node_id() < g.nodes_size()) return c.node_id();
  }
  return -1;
}

std::string variable_key(const Graph& g, int node) {
  for (const auto& a : g.nodes(node).attributes()) {
    if (a.name() == "VARIABLE_VALUE") return a.checkpoint_key();
  }
  return "";
}

// The variables of one layer node: in Keras weight order when the class is known, else in
// the order the object graph lists them. A variable tracked under two attribute names
// (Normalization's adapt_mean is also its mean) is taken once, under its Keras weight name.
Status layer_weights(const Graph& g, int node, const KerasLayer& layer, const CheckpointReader& ckpt,
                     std::vector<KerasWeight>* out) {
  const std::vector<std::string> order = keras::class_weight_names(layer);
  auto known = [&](const std::string& name) { return std::find(order.begin(), order.end(), name) != order.end(); };
  struct Var {
    std::string name, key;
    int node;
  };
  std::vector<Var> vars;
  for (const auto& c : g.nodes(node).children()) {
    if (c.node_id() < 0 || c.node_id() >= g.nodes_size()) continue;
    const std::string key = variable_key(g, c.node_id());
    if (key.empty()) continue;
    auto same = std::find_if(vars.begin(), vars.end(), [&](const Var& v) { return v.node == c.node_id(); });
    if (same == vars.end()) {
      vars.push_back({c.local_name(), key, c.node_id()});
    } else if (!known(same->name) && known(c.local_name())) {
      same->name = c.local_name();
    }
  }
  if (!order.empty() && order.size() == vars.size()) {
    std::vector<Var> sorted;
    for (const std::string& name : order) {
      for (const Var& v : vars) {
        if (v.name == name) sorted.push_back(v);
      }
    }
    if (sorted.size() == vars.size()) vars = std::move(sorted);
  }
  for (const Var& v : vars) {
    KerasWeight w;
    w.name = layer.name + "/" + v.name + ":0";
    auto value = ckpt.read(v.key);
    if (!value.ok()) return value.status().with_context("layer '" + layer.name + "' weight '" + v.name + "'");
    w.value = *value;
    w.shape = w.value.shape().dims();
    out->push_back(std::move(w));
  }
  return Status::OK();
}

// Weights of every layer of `model`, tracked under object-graph node `node`; a nested model's
// weights are flattened into its own layer entry, as the HDF5 layout keeps them.
Status collect(const Graph& g, int node, const KerasModel& model, const CheckpointReader& ckpt,
               std::vector<std::vector<KerasWeight>>* per_layer, int depth) {
  if (depth > 16) return data_loss_error("models nested too deeply");
  const auto saved = keras::saved_layers(model);
  for (size_t i = 0; i < saved.size(); ++i) {
    const KerasLayer& layer = *saved[i];
    std::vector<KerasWeight> weights;
    const int layer_node = child(g, node, "layer-" + std::to_string(i));
    if (layer_node < 0) {
      return data_loss_error("the object graph has no 'layer-" + std::to_string(i) + "' for layer '" + layer.name + "'");
    }
    if (layer.nested) {
      std::vector<std::vector<KerasWeight>> inner;
      TFPORT_RETURN_IF_ERROR(collect(g, layer_node, *layer.nested, ckpt, &inner, depth + 1));
      for (auto& ws : inner) {
        for (KerasWeight& w : ws) weights.push_back(std::move(w));
      }
    } else {
      TFPORT_RETURN_IF_ERROR(layer_weights(g, layer_node, layer, ckpt, &weights));
    }
    per_layer->push_back(std::move(weights));
  }
  return Status::OK();
}

// keras_metadata.pb spells tuples {"class_name": "__tuple__", "items": [...]}; HDF5 and
// .keras configs spell them as plain lists, which is what their loaders expect.
void untuple(keras::json& j) {
  if (j.is_object() && j.size() == 2 && j.contains("class_name") && j["class_name"] == "__tuple__" &&
      j.contains("items")) {
    keras::json items = std::move(j["items"]);
    j = std::move(items);
  }
  if (j.is_object() || j.is_array()) {
    for (auto& v : j) untuple(v);
  }
}

}  // namespace

StatusOr<KerasModel> read_keras_saved_model(const std::string& dir) {
  TFPORT_ASSIGN_OR_RETURN(KerasModel model, read_keras_saved_model_metadata(dir));
  keras::json config = keras::json::parse(model.config_json, nullptr, false);
  if (config.is_discarded() || !config.is_object() || !config.contains("config") ||
      !config["config"].is_object() || !config["config"].contains("layers")) {
    return failed_precondition_error(dir + ": a subclassed Keras model (no layer graph in keras_metadata.pb); "
                                     "its weights cannot be mapped to layers");
  }
  untuple(config);
  model.config_json = config.dump();
  const std::string prefix = join_path(dir, "variables/variables");
  TFPORT_ASSIGN_OR_RETURN(CheckpointReader ckpt, CheckpointReader::open(prefix));
  TFPORT_ASSIGN_OR_RETURN(Graph graph, ckpt.object_graph());
  if (graph.nodes_size() == 0) return data_loss_error(prefix + ": empty object graph");
  std::vector<std::vector<KerasWeight>> per_layer;
  Status s = collect(graph, 0, model, ckpt, &per_layer, 0);
  if (!s.ok()) return s.with_context(prefix);
  const auto saved = keras::saved_layers(model);
  for (size_t i = 0; i < saved.size(); ++i) {
    for (KerasLayer& layer : model.layers) {
      if (&layer != saved[i]) continue;
      layer.weights = std::move(per_layer[i]);
      keras::mark_trainable_weights(&layer);
    }
  }
  model.weights_loaded = true;
  return model;
}

}  // namespace tfport
