#include "cli/keras_variables.h"

#include <set>

#include "formats/keras/keras_weight_layout.h"
#include "tfport/checkpoint_writer.h"

namespace tfport::cli {
namespace {

// "conv2d/kernel:0" -> "kernel"; "sequential/dense/bias" -> "bias".
std::string short_name(const std::string& h5_name) {
  std::string s = h5_name.substr(h5_name.rfind('/') + 1);
  if (s.ends_with(":0")) s.resize(s.size() - 2);
  return s;
}

}  // namespace

Status add_keras_variables(const KerasModel& model, SavedModelSpec* spec) {
  const auto layers = keras::saved_layers(model);
  for (const KerasLayer* l : layers) {
    if (l->nested && !l->weights.empty()) {
      return unimplemented_error("layer '" + l->name + "' is a nested model with weights");
    }
  }
  // Bidirectional layers hold two weights of each name (forward and backward); their object
  // paths are not written yet, so such models keep the plain variable layout.
  for (const KerasLayer* l : layers) {
    std::set<std::string> seen;
    for (const std::string& h5 : keras::h5_weight_names(*l)) {
      if (!seen.insert(short_name(h5)).second) {
        return unimplemented_error("layer '" + l->name + "' has two weights named '" + short_name(h5) + "'");
      }
    }
  }
  std::set<std::string> names;
  for (const auto& n : spec->graph.node()) names.insert(n.name());
  for (const SavedModelVariable& v : spec->variables) names.insert(v.name);

  std::vector<std::string> keys;
  std::vector<std::pair<int, int>> aliases;  // (layer index i, layer_with_weights index j)
  int with_weights = 0;
  for (size_t i = 0; i < layers.size(); ++i) {
    const KerasLayer& l = *layers[i];
    if (l.weights.empty()) continue;
    const int j = with_weights++;
    aliases.emplace_back(static_cast<int>(i), j);
    const std::vector<std::string> h5_names = keras::h5_weight_names(l);
    for (size_t k = 0; k < l.weights.size(); ++k) {
      const std::string weight = short_name(h5_names[k]);
      const std::string key = "layer_with_weights-" + std::to_string(j) + "/" + weight + "/.ATTRIBUTES/VARIABLE_VALUE";
      keys.push_back(key);
      // The lowering names a weight's constant "<layer>/<weight>"; reuse its variable.
      bool reused = false;
      for (SavedModelVariable& v : spec->variables) {
        if (v.name == l.name + "/" + weight + "/variable" && v.checkpoint_key.empty() &&
            v.value.equals(l.weights[k].value)) {
          v.checkpoint_key = key;
          v.trainable = l.weights[k].trainable;
          reused = true;
          break;
        }
      }
      if (reused) continue;
      SavedModelVariable v;
      v.name = "keras_weights/" + l.name + "/" + weight;
      for (int n = 1; names.count(v.name) != 0; ++n) v.name = "keras_weights/" + l.name + "/" + weight + "_" + std::to_string(n);
      names.insert(v.name);
      v.value = l.weights[k].value;
      v.trainable = l.weights[k].trainable;
      v.checkpoint_key = key;
      spec->variables.push_back(std::move(v));
    }
  }
  tensorflow::TrackableObjectGraph graph = object_graph_for_keys(keys);
  // tf.keras tracks each layer twice from the root: as "layer-<i>" (every layer) and, when it
  // has weights, as "layer_with_weights-<j>"; both names lead to one object.
  std::map<int, int> node_of_j;
  for (const auto& c : graph.nodes(0).children()) {
    if (c.local_name().rfind("layer_with_weights-", 0) == 0) node_of_j[std::stoi(c.local_name().substr(19))] = c.node_id();
  }
  std::map<int, int> j_of_i;
  for (const auto& [i, j] : aliases) j_of_i[i] = j;
  for (size_t i = 0; i < layers.size(); ++i) {
    int node = -1;
    auto it = j_of_i.find(static_cast<int>(i));
    if (it != j_of_i.end()) node = node_of_j[it->second];
    if (node < 0) {
      node = graph.nodes_size();
      graph.add_nodes();
    }
    auto* ref = graph.mutable_nodes(0)->add_children();
    ref->set_node_id(node);
    ref->set_local_name("layer-" + std::to_string(i));
  }
  spec->object_graph = std::move(graph);
  return Status::OK();
}

}  // namespace tfport::cli
