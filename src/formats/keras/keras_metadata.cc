// read_keras_saved_model_metadata: keras_metadata.pb of a tf.keras SavedModel (spec §4).
#include <string>

#include "core/file.h"
#include "formats/keras/keras_config.h"
#include "formats/keras/keras_shapes.h"
#include "tfport/keras.h"
#include "tfport/tf/keras_metadata.pb.h"

namespace tfport {
namespace {

constexpr uint64_t kMaxMetadataBytes = uint64_t{256} << 20;

// Layers of a model without a graph config (subclassed): its direct children in the object graph.
void add_child_layers(const tensorflow::keras::SavedMetadata& meta, KerasModel* model) {
  for (const auto& node : meta.nodes()) {
    const std::string& p = node.node_path();
    if (p.rfind("root.", 0) != 0 || p.find('.', 5) != std::string::npos) continue;
    if (node.identifier().find("layer") == std::string::npos && node.identifier().find("model") == std::string::npos &&
        node.identifier().find("network") == std::string::npos && node.identifier() != "_tf_keras_sequential") {
      continue;  // metrics and other trackables
    }
    keras::json j = keras::json::parse(node.metadata(), nullptr, false);
    if (j.is_discarded() || !j.is_object()) continue;
    KerasLayer layer;
    layer.name = keras::json_string(j, "name", p.substr(5));
    layer.class_name = keras::json_string(j, "class_name", "?");
    layer.config_json = j.contains("config") ? j["config"].dump() : "{}";
    layer.trainable = keras::json_bool(j, "trainable", true);
    model->layers.push_back(std::move(layer));
  }
}

// The weight shapes of each top-level layer, from its class, config and the build_input_shape
// its own metadata node records (the values stay in the SavedModel's variables).
void add_weight_shapes(const tensorflow::keras::SavedMetadata& meta, KerasModel* model) {
  for (const auto& node : meta.nodes()) {
    const std::string& p = node.node_path();
    if (p.rfind("root.layer", 0) != 0 || p.find('.', 5) != std::string::npos) continue;
    keras::json j = keras::json::parse(node.metadata(), nullptr, false);
    if (j.is_discarded() || !j.is_object() || !j.contains("build_input_shape")) continue;
    std::vector<keras::KShape> inputs;
    const keras::json& b = j["build_input_shape"];
    if (auto one = keras::json_shape(b)) {
      inputs.push_back(*one);
    } else if (b.is_array() || b.is_object()) {
      const keras::json& items = b.is_object() && b.contains("items") ? b["items"] : b;
      for (const keras::json& item : items) {
        if (auto s = keras::json_shape(item)) inputs.push_back(*s);
      }
    }
    for (KerasLayer& layer : model->layers) {
      if (layer.name != keras::json_string(j, "name") || layer.nested || !layer.weights.empty()) continue;
      keras::json cfg = keras::json::parse(layer.config_json, nullptr, false);
      auto specs = keras::infer_weight_shapes(layer.class_name, cfg, inputs);
      if (!specs) break;
      for (size_t i = 0; i < specs->size(); ++i) {
        KerasWeight w;
        w.name = layer.name + "/" + std::to_string(i);
        w.shape = (*specs)[i].shape;
        w.trainable = (*specs)[i].trainable && layer.trainable;
        bool known = true;
        for (int64_t d : w.shape) known = known && d >= 0;
        if (known) layer.weights.push_back(std::move(w));
      }
      break;
    }
  }
}

}  // namespace

StatusOr<KerasModel> read_keras_saved_model_metadata(const std::string& dir) {
  std::string path = join_path(dir, "keras_metadata.pb");
  if (!path_exists(path)) return not_found_error(path + ": not found; not a tf.keras SavedModel");
  TFPORT_ASSIGN_OR_RETURN(std::string bytes, read_file(path, kMaxMetadataBytes));
  tensorflow::keras::SavedMetadata meta;
  if (!meta.ParseFromString(bytes)) return data_loss_error(path + ": not a valid SavedMetadata protobuf");
  const tensorflow::keras::SavedObject* root = nullptr;
  for (const auto& node : meta.nodes()) {
    if (node.node_path() == "root") {
      root = &node;
      break;
    }
  }
  if (!root) return data_loss_error(path + ": no node with node_path 'root'");
  std::string context = path + ": node 'root' metadata";
  keras::json j = keras::json::parse(root->metadata(), nullptr, false);
  if (j.is_discarded() || !j.is_object()) return data_loss_error(context + ": not a JSON object");

  KerasModel model;
  model.source = dir;
  model.format = "keras-savedmodel";
  model.keras_version = keras::json_string(j, "keras_version");
  model.backend = keras::json_string(j, "backend");
  if (j.contains("model_config") && j["model_config"].is_object() && j["model_config"].contains("config") &&
      j["model_config"]["config"].is_object() && j["model_config"]["config"].contains("layers")) {
    TFPORT_RETURN_IF_ERROR(keras::parse_model_config_json(j["model_config"], context + ": model_config", &model));
    add_weight_shapes(meta, &model);
  } else {
    model.class_name = keras::json_string(j, "class_name", "Model");
    model.name = keras::json_string(j, "name");
    model.config_json = j.contains("model_config") ? j["model_config"].dump() : "{}";
    add_child_layers(meta, &model);
  }
  model.weights_loaded = false;
  return model;
}

}  // namespace tfport
