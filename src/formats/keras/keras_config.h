// Keras model configs (the JSON in model_config / config.json / keras_metadata) into
// KerasModel: layers, nested models, inbound nodes in one form for the Keras 1, 2 and 3
// layouts, model inputs and outputs. Never throws; malformed configs are DATA_LOSS errors.
#pragma once

#include <nlohmann/json.hpp>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tfport/keras.h"

namespace tfport::keras {

using nlohmann::json;

}  // namespace tfport::keras

namespace tfport {

struct KerasParsedConfig {
  std::string text;  // the config_json it was parsed from
  keras::json value;
};

}  // namespace tfport

namespace tfport::keras {

// Parses `text` (the whole {"class_name", "config"} object) into `model` (structure only;
// keras_version, backend, format and weights are left to the reader). `context` names the
// file and part for messages, e.g. "m.h5: attribute 'model_config'".
Status parse_model_config(const std::string& text, const std::string& context, KerasModel* model);
// The same for an already parsed object (nested models, keras_metadata).
Status parse_model_config_json(const json& j, const std::string& context, KerasModel* model);

// Defensive accessors: nullopt / fallback when the key is missing or has another type.
std::string json_string(const json& j, const char* key, const std::string& fallback = "");
std::optional<int64_t> json_int(const json& j, const char* key);
bool json_bool(const json& j, const char* key, bool fallback);

// True for class names that are models (their config holds layers).
bool is_model_class(const std::string& class_name);

// A shape list from JSON ([null, 28, 28, 1], or {"class_name": "TensorShape", "items": ...},
// or {"class_name": "__tuple__", ...}); -1 for None. nullopt when not a shape.
std::optional<std::vector<int64_t>> json_shape(const json& j);

// The batch input shape a model declares: its InputLayer's batch_input_shape/batch_shape, the
// first layer's batch_input_shape, build_input_shape, or build_config.input_shape.
std::optional<std::vector<int64_t>> declared_input_shape(const json& layer_config);

}  // namespace tfport::keras
