#include "graph/keras/layer.h"

#include <cmath>

namespace tfport::graph::keras {

namespace {

const json* unwrap(const json* v) {
  // Keras 3 serializes tuples as {"class_name": "__tuple__", "config": {"value": [...]}}.
  if (v && v->is_object()) {
    auto cn = v->find("class_name");
    auto cfg = v->find("config");
    if (cn != v->end() && cn->is_string() && *cn == "__tuple__" && cfg != v->end() && cfg->is_object()) {
      auto value = cfg->find("value");
      if (value != cfg->end()) return &*value;
    }
  }
  return v;
}

std::string head(const LayerCall& c) { return "layer '" + c.name + "' (" + c.class_name + ")"; }

}  // namespace

Status LayerCall::field_error(std::string_view field, std::string_view message) const {
  return invalid_argument_error(head(*this) + ": config field '" + std::string(field) + "': " + std::string(message));
}

Status LayerCall::error(std::string_view message) const {
  return invalid_argument_error(head(*this) + ": " + std::string(message));
}

Status LayerCall::unimplemented(std::string_view message) const {
  return unimplemented_error(head(*this) + ": " + std::string(message));
}

const json* LayerCall::get(const char* key) const {
  if (!config || !config->is_object()) return nullptr;
  auto it = config->find(key);
  if (it == config->end() || it->is_null()) return nullptr;
  return unwrap(&*it);
}

bool LayerCall::has(const char* key) const { return get(key) != nullptr; }

StatusOr<int64_t> LayerCall::get_int(const char* key) const {
  const json* v = get(key);
  if (!v) return field_error(key, "missing");
  if (v->is_number_integer()) return v->get<int64_t>();
  if (v->is_number_float()) {
    double d = v->get<double>();
    if (std::floor(d) == d && std::fabs(d) < 9e15) return static_cast<int64_t>(d);
  }
  return field_error(key, "expected an integer, got " + v->dump());
}

StatusOr<int64_t> LayerCall::get_int(const char* key, int64_t fallback) const {
  if (!has(key)) return fallback;
  return get_int(key);
}

StatusOr<double> LayerCall::get_float(const char* key, double fallback) const {
  const json* v = get(key);
  if (!v) return fallback;
  if (v->is_number()) return v->get<double>();
  return field_error(key, "expected a number, got " + v->dump());
}

StatusOr<bool> LayerCall::get_bool(const char* key, bool fallback) const {
  const json* v = get(key);
  if (!v) return fallback;
  if (v->is_boolean()) return v->get<bool>();
  return field_error(key, "expected true or false, got " + v->dump());
}

StatusOr<std::string> LayerCall::get_string(const char* key, std::string fallback) const {
  const json* v = get(key);
  if (!v) return fallback;
  if (v->is_string()) return v->get<std::string>();
  return field_error(key, "expected a string, got " + v->dump());
}

StatusOr<std::vector<int64_t>> LayerCall::get_int_list(const char* key) const {
  const json* v = get(key);
  if (!v) return field_error(key, "missing");
  std::vector<int64_t> out;
  if (v->is_number_integer()) return std::vector<int64_t>{v->get<int64_t>()};
  if (!v->is_array()) return field_error(key, "expected a list of integers, got " + v->dump());
  for (const json& e : *v) {
    if (!e.is_number_integer()) return field_error(key, "expected a list of integers, got " + v->dump());
    out.push_back(e.get<int64_t>());
  }
  return out;
}

StatusOr<std::vector<int64_t>> LayerCall::get_ints(const char* key, size_t n, std::optional<int64_t> fallback) const {
  if (!has(key)) {
    if (fallback) return std::vector<int64_t>(n, *fallback);
    return field_error(key, "missing");
  }
  TFPORT_ASSIGN_OR_RETURN(std::vector<int64_t> v, get_int_list(key));
  if (v.size() == 1 && n > 1) v.assign(n, v[0]);
  if (v.size() != n) {
    return field_error(key, "expected " + std::to_string(n) + " values, got " + std::to_string(v.size()));
  }
  return v;
}

StatusOr<Value> LayerCall::input() const {
  if (inputs.empty()) return error("called without an input tensor");
  return inputs[0];
}

Status LayerCall::expect_inputs(size_t n) const {
  if (inputs.size() != n) {
    return error("expects " + std::to_string(n) + " input tensor(s), got " + std::to_string(inputs.size()));
  }
  return Status::OK();
}

StatusOr<Tensor> LayerCall::weight(size_t i, const std::vector<int64_t>& expected) const {
  if (i >= num_weights()) {
    return error("expects at least " + std::to_string(i + 1) + " weights, the file stores " +
                 std::to_string(num_weights()));
  }
  const KerasWeight& w = (*weights)[i];
  if (!w.value.valid()) return error("weight '" + w.name + "' has no stored values");
  if (!expected.empty()) {
    const auto& dims = w.value.shape().dims();
    bool ok = dims.size() == expected.size();
    for (size_t d = 0; ok && d < dims.size(); ++d) ok = expected[d] < 0 || expected[d] == dims[d];
    if (!ok) {
      return error("weight '" + w.name + "' has shape " + shape_text(dims) + ", expected " + shape_text(expected));
    }
  }
  auto f = to_float32(w.value);
  if (!f.ok()) return error("weight '" + w.name + "': " + f.status().message());
  return f;
}

StatusOr<bool> LayerCall::channels_last() const {
  TFPORT_ASSIGN_OR_RETURN(std::string df, get_string("data_format", "channels_last"));
  if (df == "channels_last") return true;
  if (df == "channels_first") return false;
  return field_error("data_format", "expected channels_last or channels_first, got '" + df + "'");
}

int64_t conv_output_length(int64_t n, int64_t k, int64_t stride, int64_t dilation, const std::string& padding) {
  if (n < 0) return -1;
  int64_t eff = (k - 1) * dilation + 1;
  // causal = pad K-1 in front, then valid: the same length as same.
  if (padding == "same" || padding == "causal") return (n + stride - 1) / stride;
  if (padding == "full") return (n + eff - 1 + stride - 1) / stride;
  if (n < eff) return 0;
  return (n - eff) / stride + 1;
}

std::string layer_key(const std::string& module, const std::string& class_name) {
  const bool op = module.rfind("keras.src.ops.", 0) == 0 || module.rfind("keras.ops.", 0) == 0;
  return op ? "ops:" + class_name : class_name;
}

bool LayerCall::call_flag(const char* key) const {
  if (kwargs == nullptr || !kwargs->is_object()) return false;
  auto it = kwargs->find(key);
  return it != kwargs->end() && it->is_boolean() && it->get<bool>();
}

const Value* LayerCall::kwarg_value(std::string_view key) const {
  for (const auto& [name, value] : kwarg_values) {
    if (name == key) return &value;
  }
  return nullptr;
}

const LayerTable& layer_table() {
  static const LayerTable table = [] {
    LayerTable t;
    add_activation_layers(t);
    add_dense_layers(t);
    add_conv_layers(t);
    add_pooling_layers(t);
    add_normalization_layers(t);
    add_merge_layers(t);
    add_reshaping_layers(t);
    add_embedding_layers(t);
    add_preprocessing_layers(t);
    add_regularization_layers(t);
    add_wrapper_layers(t);
    add_recurrent_layers(t);
    add_tf_op_layers(t);
    add_score_attention_layers(t);
    add_multi_head_attention_layers(t);
    for (const char* rnn : {"RNN", "ConvLSTM1D", "ConvLSTM2D", "ConvLSTM3D", "LSTMCell", "GRUCell", "SimpleRNNCell"}) {
      t.unsupported[rnn] = "generic RNN cells and convolutional LSTMs are not supported";
    }
    t.unsupported["Lambda"] = "the layer holds Python code";
    return t;
  }();
  return table;
}

StatusOr<std::vector<Value>> lower_layer(LayerCall& call) {
  const LayerTable& t = call.table ? *call.table : layer_table();
  auto it = t.lower.find(call.class_name);
  if (it == t.lower.end()) {
    auto why = t.unsupported.find(call.class_name);
    return call.unimplemented(why != t.unsupported.end() ? why->second : "this layer class is not supported");
  }
  return it->second(call);
}

}  // namespace tfport::graph::keras
