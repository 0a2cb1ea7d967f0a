// Writes a FunctionDef the way TensorFlow serializes one: typed input and output arguments
// in the signature, body nodes whose inputs name an argument ("time") or a node's output
// argument ("while/MatMul:product:0"), and a `ret` map from output arguments to tensors.
#pragma once

#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

#include "graph/attr_values.h"
#include "tfport/status.h"
#include "tfport/tensor.h"
#include "tfport/tf/function.pb.h"

namespace tfport::runtime {

using NodeAttrs = std::vector<std::pair<std::string, tensorflow::AttrValue>>;

class FunctionDefBuilder {
 public:
  explicit FunctionDefBuilder(const std::string& name);

  // Adds an input argument; returns how body nodes refer to it.
  std::string arg(const std::string& name, DType dtype);
  // Adds node `name` and returns the reference to element `element` of its output argument
  // `output` (TensorFlow's OpDef name: "product" for MatMul, "z" for AddV2, ...).
  std::string node(const std::string& name, const std::string& op, const std::vector<std::string>& inputs,
                   const NodeAttrs& attrs, const std::string& output, int element = 0);
  StatusOr<std::string> constant(const std::string& name, const Tensor& value);
  // Adds an output argument returning `ref`.
  void ret(const std::string& name, const std::string& ref, DType dtype);

  tensorflow::FunctionDef& def() { return f_; }

 private:
  tensorflow::FunctionDef f_;
};

}  // namespace tfport::runtime
