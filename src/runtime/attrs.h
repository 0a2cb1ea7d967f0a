// Typed, checked access to a node's attributes. Nodes keep TensorFlow's NodeDef attributes
// (GraphDef nodes, function bodies, and Keras layers lowered to TF ops alike), so every kernel
// reads its configuration one way. Errors name the node, its op and the attribute.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tfport/dtype.h"
#include "tfport/shape.h"
#include "tfport/status.h"
#include "tfport/tensor.h"
#include "tfport/tf/attr_value.pb.h"

namespace tfport::runtime {

struct PlanOptions;  // runtime/plan.h

using AttrMap = google::protobuf::Map<std::string, tensorflow::AttrValue>;

class Attrs {
 public:
  Attrs(const AttrMap& map, std::string_view node_name, std::string_view op, const PlanOptions* plan = nullptr)
      : map_(&map), node_name_(node_name), op_(op), plan_(plan) {}

  // The options of the plan being built, for kernels that plan function bodies (While, If,
  // Case); null outside the planner (op tests).
  const PlanOptions* plan_options() const { return plan_; }

  bool has(std::string_view name) const;
  const tensorflow::AttrValue* find(std::string_view name) const;

  StatusOr<int64_t> get_int(std::string_view name) const;
  StatusOr<float> get_float(std::string_view name) const;
  StatusOr<bool> get_bool(std::string_view name) const;
  StatusOr<std::string> get_string(std::string_view name) const;
  StatusOr<DType> get_type(std::string_view name) const;
  StatusOr<PartialShape> get_shape(std::string_view name) const;
  StatusOr<std::vector<int64_t>> get_int_list(std::string_view name) const;
  StatusOr<std::vector<float>> get_float_list(std::string_view name) const;
  StatusOr<std::vector<DType>> get_type_list(std::string_view name) const;
  StatusOr<Tensor> get_tensor(std::string_view name) const;

  // The value, or `fallback` when the attribute is absent (a present attribute of the wrong
  // kind is still an error).
  StatusOr<int64_t> get_int_or(std::string_view name, int64_t fallback) const;
  StatusOr<float> get_float_or(std::string_view name, float fallback) const;
  StatusOr<bool> get_bool_or(std::string_view name, bool fallback) const;
  StatusOr<std::string> get_string_or(std::string_view name, std::string fallback) const;

  // A Const node's value held as a tensor (graph::Node::value); get_tensor("value") returns it
  // without decoding anything.
  void set_value_tensor(const Tensor* value) { value_ = value; }

  std::string_view node_name() const { return node_name_; }
  std::string_view op() const { return op_; }

  // "node 'conv1' (Conv2D): <message>" as an INVALID_ARGUMENT status.
  Status error(std::string_view message) const;

 private:
  const AttrMap* map_;
  std::string node_name_;
  std::string op_;
  const Tensor* value_ = nullptr;
  const PlanOptions* plan_ = nullptr;
};

}  // namespace tfport::runtime
