#include "formats/keras_v3/writer_config.h"

#include "formats/keras/keras_config.h"

namespace tfport::keras {
namespace {

// Keras 2 serialized objects are {"class_name", "config"}; the module tells Keras 3 where to
// find the class. Initializers, regularizers and constraints are recognised by the key that
// holds them, everything else with a config of its own is a layer or a model.
std::string module_for(const std::string& key, const std::string& class_name) {
  if (key.ends_with("_initializer")) return "keras.initializers";
  if (key.ends_with("_regularizer")) return "keras.regularizers";
  if (key.ends_with("_constraint")) return "keras.constraints";
  if (class_name == "Sequential" || class_name == "Functional" || class_name == "Model") return "keras";
  return "keras.layers";
}

void upgrade(json& j, const std::string& key) {
  if (j.is_array()) {
    for (json& item : j) upgrade(item, key);
    return;
  }
  if (!j.is_object()) return;
  const bool serialized = j.contains("class_name") && j.contains("config") && j["class_name"].is_string();
  if (serialized && !j.contains("module")) {
    const std::string cls = j["class_name"].get<std::string>();
    j["module"] = module_for(key, cls);
    j["registered_name"] = nullptr;
    json& cfg = j["config"];
    if (cls == "InputLayer" && cfg.is_object() && cfg.contains("batch_input_shape") && !cfg.contains("batch_shape")) {
      cfg["batch_shape"] = cfg["batch_input_shape"];
      cfg.erase("batch_input_shape");
    }
  }
  for (auto it = j.begin(); it != j.end(); ++it) {
    // inbound_nodes keep Keras 2's nested lists, which Keras 3's functional loader still reads.
    if (it.key() == "inbound_nodes") continue;
    upgrade(it.value(), it.key());
  }
}

}  // namespace

StatusOr<std::string> keras3_config_json(const std::string& config_json) {
  json j = json::parse(config_json, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return invalid_argument_error("model config is not a JSON object");
  upgrade(j, "");
  return j.dump();
}

}  // namespace tfport::keras
