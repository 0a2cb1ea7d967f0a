#include "formats/keras/keras_config.h"

namespace tfport::keras {
namespace {

constexpr int kMaxNesting = 32;

Status config_error(const std::string& context, const std::string& what) {
  return data_loss_error(context + ": " + what);
}

// [name, node_index, tensor_index] or [name, node_index, tensor_index, kwargs].
bool is_ref(const json& j) {
  return j.is_array() && (j.size() == 3 || j.size() == 4) && j[0].is_string() && j[1].is_number_integer() &&
         j[2].is_number_integer();
}

KerasTensorRef to_ref(const json& j) {
  return KerasTensorRef{j[0].get<std::string>(), static_cast<int>(j[1].get<int64_t>()),
                        static_cast<int>(j[2].get<int64_t>())};
}

// Keras 3: {"class_name": "__keras_tensor__", "config": {"keras_history": [name, n, t]}}.
bool keras3_tensor(const json& j, KerasTensorRef* ref) {
  if (!j.is_object() || json_string(j, "class_name") != "__keras_tensor__") return false;
  if (!j.contains("config") || !j["config"].is_object()) return false;
  const json& c = j["config"];
  if (!c.contains("keras_history") || !is_ref(c["keras_history"])) return false;
  *ref = to_ref(c["keras_history"]);
  return true;
}

// Collects tensor references anywhere inside `j` (Keras 3 args, or Keras 2 kwargs values).
void collect_refs(const json& j, std::vector<KerasTensorRef>* out, int depth) {
  if (depth > kMaxNesting) return;
  KerasTensorRef ref;
  if (keras3_tensor(j, &ref)) {
    out->push_back(ref);
  } else if (is_ref(j)) {
    out->push_back(to_ref(j));
  } else if (j.is_array() || j.is_object()) {
    for (const json& item : j) collect_refs(item, out, depth + 1);
  }
}

void collect_kwarg_refs(const json& kwargs, KerasNode* node) {
  if (!kwargs.is_object()) return;
  for (auto it = kwargs.begin(); it != kwargs.end(); ++it) {
    std::vector<KerasTensorRef> refs;
    collect_refs(it.value(), &refs, 0);
    for (KerasTensorRef& r : refs) node->kwarg_inputs.emplace_back(it.key(), std::move(r));
  }
  node->kwargs_json = kwargs.dump();
}

Status parse_node(const json& j, const std::string& context, KerasNode* node) {
  node->kwargs_json = "{}";
  if (j.is_object()) {  // Keras 3 {"args": [...], "kwargs": {...}}
    if (j.contains("args")) collect_refs(j["args"], &node->inputs, 0);
    if (j.contains("kwargs")) collect_kwarg_refs(j["kwargs"], node);
    return Status::OK();
  }
  if (!j.is_array()) return config_error(context, "inbound node is neither a list nor an object");
  // Keras 2 writes a single-tensor call of some layers (TFOpLambda) as the bare reference.
  if (is_ref(j)) {
    node->inputs.push_back(to_ref(j));
    if (j.size() == 4) collect_kwarg_refs(j[3], node);
    return Status::OK();
  }
  for (const json& item : j) {
    if (!is_ref(item)) {
      if (item.is_array() && !item.empty() && item[0] == "_CONSTANT_VALUE") continue;
      return config_error(context, "inbound node entry is not [layer, node, tensor, kwargs]");
    }
    node->inputs.push_back(to_ref(item));
    if (item.size() == 4) collect_kwarg_refs(item[3], node);
  }
  return Status::OK();
}

Status parse_io(const json& j, const std::string& context, std::vector<KerasTensorRef>* out, int depth = 0) {
  if (depth > kMaxNesting) return config_error(context, "input/output structure nested too deeply");
  if (j.is_null()) return Status::OK();
  if (is_ref(j)) {
    out->push_back(to_ref(j));
    return Status::OK();
  }
  if (!j.is_array() && !j.is_object()) return config_error(context, "bad input_layers/output_layers entry");
  for (const json& item : j) TFPORT_RETURN_IF_ERROR(parse_io(item, context, out, depth + 1));
  return Status::OK();
}

Status parse_model(json& j, const std::string& context, KerasModel* model, int depth,
                   const std::string* text = nullptr);

// `entry` is consumed: its config moves into the layer's parsed_config.
Status parse_layer(json& entry, const std::string& context, bool functional, KerasLayer* layer, int depth) {
  if (!entry.is_object()) return config_error(context, "layer entry is not an object");
  layer->class_name = json_string(entry, "class_name");
  if (layer->class_name.empty()) return config_error(context, "layer without class_name");
  json empty = json::object();
  auto found = entry.find("config");
  json& cfg = found != entry.end() && found->is_object() ? *found : empty;
  layer->name = json_string(entry, "name", json_string(cfg, "name"));
  if (layer->name.empty()) return config_error(context, "layer of class " + layer->class_name + " without a name");
  std::string where = context + ": layer '" + layer->name + "'";
  layer->config_json = cfg.dump();
  layer->trainable = json_bool(cfg, "trainable", true);
  if (functional && entry.contains("inbound_nodes")) {
    const json& nodes = entry["inbound_nodes"];
    if (!nodes.is_array()) return config_error(where, "inbound_nodes is not a list");
    for (const json& n : nodes) {
      KerasNode node;
      TFPORT_RETURN_IF_ERROR(parse_node(n, where, &node));
      layer->inbound_nodes.push_back(std::move(node));
    }
  }
  if (is_model_class(layer->class_name) || (cfg.contains("layers") && cfg["layers"].is_array())) {
    auto nested = std::make_shared<KerasModel>();
    TFPORT_RETURN_IF_ERROR(parse_model(entry, where, nested.get(), depth + 1));
    layer->nested = std::move(nested);
  } else {
    // A nested model's config was partly consumed by its own layers: it keeps only the text.
    layer->parsed_config = std::make_shared<const KerasParsedConfig>(KerasParsedConfig{layer->config_json, std::move(cfg)});
  }
  return Status::OK();
}

// `j` is consumed (layer configs move out), after its text is kept in config_json: `text`, the
// JSON it was parsed from when the caller has it (serializing it again costs as much as the
// parse), else its dump.
Status parse_model(json& j, const std::string& context, KerasModel* model, int depth, const std::string* text) {
  if (depth > kMaxNesting) return config_error(context, "models nested too deeply");
  if (!j.is_object()) return config_error(context, "model config is not a JSON object");
  model->config_json = text != nullptr ? *text : j.dump();
  model->class_name = json_string(j, "class_name");
  if (model->class_name.empty()) return config_error(context, "model config without class_name");
  if (!j.contains("config")) return config_error(context, "model config without 'config'");
  json& cfg = j["config"];
  json* layers = nullptr;
  if (cfg.is_array()) {
    layers = &cfg;  // Keras 1 Sequential: the config is the layer list
  } else if (cfg.is_object()) {
    model->name = json_string(cfg, "name");
    model->trainable = json_bool(cfg, "trainable", true);
    if (cfg.contains("layers")) layers = &cfg["layers"];
  } else {
    return config_error(context, "'config' is neither an object nor a list");
  }
  if (!layers || !layers->is_array()) {
    return config_error(context, "model of class " + model->class_name + " has no 'layers' list");
  }
  bool functional = model->class_name != "Sequential";
  for (json& entry : *layers) {
    KerasLayer layer;
    TFPORT_RETURN_IF_ERROR(parse_layer(entry, context, functional, &layer, depth));
    model->layers.push_back(std::move(layer));
  }
  if (functional && cfg.is_object()) {
    if (cfg.contains("input_layers")) TFPORT_RETURN_IF_ERROR(parse_io(cfg["input_layers"], context, &model->inputs));
    if (cfg.contains("output_layers")) {
      TFPORT_RETURN_IF_ERROR(parse_io(cfg["output_layers"], context, &model->outputs));
    }
  }
  return Status::OK();
}

}  // namespace

std::string json_string(const json& j, const char* key, const std::string& fallback) {
  if (!j.is_object() || !j.contains(key) || !j[key].is_string()) return fallback;
  return j[key].get<std::string>();
}

std::optional<int64_t> json_int(const json& j, const char* key) {
  if (!j.is_object() || !j.contains(key) || !j[key].is_number_integer()) return std::nullopt;
  return j[key].get<int64_t>();
}

bool json_bool(const json& j, const char* key, bool fallback) {
  if (!j.is_object() || !j.contains(key) || !j[key].is_boolean()) return fallback;
  return j[key].get<bool>();
}

bool is_model_class(const std::string& c) {
  return c == "Sequential" || c == "Functional" || c == "Model";
}

std::optional<std::vector<int64_t>> json_shape(const json& j) {
  const json* items = &j;
  if (j.is_object() && j.contains("items")) items = &j["items"];  // TensorShape / __tuple__
  if (!items->is_array() || items->size() > 64) return std::nullopt;
  std::vector<int64_t> dims;
  for (const json& d : *items) {
    if (d.is_null()) dims.push_back(-1);
    else if (d.is_number_integer()) dims.push_back(d.get<int64_t>());
    else return std::nullopt;
  }
  return dims;
}

std::optional<std::vector<int64_t>> declared_input_shape(const json& cfg) {
  if (!cfg.is_object()) return std::nullopt;
  for (const char* key : {"batch_input_shape", "batch_shape"}) {
    if (cfg.contains(key)) {
      if (auto s = json_shape(cfg[key])) return s;
    }
  }
  return std::nullopt;
}

Status parse_model_config_json(const json& j, const std::string& context, KerasModel* model) {
  json copy = j;
  return parse_model(copy, context, model, 0);
}

Status parse_model_config(const std::string& text, const std::string& context, KerasModel* model) {
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded()) return config_error(context, "not valid JSON");
  return parse_model(j, context, model, 0, &text);
}

}  // namespace tfport::keras

namespace tfport {

const KerasLayer* KerasModel::find_layer(const std::string& layer_name) const {
  for (const KerasLayer& l : layers) {
    if (l.name == layer_name) return &l;
  }
  return nullptr;
}

}  // namespace tfport
