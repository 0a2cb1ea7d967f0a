#include "formats/keras/keras_config.h"

#include <simdjson.h>

#include <string_view>

#include "formats/keras/json_from_simdjson.h"

namespace tfport::keras {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

constexpr int kMaxNesting = 32;
// Deeper JSON than this is refused (the conversion to nlohmann recurses once per level).
constexpr size_t kMaxJsonDepth = 512;

Status config_error(const std::string& context, const std::string& what) {
  return data_loss_error(context + ": " + what);
}

bool is_integer(element e) { return e.type() == element_type::INT64 || e.type() == element_type::UINT64; }

// As nlohmann's get<int64_t>(): an unsigned value beyond int64 wraps.
int64_t integer_of(element e) {
  if (e.type() == element_type::UINT64) return static_cast<int64_t>(e.get_uint64().value_unsafe());
  return e.get_int64().value_unsafe();
}

// The member `key` of an object (nullopt when `e` is not an object or has no such member); of
// a key given twice, the last value, as nlohmann's parser (and the layer configs) keep it.
std::optional<element> member(element e, std::string_view key) {
  if (e.type() != element_type::OBJECT) return std::nullopt;
  std::optional<element> found;
  for (simdjson::dom::key_value_pair field : object_of(e)) {
    if (field.key == key) found = field.value;
  }
  return found;
}

std::string string_member(element e, std::string_view key, std::string_view fallback = {}) {
  std::optional<element> v = member(e, key);
  if (!v || v->type() != element_type::STRING) return std::string(fallback);
  return std::string(v->get_string().value_unsafe());
}

bool bool_member(element e, std::string_view key, bool fallback) {
  std::optional<element> v = member(e, key);
  if (!v || v->type() != element_type::BOOL) return fallback;
  return v->get_bool().value_unsafe();
}

// [name, node_index, tensor_index] or [name, node_index, tensor_index, kwargs]; `kwargs` is
// set to the fourth item when there is one.
bool as_ref(element e, KerasTensorRef* ref, std::optional<element>* kwargs = nullptr) {
  if (e.type() != element_type::ARRAY) return false;
  element items[4];
  size_t n = 0;
  for (element item : array_of(e)) {
    if (n == 4) return false;
    items[n++] = item;
  }
  if (n < 3 || items[0].type() != element_type::STRING || !is_integer(items[1]) || !is_integer(items[2])) {
    return false;
  }
  *ref = KerasTensorRef{std::string(items[0].get_string().value_unsafe()), static_cast<int>(integer_of(items[1])),
                        static_cast<int>(integer_of(items[2]))};
  if (kwargs != nullptr) *kwargs = n == 4 ? std::optional<element>(items[3]) : std::nullopt;
  return true;
}

// Keras 3: {"class_name": "__keras_tensor__", "config": {"keras_history": [name, n, t]}}.
bool keras3_tensor(element e, KerasTensorRef* ref) {
  if (e.type() != element_type::OBJECT || string_member(e, "class_name") != "__keras_tensor__") return false;
  std::optional<element> c = member(e, "config");
  if (!c || c->type() != element_type::OBJECT) return false;
  std::optional<element> history = member(*c, "keras_history");
  return history && as_ref(*history, ref);
}

// Collects tensor references anywhere inside `e` (Keras 3 args, or Keras 2 kwargs values).
void collect_refs(element e, std::vector<KerasTensorRef>* out, int depth) {
  if (depth > kMaxNesting) return;
  KerasTensorRef ref;
  if (keras3_tensor(e, &ref) || as_ref(e, &ref)) {
    out->push_back(std::move(ref));
  } else if (e.type() == element_type::ARRAY) {
    for (element item : array_of(e)) collect_refs(item, out, depth + 1);
  } else if (e.type() == element_type::OBJECT) {
    for (simdjson::dom::key_value_pair field : object_of(e)) collect_refs(field.value, out, depth + 1);
  }
}

void collect_kwarg_refs(element kwargs, KerasNode* node) {
  if (kwargs.type() != element_type::OBJECT) return;
  for (simdjson::dom::key_value_pair field : object_of(kwargs)) {
    std::vector<KerasTensorRef> refs;
    collect_refs(field.value, &refs, 0);
    for (KerasTensorRef& r : refs) node->kwarg_inputs.emplace_back(std::string(field.key), std::move(r));
  }
  node->kwargs_json = simdjson::to_string(kwargs);
}

Status parse_node(element e, const std::string& context, KerasNode* node) {
  node->kwargs_json = "{}";
  if (e.type() == element_type::OBJECT) {  // Keras 3 {"args": [...], "kwargs": {...}}
    if (std::optional<element> args = member(e, "args")) collect_refs(*args, &node->inputs, 0);
    if (std::optional<element> kwargs = member(e, "kwargs")) collect_kwarg_refs(*kwargs, node);
    node->call_json = simdjson::to_string(e);
    return Status::OK();
  }
  if (e.type() != element_type::ARRAY) return config_error(context, "inbound node is neither a list nor an object");
  node->call_json = simdjson::to_string(e);
  // Keras 2 writes a single-tensor call of some layers (TFOpLambda) as the bare reference.
  KerasTensorRef ref;
  std::optional<element> kwargs;
  if (as_ref(e, &ref, &kwargs)) {
    node->inputs.push_back(std::move(ref));
    if (kwargs) collect_kwarg_refs(*kwargs, node);
    return Status::OK();
  }
  // A constant in place of a tensor: ["_CONSTANT_VALUE", -1, value, kwargs].
  auto constant_entry = [&](element item) {
    if (item.type() != element_type::ARRAY) return false;
    simdjson::dom::array a = array_of(item);
    element first, fourth;
    if (a.at(0).get(first) != simdjson::SUCCESS || first.type() != element_type::STRING ||
        first.get_string().value_unsafe() != "_CONSTANT_VALUE") {
      return false;
    }
    if (a.at(3).get(fourth) == simdjson::SUCCESS) collect_kwarg_refs(fourth, node);
    return true;
  };
  if (constant_entry(e)) return Status::OK();
  for (element item : array_of(e)) {
    if (!as_ref(item, &ref, &kwargs)) {
      if (constant_entry(item)) continue;
      return config_error(context, "inbound node entry is not [layer, node, tensor, kwargs]");
    }
    node->inputs.push_back(std::move(ref));
    if (kwargs) collect_kwarg_refs(*kwargs, node);
  }
  return Status::OK();
}

Status parse_io(element e, const std::string& context, std::vector<KerasTensorRef>* out, int depth = 0) {
  if (depth > kMaxNesting) return config_error(context, "input/output structure nested too deeply");
  if (e.type() == element_type::NULL_VALUE) return Status::OK();
  KerasTensorRef ref;
  if (as_ref(e, &ref)) {
    out->push_back(std::move(ref));
    return Status::OK();
  }
  if (e.type() == element_type::ARRAY) {
    for (element item : array_of(e)) TFPORT_RETURN_IF_ERROR(parse_io(item, context, out, depth + 1));
  } else if (e.type() == element_type::OBJECT) {
    for (simdjson::dom::key_value_pair field : object_of(e)) {
      TFPORT_RETURN_IF_ERROR(parse_io(field.value, context, out, depth + 1));
    }
  } else {
    return config_error(context, "bad input_layers/output_layers entry");
  }
  return Status::OK();
}

Status parse_model(element j, const std::string& context, KerasModel* model, int depth,
                   const std::string* text = nullptr);

Status parse_layer(element entry, const std::string& context, bool functional, KerasLayer* layer, int depth) {
  if (entry.type() != element_type::OBJECT) return config_error(context, "layer entry is not an object");
  layer->class_name = string_member(entry, "class_name");
  layer->module = string_member(entry, "module");
  if (layer->class_name.empty()) return config_error(context, "layer without class_name");
  std::optional<element> cfg = member(entry, "config");
  if (cfg && cfg->type() != element_type::OBJECT) cfg.reset();
  layer->name = string_member(entry, "name");
  if (layer->name.empty() && cfg) layer->name = string_member(*cfg, "name");
  if (layer->name.empty()) return config_error(context, "layer of class " + layer->class_name + " without a name");
  std::string where = context + ": layer '" + layer->name + "'";
  layer->config_json = cfg ? simdjson::to_string(*cfg) : std::string("{}");
  layer->trainable = cfg ? bool_member(*cfg, "trainable", true) : true;
  if (std::optional<element> nodes = functional ? member(entry, "inbound_nodes") : std::nullopt) {
    if (nodes->type() != element_type::ARRAY) return config_error(where, "inbound_nodes is not a list");
    for (element n : array_of(*nodes)) {
      KerasNode node;
      TFPORT_RETURN_IF_ERROR(parse_node(n, where, &node));
      layer->inbound_nodes.push_back(std::move(node));
    }
  }
  std::optional<element> sublayers = cfg ? member(*cfg, "layers") : std::nullopt;
  if (is_model_class(layer->class_name) || (sublayers && sublayers->type() == element_type::ARRAY)) {
    auto nested = std::make_shared<KerasModel>();
    TFPORT_RETURN_IF_ERROR(parse_model(entry, where, nested.get(), depth + 1));
    layer->nested = std::move(nested);
  } else {
    // Lowering reads the config as nlohmann::json; nested models keep only the text.
    layer->parsed_config = std::make_shared<const KerasParsedConfig>(
        KerasParsedConfig{layer->config_json, cfg ? json_from_simdjson(*cfg) : json::object()});
  }
  return Status::OK();
}

// `text`: the JSON `j` was parsed from, when the caller has it (kept as config_json).
Status parse_model(element j, const std::string& context, KerasModel* model, int depth, const std::string* text) {
  if (depth > kMaxNesting) return config_error(context, "models nested too deeply");
  if (j.type() != element_type::OBJECT) return config_error(context, "model config is not a JSON object");
  model->config_json = text != nullptr ? *text : simdjson::to_string(j);
  model->class_name = string_member(j, "class_name");
  if (model->class_name.empty()) return config_error(context, "model config without class_name");
  std::optional<element> cfg = member(j, "config");
  if (!cfg) return config_error(context, "model config without 'config'");
  std::optional<element> layers;
  if (cfg->type() == element_type::ARRAY) {
    layers = cfg;  // Keras 1 Sequential: the config is the layer list
  } else if (cfg->type() == element_type::OBJECT) {
    model->name = string_member(*cfg, "name");
    model->trainable = bool_member(*cfg, "trainable", true);
    layers = member(*cfg, "layers");
  } else {
    return config_error(context, "'config' is neither an object nor a list");
  }
  if (!layers || layers->type() != element_type::ARRAY) {
    return config_error(context, "model of class " + model->class_name + " has no 'layers' list");
  }
  bool functional = model->class_name != "Sequential";
  simdjson::dom::array entries = array_of(*layers);
  model->layers.reserve(entries.size());
  for (element entry : entries) {
    KerasLayer& layer = model->layers.emplace_back();
    TFPORT_RETURN_IF_ERROR(parse_layer(entry, context, functional, &layer, depth));
  }
  if (functional && cfg->type() == element_type::OBJECT) {
    if (std::optional<element> in = member(*cfg, "input_layers")) {
      TFPORT_RETURN_IF_ERROR(parse_io(*in, context, &model->inputs));
    }
    if (std::optional<element> out = member(*cfg, "output_layers")) {
      TFPORT_RETURN_IF_ERROR(parse_io(*out, context, &model->outputs));
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
  return parse_model_config(j.dump(), context, model);
}

Status parse_model_config(const std::string& text, const std::string& context, KerasModel* model) {
  simdjson::dom::parser parser;
  if (parser.allocate(text.size(), kMaxJsonDepth) != simdjson::SUCCESS) {
    return resource_exhausted_error(context + ": no memory to parse " + std::to_string(text.size()) + " bytes of JSON");
  }
  element root;
  if (parser.parse(text).get(root) != simdjson::SUCCESS) return config_error(context, "not valid JSON");
  return parse_model(root, context, model, 0, &text);
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
