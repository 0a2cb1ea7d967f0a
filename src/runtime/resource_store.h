// The state of one loaded model: its variables (TF1 VariableV2 and TF2 resource variables
// alike, by key) and, later, its lookup tables. Shared by every run of the model, so all
// methods are thread-safe. Values are immutable Tensors: an assignment swaps in a new tensor,
// so a run that read the old value keeps a consistent copy.
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "tfport/status.h"
#include "tfport/tensor.h"

namespace tfport::runtime {

class ResourceStore {
 public:
  // FAILED_PRECONDITION naming the variable when it was never assigned.
  StatusOr<Tensor> read(const std::string& key) const;
  void assign(const std::string& key, Tensor value);
  bool contains(const std::string& key) const;
  // The value under `key`, or `value` stored there first if there is none: how a resource such
  // as a lookup table (a variant Tensor) is created once however many runs ask for it.
  Tensor get_or_insert(const std::string& key, Tensor value);
  std::vector<std::string> keys() const;

 private:
  mutable std::mutex mu_;
  std::map<std::string, Tensor> variables_;
};

// The store key of a variable node: "container/shared_name", or the node name when the node
// has no shared_name (TensorFlow's rule for VariableV2 and VarHandleOp).
std::string variable_key(const std::string& container, const std::string& shared_name, const std::string& node_name);

}  // namespace tfport::runtime
