// One Keras layer call being lowered, and the table of lowering functions by class name.
// Each layer family lives in its own file (dense.cc, conv.cc, ...) and adds its classes to the
// table from its add_*_layers function, so a new layer touches one file.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "graph/keras/emitter.h"
#include "tfport/keras.h"

namespace tfport::graph::keras {

using nlohmann::json;

struct LayerTable;

struct LayerCall {
  Emitter emit;                         // scope = the layer's name (inside nested models' scopes)
  std::string name;                     // the layer's name
  std::string class_name;  // for Keras 3 ops (keras.ops.add ...): "ops:" + the op's class
  const json* config = nullptr;         // the layer's "config" object
  const std::vector<KerasWeight>* weights = nullptr;
  std::vector<Value> inputs;            // tensors of the first call argument
  const json* kwargs = nullptr;         // other call arguments (may be null)
  // Tensors passed by keyword (MultiHeadAttention's value, a TF op's second operand), in the
  // order the file lists them; several under one name when the argument is a list.
  std::vector<std::pair<std::string, Value>> kwarg_values;
  const KerasNode* node = nullptr;      // the functional call being lowered (null in Sequential)
  int keras_major = 2;                  // 1, 2 or 3: some defaults and activations differ
  std::string keras_version;
  const LayerTable* table = nullptr;

  // "layer 'dense' (Dense): config field 'units': <message>" as INVALID_ARGUMENT.
  Status field_error(std::string_view field, std::string_view message) const;
  Status error(std::string_view message) const;
  Status unimplemented(std::string_view message) const;

  // Config access. A missing key (or JSON null) gives the fallback; a present value of the
  // wrong kind is an error naming the field.
  bool has(const char* key) const;
  StatusOr<int64_t> get_int(const char* key) const;
  StatusOr<int64_t> get_int(const char* key, int64_t fallback) const;
  StatusOr<double> get_float(const char* key, double fallback) const;
  StatusOr<bool> get_bool(const char* key, bool fallback) const;
  StatusOr<std::string> get_string(const char* key, std::string fallback) const;
  // An int or a list of ints ("kernel_size": 3 or [3, 3]) as exactly `n` values.
  StatusOr<std::vector<int64_t>> get_ints(const char* key, size_t n, std::optional<int64_t> fallback = {}) const;
  // A list of ints of any length (also a bare int as one element).
  StatusOr<std::vector<int64_t>> get_int_list(const char* key) const;
  // The config value (nullptr when absent), Keras 3 "__tuple__" wrappers unwrapped.
  const json* get(const char* key) const;

  // A boolean call argument (use_causal_mask, return_attention_scores); false when absent.
  bool call_flag(const char* key) const;
  // The tensor passed as keyword argument `key` (the first, if a list), or null.
  const Value* kwarg_value(std::string_view key) const;

  // The first input; an error when the call has none.
  StatusOr<Value> input() const;
  Status expect_inputs(size_t n) const;

  // Weight `i` as float32, its shape checked against `expected` (-1 = any) when given.
  size_t num_weights() const { return weights ? weights->size() : 0; }
  StatusOr<Tensor> weight(size_t i, const std::vector<int64_t>& expected = {}) const;
  // "channels_last" (true) or "channels_first" from data_format.
  StatusOr<bool> channels_last() const;
};

using LowerFn = StatusOr<std::vector<Value>> (*)(LayerCall& call);

struct LayerTable {
  std::map<std::string, LowerFn, std::less<>> lower;
  // Classes known but not supported, with the reason given at load.
  std::map<std::string, std::string, std::less<>> unsupported;
};

// The table of every layer family.
const LayerTable& layer_table();

void add_activation_layers(LayerTable& t);
void add_dense_layers(LayerTable& t);
void add_conv_layers(LayerTable& t);
void add_pooling_layers(LayerTable& t);
void add_normalization_layers(LayerTable& t);
void add_merge_layers(LayerTable& t);
void add_reshaping_layers(LayerTable& t);
void add_embedding_layers(LayerTable& t);
void add_preprocessing_layers(LayerTable& t);
void add_regularization_layers(LayerTable& t);
void add_wrapper_layers(LayerTable& t);
void add_recurrent_layers(LayerTable& t);
void add_tf_op_layers(LayerTable& t);
void add_score_attention_layers(LayerTable& t);
void add_multi_head_attention_layers(LayerTable& t);
// The table key of a layer or, for modules of Keras 3 ops ("keras.src.ops.numpy"), of an op:
// "Dense", "ops:Add".
std::string layer_key(const std::string& module, const std::string& class_name);
// Whether a TFOpLambda / SlicingOpLambda layer's "function" ("math.add", "__operators__.getitem")
// can be lowered.
bool tf_op_supported(std::string_view function);

// Lowers one call of a layer given by class name and config (used by wrappers for the layer
// they wrap, with the wrapper's weights).
StatusOr<std::vector<Value>> lower_layer(LayerCall& call);

// Applies a Keras activation (a name, null, or a serialized object) to x. `field` names the
// config field in errors ("activation", "recurrent_activation").
StatusOr<Value> apply_activation(LayerCall& call, const Value& x, const json* activation, std::string_view field);
// Softmax (or log-softmax) of x along `axis` (negative: from the end).
StatusOr<Value> softmax_along(Emitter& e, const Value& x, int64_t axis, bool log);
// GELU: exact (with Erf) or the tanh approximation.
StatusOr<Value> gelu(Emitter& e, const Value& x, bool approximate);

// Applies the layer's own "activation" config field.
StatusOr<Value> apply_layer_activation(LayerCall& call, const Value& x);

// Conv/pool output length for one spatial dim (-1 when the input is unknown).
int64_t conv_output_length(int64_t n, int64_t k, int64_t stride, int64_t dilation, const std::string& padding);

// Resizes a channels_last image batch to `target` (height, width) or, when target is empty, by
// integer `factors` (ResizeBilinear / ResizeNearestNeighbor, align_corners false).
StatusOr<Value> resize_images(LayerCall& call, const Value& x, const std::vector<int64_t>& factors,
                              const std::vector<int64_t>& target, const std::string& method, bool half_pixel);

// Layers that only act while training: their input, unchanged.
StatusOr<std::vector<Value>> lower_pass_through(LayerCall& call);

// A single-value vector helper.
inline std::vector<Value> one(Value v) { return {std::move(v)}; }

// Transpose permutations for an image batch with `nd` spatial dims: channels_first to
// channels_last ({0, 2, .., nd+1, 1}) and back ({0, nd+1, 1, .., nd}).
inline std::vector<int64_t> to_last_perm(int nd) {
  std::vector<int64_t> p{0};
  for (int i = 0; i < nd; ++i) p.push_back(i + 2);
  p.push_back(1);
  return p;
}
inline std::vector<int64_t> to_first_perm(int nd) {
  std::vector<int64_t> p{0, nd + 1};
  for (int i = 0; i < nd; ++i) p.push_back(i + 1);
  return p;
}

}  // namespace tfport::graph::keras
