// Freezing variables that reach functions: a While/If/Case/PartitionedCall whose input is a
// variable's resource handle gets the variable's value instead, as TensorFlow's
// convert_variables_to_constants_v2 does. The called functions are rewritten to match: the
// argument's type becomes the value's dtype, a ReadVariableOp of it becomes an Identity,
// ResourceGather becomes GatherV2, and pass-through Identity/IdentityN and nested calls are
// retyped. A While also gets its `output_shapes` entry and its body's result type updated.
#pragma once

#include <set>
#include <string>
#include <utility>

#include "graph/graph.h"
#include "tfport/status.h"
#include "tfport/tensor.h"

namespace tfport::runtime {

// True for ops whose inputs are passed on to library functions (While, If, Case, calls).
bool is_function_caller(const std::string& op);

class FunctionArgFreezer {
 public:
  explicit FunctionArgFreezer(tensorflow::FunctionDefLibrary& library) : library_(library) {}

  // Retypes caller node `node` (op and attrs in the main graph or in a function) and the
  // functions it calls for a variable of `value`'s dtype and shape now arriving at `input`.
  // The caller's input itself is rewired by the caller of this method.
  Status freeze_caller_input(const std::string& op, const std::string& node_name,
                             google::protobuf::Map<std::string, tensorflow::AttrValue>& attrs, int input,
                             const Tensor& value);

 private:
  Status freeze_argument(const std::string& function, int arg, const Tensor& value);
  Status retype_uses(tensorflow::FunctionDef& f, const std::string& ref, const Tensor& value);
  tensorflow::FunctionDef* find(const std::string& name);

  tensorflow::FunctionDefLibrary& library_;
  std::set<std::pair<std::string, int>> frozen_args_;
};

}  // namespace tfport::runtime
