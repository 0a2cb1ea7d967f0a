// The call of a TF-op layer (TFOpLambda, SlicingOpLambda) or Keras 3 op: its first argument
// from the node entry Keras wrote (tensors, or "_CONSTANT_VALUE" constants, possibly a list) and
// every other argument by keyword (a tensor reference or a JSON constant), plus the lowering
// functions of the array-shaping TF functions (tf_op_shape.cc).
#pragma once

#include <functional>
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "graph/keras/layer.h"

namespace tfport::graph::keras::tf_op {

// An argument of the call: a tensor, a constant, or a list of those.
struct Arg {
  std::optional<Value> tensor;
  const json* constant = nullptr;
  std::vector<Arg> items;
  bool is_list = false;

  bool present() const { return tensor || constant || is_list; }
};

// The arguments of one call, from a Keras 2 node entry or a Keras 3 {"args", "kwargs"} node.
class TfCall {
 public:
  explicit TfCall(LayerCall& call) : call_(call) {}

  LayerCall& call() { return call_; }
  Emitter& emit() { return call_.emit; }

  Status parse();
  // Keras 3 ops: positional argument i + 1 is read as keyword `names[i]`, and `config` (the op's
  // own parameters, renamed to the TF function's) is read after the call's keywords.
  void name_positional(const std::vector<std::string>& names);
  void set_config(json config) { config_ = std::move(config); }

  const Arg& first() const { return first_; }

  // Keyword argument `key` (absent when missing or JSON null).
  Arg kwarg(const char* key);

  Status arg_error(const char* key, std::string_view what) const;

  // The argument as a tensor; constants become Const nodes of `dtype`.
  StatusOr<Value> tensor(const Arg& a, const char* key, DType dtype);

  // The dtype the call computes in: that of its first tensor operand.
  std::optional<DType> dtype_of(std::initializer_list<const Arg*> args) const;

  // Optional scalar keyword arguments.
  StatusOr<std::optional<int64_t>> int_arg(const char* key);
  StatusOr<double> float_arg(const char* key, double fallback);
  StatusOr<bool> bool_arg(const char* key, bool fallback);
  // An int or a list of ints; nullopt when absent.
  StatusOr<std::optional<std::vector<int64_t>>> ints_arg(const char* key);

 private:
  Status flatten(const json& j, const char* key, size_t depth, std::vector<double>* out, std::vector<int64_t>* dims);

  StatusOr<Arg> from_value(const json& v, size_t* next_input, int depth);

  LayerCall& call_;
  json entry_;
  json config_ = json::object();
  Arg first_;
  std::vector<Arg> positional_;  // Keras 3: the arguments after the first
  std::map<std::string, Arg, std::less<>> named_;
};

using TfOp = std::function<StatusOr<Value>(TfCall&)>;

// `axis` in [-rank, rank) as a non-negative axis; an error naming `key` otherwise.
StatusOr<int64_t> normalize_axis(TfCall& c, int64_t axis, int rank, const char* key);
// The first argument, which must be a tensor.
StatusOr<Value> x_of(TfCall& c);
// The tensors of a list argument (tf.concat, tf.stack, tf.add_n), constants in their dtype.
StatusOr<std::vector<Value>> list_of(TfCall& c, const Arg& a, const char* key);

StatusOr<Value> concat_fn(TfCall& c);
StatusOr<Value> stack_fn(TfCall& c);
StatusOr<Value> add_n_fn(TfCall& c);
StatusOr<Value> reshape_fn(TfCall& c);
StatusOr<Value> expand_dims_fn(TfCall& c);
StatusOr<Value> squeeze_fn(TfCall& c);
StatusOr<Value> transpose_fn(TfCall& c);
StatusOr<Value> tile_fn(TfCall& c);
StatusOr<Value> cast_fn(TfCall& c);
StatusOr<Value> getitem_fn(TfCall& c);

}  // namespace tfport::graph::keras::tf_op
