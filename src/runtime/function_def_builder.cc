#include "runtime/function_def_builder.h"

#include "runtime/tensor_to_proto.h"

namespace tfport::runtime {

FunctionDefBuilder::FunctionDefBuilder(const std::string& name) { f_.mutable_signature()->set_name(name); }

std::string FunctionDefBuilder::arg(const std::string& name, DType dtype) {
  auto* a = f_.mutable_signature()->add_input_arg();
  a->set_name(name);
  a->set_type(static_cast<tensorflow::DataType>(dtype));
  return name;
}

std::string FunctionDefBuilder::node(const std::string& name, const std::string& op,
                                     const std::vector<std::string>& inputs, const NodeAttrs& attrs,
                                     const std::string& output, int element) {
  tensorflow::NodeDef* n = f_.add_node_def();
  n->set_name(name);
  n->set_op(op);
  for (const std::string& in : inputs) n->add_input(in);
  for (const auto& [key, value] : attrs) (*n->mutable_attr())[key] = value;
  return name + ":" + output + ":" + std::to_string(element);
}

StatusOr<std::string> FunctionDefBuilder::constant(const std::string& name, const Tensor& value) {
  TFPORT_ASSIGN_OR_RETURN(tensorflow::TensorProto proto, tensor_to_proto(value));
  tensorflow::AttrValue v;
  *v.mutable_tensor() = std::move(proto);
  return node(name, "Const", {}, {{"dtype", graph::attr_type(value.dtype())}, {"value", v}}, "output");
}

void FunctionDefBuilder::ret(const std::string& name, const std::string& ref, DType dtype) {
  auto* a = f_.mutable_signature()->add_output_arg();
  a->set_name(name);
  a->set_type(static_cast<tensorflow::DataType>(dtype));
  (*f_.mutable_ret())[name] = ref;
}

}  // namespace tfport::runtime
