// Building TensorFlow ops into a Graph while lowering Keras layers: values that remember their
// static shape, attribute builders, constants from Tensors, and the handful of op patterns the
// layer families share (reshape, transpose, elementwise arithmetic).
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "graph/attr_values.h"
#include "graph/graph.h"
#include "tfport/status.h"
#include "tfport/tensor.h"
#include "tfport/tf/tensor.pb.h"

namespace tfport::graph::keras {

// A tensor being built: its endpoint plus what is known statically (rank always; dims may be
// -1). Keras tensors have a known rank, so lowering can compute axes and shapes up front.
struct Value {
  Endpoint ep;
  DType dtype = DType::kFloat;
  std::vector<int64_t> shape;
  // Keras mask ([batch, time] bool, output 0 of this node) travelling with a sequence, from
  // Embedding(mask_zero) or Masking to the recurrent layer that consumes it; -1 when none.
  // A plain int so the many brace-initialised Values need not spell it out.
  int mask_node = -1;

  int rank() const { return static_cast<int>(shape.size()); }
  // Dim `i`, negative counting from the end; -1 when unknown or out of range.
  int64_t dim(int i) const;
  // True when every dim except the batch (dim 0) is known.
  bool inner_known() const;
};

using AttrList = std::initializer_list<std::pair<const char*, tensorflow::AttrValue>>;

// A float32 copy of a floating weight (float16, bfloat16 and float64 widened/narrowed).
StatusOr<Tensor> to_float32(const Tensor& t);

// Adds ops under a name scope ("model/dense/MatMul"); names are made unique, so a layer called
// twice gets "dense/MatMul_1".
class Emitter {
 public:
  Emitter(Graph* graph, std::string scope) : graph_(graph), scope_(std::move(scope)) {}

  Graph& graph() const { return *graph_; }
  const std::string& scope() const { return scope_; }
  Emitter child(std::string_view name) const;

  // A node named exactly `name` (unique_name'd if taken).
  StatusOr<Endpoint> add_named(const std::string& name, std::string_view op, std::vector<Endpoint> inputs,
                               AttrList attrs);
  StatusOr<Endpoint> add(std::string_view base, std::string_view op, std::vector<Endpoint> inputs, AttrList attrs);

  StatusOr<Endpoint> constant(std::string_view base, const Tensor& t, const std::vector<int64_t>* shape = nullptr);
  StatusOr<Endpoint> floats(std::string_view base, std::vector<float> v, std::vector<int64_t> shape);
  StatusOr<Endpoint> scalar(std::string_view base, float v);
  StatusOr<Endpoint> int32s(std::string_view base, const std::vector<int64_t>& v);  // a vector
  StatusOr<Endpoint> int32s(std::string_view base, const std::vector<int64_t>& v, std::vector<int64_t> dims);
  StatusOr<Endpoint> int32_scalar(std::string_view base, int64_t v);

  // Ops producing a Value whose static shape is given.
  StatusOr<Value> op(std::string_view op, std::vector<Endpoint> inputs, AttrList attrs, DType dtype,
                     std::vector<int64_t> shape);
  // An op with attribute T = x.dtype and x's shape (Relu, Sigmoid, ...).
  StatusOr<Value> unary(std::string_view op, const Value& x);
  // Elementwise binary op (broadcasting); `shape` of the result is computed from both.
  StatusOr<Value> binary(std::string_view op, const Value& x, const Value& y);
  // x (op) scalar constant c.
  StatusOr<Value> binary_scalar(std::string_view op, const Value& x, float c);
  // A float constant as a Value.
  StatusOr<Value> const_value(std::string_view base, const Tensor& t, std::vector<int64_t> shape);

  // Reshape to `dims` (may hold one -1; a leading -1 stands for the batch). When more than one
  // dim is unknown the target shape is built at run time from x's own dims: entries of
  // `dims` equal to kKeepDim copy x's dim at that position.
  static constexpr int64_t kKeepDim = -2;
  StatusOr<Value> reshape(const Value& x, const std::vector<int64_t>& dims);
  StatusOr<Value> transpose(const Value& x, const std::vector<int64_t>& perm);
  StatusOr<Value> expand_dims(const Value& x, int axis);
  StatusOr<Value> squeeze(const Value& x, const std::vector<int64_t>& axes);
  StatusOr<Value> identity(const Value& x);
  // Zero padding: `pads` holds (before, after) per dim of x.
  StatusOr<Value> pad(const Value& x, const std::vector<std::pair<int64_t, int64_t>>& pads);
  // x[begin[i] : dim - end_crop[i]] per dim (end_crop 0 = to the end).
  StatusOr<Value> crop(const Value& x, const std::vector<std::pair<int64_t, int64_t>>& crops);
  StatusOr<Value> cast(const Value& x, DType to);
  // Sum, Mean, Max, Min, Prod (or, of bools, Any and All) of x over `axes` (non-negative, each
  // < rank).
  StatusOr<Value> reduce(std::string_view op, const Value& x, const std::vector<int64_t>& axes, bool keep_dims);
  // x / ||x|| over `axes` as tf.math.l2_normalize: x * rsqrt(max(sum(x^2), epsilon)).
  StatusOr<Value> l2_normalize(const Value& x, const std::vector<int64_t>& axes, float epsilon = 1e-12f);
  // A rank-1 int32 tensor of x's dims at run time.
  StatusOr<Endpoint> shape_of(const Value& x);
  // dims [begin, end) of x's run-time shape, as an int32 vector.
  StatusOr<Endpoint> shape_dims(const Value& x, int64_t begin, int64_t end);
  // [a..., b...] for two int32 vectors.
  StatusOr<Endpoint> concat_int32(Endpoint a, Endpoint b);

 private:
  Graph* graph_;
  std::string scope_;
};

// NumPy broadcasting of two static shapes (-1 unknown); an error when they cannot broadcast.
StatusOr<std::vector<int64_t>> broadcast_shapes(const std::vector<int64_t>& a, const std::vector<int64_t>& b);

// The static output shape of einsum `equation` ("abc,cd->abd", "...b,bc->...c") on operands
// of the given shapes (-1 unknown); an error when a term does not fit its operand.
StatusOr<std::vector<int64_t>> einsum_shape(const std::string& equation,
                                            const std::vector<std::vector<int64_t>>& operands);

std::string shape_text(const std::vector<int64_t>& dims);  // "(None, 28, 28, 1)"

}  // namespace tfport::graph::keras
