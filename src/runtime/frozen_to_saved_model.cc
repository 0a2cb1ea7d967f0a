// saved_model_spec_from_frozen: the weights of a frozen graph moved back into variables, so a
// frozen graph or a lowered Keras model can be exported as a SavedModel whose variables/ holds
// the weights (as TF Serving and retraining tools expect) instead of a huge graph.
#include "runtime/tensor_proto.h"
#include "tfport/freeze.h"

namespace tfport {
namespace {

bool is_floating(DType t) {
  return t == DType::kFloat || t == DType::kDouble || t == DType::kHalf || t == DType::kBFloat16;
}

}  // namespace

StatusOr<SavedModelSpec> saved_model_spec_from_frozen(const FrozenGraph& frozen, const std::string& signature_key,
                                                      int64_t min_variable_elements) {
  SavedModelSpec spec;
  spec.graph = frozen.graph_def;  // with its library: the bodies of frozen recurrent layers' loops
  for (tensorflow::NodeDef& n : *spec.graph.mutable_node()) {
    if (n.op() != "Const") continue;
    auto value_attr = n.attr().find("value");
    if (value_attr == n.attr().end()) continue;
    const auto dtype = static_cast<DType>(value_attr->second.tensor().dtype());
    if (!is_floating(dtype)) continue;
    auto value = runtime::tensor_from_proto(value_attr->second.tensor());
    if (!value.ok()) return value.status().with_context("constant '" + n.name() + "'");
    if (value->num_elements() < min_variable_elements) continue;
    SavedModelVariable v;
    v.name = n.name() + "/variable";
    v.value = value->clone();
    spec.variables.push_back(std::move(v));
    n.set_op("ReadVariableOp");
    n.clear_input();
    n.add_input(n.name() + "/variable");
    tensorflow::AttrValue type;
    type.set_type(static_cast<tensorflow::DataType>(dtype));
    n.clear_attr();
    (*n.mutable_attr())["dtype"] = type;
  }
  std::map<std::string, tensorflow::TensorInfo> inputs, outputs;
  for (const TensorSpec& s : frozen.inputs) inputs[s.key] = tensor_info(s.tensor_name, s.dtype, s.shape);
  for (const TensorSpec& s : frozen.outputs) outputs[s.key] = tensor_info(s.tensor_name, s.dtype, s.shape);
  spec.signatures[signature_key] = predict_signature(inputs, outputs);
  return spec;
}

}  // namespace tfport
