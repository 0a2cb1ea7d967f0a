#include "runtime/freeze_functions.h"

#include <algorithm>
#include <vector>

#include "runtime/tensor_to_proto.h"

namespace tfport::runtime {
namespace {

using AttrMap = google::protobuf::Map<std::string, tensorflow::AttrValue>;

struct CallerKind {
  int first_function_input;  // inputs before this one (If's cond, Case's index) are not passed on
  const char* type_attr;     // the list of the passed-on inputs' types
  std::vector<const char*> function_attrs;
  bool loop;
};

const CallerKind* caller_kind(const std::string& op) {
  static const CallerKind kWhile{0, "T", {"cond", "body"}, true};
  static const CallerKind kIf{1, "Tin", {"then_branch", "else_branch"}, false};
  static const CallerKind kCase{1, "Tin", {"branches"}, false};
  static const CallerKind kCall{0, "Tin", {"f"}, false};
  if (op == "While" || op == "StatelessWhile") return &kWhile;
  if (op == "If" || op == "StatelessIf") return &kIf;
  if (op == "Case" || op == "StatelessCase") return &kCase;
  if (op == "PartitionedCall" || op == "StatefulPartitionedCall") return &kCall;
  return nullptr;
}

tensorflow::TensorShapeProto shape_proto(const Shape& shape) {
  tensorflow::TensorShapeProto p;
  for (int64_t d : shape.dims()) p.add_dim()->set_size(d);
  return p;
}

tensorflow::DataType proto_type(DType t) { return static_cast<tensorflow::DataType>(t); }

// Entry `index` of a shape-list attribute, if the attribute has one.
void set_listed_shape(AttrMap& attrs, const char* key, int index, const tensorflow::TensorShapeProto* shape) {
  auto it = attrs.find(key);
  if (it == attrs.end() || index >= it->second.list().shape_size()) return;
  tensorflow::TensorShapeProto* s = it->second.mutable_list()->mutable_shape(index);
  if (shape != nullptr) {
    *s = *shape;
  } else {
    s->Clear();
    s->set_unknown_rank(true);
  }
}

}  // namespace

bool is_function_caller(const std::string& op) { return caller_kind(op) != nullptr; }

tensorflow::FunctionDef* FunctionArgFreezer::find(const std::string& name) {
  for (auto& f : *library_.mutable_function()) {
    if (f.signature().name() == name) return &f;
  }
  return nullptr;
}

Status FunctionArgFreezer::freeze_caller_input(const std::string& op, const std::string& node_name, AttrMap& attrs,
                                               int input, const Tensor& value) {
  const CallerKind* kind = caller_kind(op);
  if (kind == nullptr) return internal_error("node '" + node_name + "' (" + op + ") calls no function");
  const int arg = input - kind->first_function_input;
  if (arg < 0) {
    return unimplemented_error("node '" + node_name + "' (" + op + ") takes a variable as its predicate or branch index");
  }
  auto types = attrs.find(kind->type_attr);
  if (types == attrs.end() || arg >= types->second.list().type_size()) {
    return invalid_argument_error("node '" + node_name + "' (" + op + ") has no type for input " + std::to_string(input) +
                                  " in attr '" + kind->type_attr + "'");
  }
  types->second.mutable_list()->set_type(arg, proto_type(value.dtype()));
  // tf.function lists the resource inputs a call only reads; this one is a tensor now.
  auto read_only = attrs.find("_read_only_resource_inputs");
  if (read_only != attrs.end()) {
    auto* ints = read_only->second.mutable_list()->mutable_i();
    ints->erase(std::remove(ints->begin(), ints->end(), static_cast<int64_t>(input)), ints->end());
  }
  std::vector<std::string> functions;
  for (const char* key : kind->function_attrs) {
    auto it = attrs.find(key);
    if (it == attrs.end()) continue;
    if (it->second.has_func()) functions.push_back(it->second.func().name());
    for (const auto& f : it->second.list().func()) functions.push_back(f.name());
  }
  for (const std::string& f : functions) {
    Status s = freeze_argument(f, arg, value);
    if (!s.ok()) return s.with_context("node '" + node_name + "' (" + op + ")");
  }
  if (kind->loop) {
    // The loop variable is now a tensor all the way round: the body returns it with its type.
    const tensorflow::TensorShapeProto shape = shape_proto(value.shape());
    set_listed_shape(attrs, "output_shapes", arg, &shape);
    set_listed_shape(attrs, "_output_shapes", arg, &shape);
    auto body = attrs.find("body");
    tensorflow::FunctionDef* f = body == attrs.end() ? nullptr : find(body->second.func().name());
    if (f == nullptr || arg >= f->signature().output_arg_size()) {
      return invalid_argument_error("node '" + node_name + "' (" + op + "): its body has no result " + std::to_string(arg));
    }
    f->mutable_signature()->mutable_output_arg(arg)->set_type(proto_type(value.dtype()));
  }
  return Status::OK();
}

Status FunctionArgFreezer::freeze_argument(const std::string& function, int arg, const Tensor& value) {
  if (!frozen_args_.insert({function, arg}).second) return Status::OK();
  tensorflow::FunctionDef* f = find(function);
  if (f == nullptr) return not_found_error("function '" + function + "' is not in the library");
  if (arg >= f->signature().input_arg_size()) {
    return invalid_argument_error("function '" + function + "' has no argument " + std::to_string(arg));
  }
  auto* in = f->mutable_signature()->mutable_input_arg(arg);
  in->set_type(proto_type(value.dtype()));
  in->clear_handle_data();  // describes the resource, not a tensor
  // Shapes recorded for the resource no longer apply; TensorFlow marks them unknown.
  set_listed_shape(*f->mutable_attr(), "_input_shapes", arg, nullptr);
  auto arg_attr = f->mutable_arg_attr()->find(static_cast<uint32_t>(arg));
  if (arg_attr != f->mutable_arg_attr()->end()) {
    set_listed_shape(*arg_attr->second.mutable_attr(), "_output_shapes", 0, nullptr);
  }
  const std::string name = in->name();
  return retype_uses(*f, name, value).with_context("function '" + function + "'");
}

// Every node of `f` reading `ref` (an argument name or "node:out:k") now reads a tensor.
Status FunctionArgFreezer::retype_uses(tensorflow::FunctionDef& f, const std::string& ref, const Tensor& value) {
  const tensorflow::DataType dtype = proto_type(value.dtype());
  for (int i = 0; i < f.node_def_size(); ++i) {
    for (int k = 0; k < f.node_def(i).input_size(); ++k) {
      if (f.node_def(i).input(k) != ref) continue;
      tensorflow::NodeDef* nd = f.mutable_node_def(i);
      const std::string op = nd->op();
      if (op == "ReadVariableOp") {
        nd->set_op("Identity");
        tensorflow::AttrValue t;
        t.set_type(dtype);
        auto cls = nd->attr().find("_class");
        tensorflow::AttrValue kept_class;
        const bool has_class = cls != nd->attr().end();
        if (has_class) kept_class = cls->second;
        nd->clear_attr();
        (*nd->mutable_attr())["T"] = t;
        if (has_class) (*nd->mutable_attr())["_class"] = kept_class;
        // ReadVariableOp's result is named "value", Identity's "output".
        const std::string old_prefix = nd->name() + ":value:";
        for (auto& other : *f.mutable_node_def()) {
          for (auto& in : *other.mutable_input()) {
            if (in.rfind(old_prefix, 0) == 0) in = nd->name() + ":output:" + in.substr(old_prefix.size());
          }
        }
        for (auto& [key, r] : *f.mutable_ret()) {
          if (r.rfind(old_prefix, 0) == 0) r = nd->name() + ":output:" + r.substr(old_prefix.size());
        }
      } else if (op == "ResourceGather") {
        const auto& attrs = nd->attr();
        if (nd->input_size() < 2) return invalid_argument_error("node '" + nd->name() + "' (ResourceGather) needs indices");
        tensorflow::NodeDef axis;
        axis.set_name(nd->name() + "/axis");
        axis.set_op("Const");
        (*axis.mutable_attr())["dtype"].set_type(tensorflow::DT_INT32);
        auto* t = (*axis.mutable_attr())["value"].mutable_tensor();
        t->set_dtype(tensorflow::DT_INT32);
        t->mutable_tensor_shape();
        t->add_int_val(0);
        tensorflow::NodeDef gather;
        gather.set_name(nd->name());
        gather.set_op("GatherV2");
        gather.add_input(nd->input(0));
        gather.add_input(nd->input(1));
        gather.add_input(axis.name() + ":output:0");
        (*gather.mutable_attr())["Tparams"].set_type(dtype);
        auto ti = attrs.find("Tindices");
        if (ti != attrs.end()) (*gather.mutable_attr())["Tindices"] = ti->second;
        (*gather.mutable_attr())["Taxis"].set_type(tensorflow::DT_INT32);
        auto bd = attrs.find("batch_dims");
        (*gather.mutable_attr())["batch_dims"].set_i(bd == attrs.end() ? 0 : bd->second.i());
        for (int c = 2; c < nd->input_size(); ++c) {
          if (!nd->input(c).empty() && nd->input(c)[0] == '^') gather.add_input(nd->input(c));
        }
        *nd = std::move(gather);
        *f.add_node_def() = std::move(axis);
      } else if (op == "Identity" || op == "IdentityN") {
        auto& t = (*nd->mutable_attr())["T"];
        if (op == "Identity") {
          t.set_type(dtype);
        } else if (k < t.list().type_size()) {
          t.mutable_list()->set_type(k, dtype);
        }
        nd->mutable_attr()->erase("_output_shapes");
        TFPORT_RETURN_IF_ERROR(retype_uses(f, nd->name() + ":output:" + std::to_string(op == "Identity" ? 0 : k), value));
      } else if (is_function_caller(op)) {
        TFPORT_RETURN_IF_ERROR(freeze_caller_input(op, nd->name(), *nd->mutable_attr(), k, value));
      } else {
        return unimplemented_error("node '" + nd->name() + "' (" + op +
                                   ") uses a variable in a way a frozen graph cannot express");
      }
    }
  }
  // A result that is the argument itself (a loop variable passed through) keeps its place; a
  // While body's result type is set by freeze_caller_input.
  return Status::OK();
}

}  // namespace tfport::runtime
