// freeze_model: load (restoring variables through the model's own saver), then rewrite the
// graph the way convert_variables_to_constants does — variable reads become Consts holding
// the restored values, ResourceGather becomes GatherV2 on a Const, variables passed into
// loop/branch/call functions become their values (freeze_functions.h), fused Keras recurrent
// layers become While loops (freeze_keras_rnn.h) — and prune to the outputs. SavedModels are
// frozen from their own graph, not from the fused Keras model Model::load may pick.
#include <map>
#include <set>
#include <string>
#include <vector>

#include "core/staged_file.h"
#include "graph/export_graph_def.h"
#include "graph/prune.h"
#include "runtime/graph_model.h"
#include "runtime/resource_store.h"
#include "runtime/tensor_to_proto.h"
#include "runtime/freeze_functions.h"
#include "runtime/freeze_keras_rnn.h"
#include "runtime/freeze_source_version.h"
#include "tfport/freeze.h"

namespace tfport {
namespace {

using graph::Endpoint;
using graph::Graph;
using graph::Node;

std::string attr_s(const Node& n, const char* key) {
  auto it = n.attrs.find(key);
  return it == n.attrs.end() ? std::string() : it->second.s();
}

// The VarHandleOp a resource input comes from, looking through the Identity/IdentityN nodes
// that function inlining leaves between a captured handle and its readers; -1 if none.
int variable_handle(const Graph& g, Endpoint e) {
  for (int hops = 0; hops < 1000; ++hops) {
    const Node& n = g.node(e.node);
    if (n.op == "VarHandleOp") return e.node;
    if (n.op == "Identity" && !n.inputs.empty()) {
      e = n.inputs[0];
    } else if (n.op == "IdentityN" && e.index < static_cast<int>(n.inputs.size())) {
      e = n.inputs[static_cast<size_t>(e.index)];
    } else {
      return -1;
    }
  }
  return -1;
}

tensorflow::AttrValue type_attr(DType t) {
  tensorflow::AttrValue a;
  a.set_type(static_cast<tensorflow::DataType>(t));
  return a;
}

// Turns node `id` into a Const holding `value`, keeping its name so consumers stay wired.
Status make_const(Graph& g, int id, const Tensor& value) {
  Node& n = g.mutable_node(id);
  auto proto = runtime::tensor_to_proto(value);
  if (!proto.ok()) return proto.status().with_context("node '" + n.name + "'");
  n.op = "Const";
  n.inputs.clear();
  n.control_inputs.clear();
  graph::AttrMap attrs;
  attrs["dtype"] = type_attr(value.dtype());
  *attrs["value"].mutable_tensor() = std::move(*proto);
  n.attrs = std::move(attrs);
  return Status::OK();
}

class Freezer {
 public:
  Freezer(Graph& graph, const runtime::ResourceStore& resources)
      : g(graph), store(resources), functions(graph.library()) {}

  Graph& g;
  const runtime::ResourceStore& store;
  runtime::FunctionArgFreezer functions;
  int frozen = 0;
  std::set<std::string> frozen_keys;
  std::map<int, int> value_nodes;  // VarHandleOp id -> the Const holding its value

  StatusOr<Tensor> value_of(const Node& var, const std::string& reader) {
    const std::string key = runtime::variable_key(attr_s(var, "container"), attr_s(var, "shared_name"), var.name);
    auto v = store.read(key);
    if (!v.ok()) {
      return failed_precondition_error("variable '" + var.name + "' (read by '" + reader +
                                       "') has no value: it is not in the checkpoint and no init op set it");
    }
    if (frozen_keys.insert(key).second) ++frozen;
    return *v;
  }

  Status freeze_node(int id) {
    const Node n = g.node(id);  // copy: the node is rewritten below
    if (n.op == "VariableV2" || n.op == "Variable") {
      TFPORT_ASSIGN_OR_RETURN(Tensor v, value_of(n, n.name));
      return make_const(g, id, v);
    }
    if ((n.op == "ReadVariableOp" || n.op == "ResourceGather") && !n.inputs.empty()) {
      const int handle = variable_handle(g, n.inputs[0]);
      if (handle < 0) {
        return unimplemented_error("node '" + n.name + "' (" + n.op + ") reads a resource that is not a variable");
      }
      TFPORT_ASSIGN_OR_RETURN(Tensor v, value_of(g.node(handle), n.name));
      if (n.op == "ReadVariableOp") return make_const(g, id, v);
      return gather_on_const(id, n, v);
    }
    if (runtime::is_function_caller(n.op)) return freeze_function_inputs(id, n);
    return Status::OK();
  }

  // Loops, conditionals and calls that receive a variable's handle get its value instead, and
  // the functions they run are rewritten to read that value.
  Status freeze_function_inputs(int id, const Node& n) {
    for (size_t i = 0; i < n.inputs.size(); ++i) {
      const int handle = variable_handle(g, n.inputs[i]);
      if (handle < 0) continue;
      TFPORT_ASSIGN_OR_RETURN(Tensor v, value_of(g.node(handle), n.name));
      TFPORT_ASSIGN_OR_RETURN(int value_node, const_for(handle, v));
      Node& caller = g.mutable_node(id);
      TFPORT_RETURN_IF_ERROR(
          functions.freeze_caller_input(caller.op, caller.name, caller.attrs.mutable_map(), static_cast<int>(i), v));
      caller.inputs[i] = Endpoint{value_node, 0};
    }
    return Status::OK();
  }

  StatusOr<int> const_for(int handle, const Tensor& value) {
    auto it = value_nodes.find(handle);
    if (it != value_nodes.end()) return it->second;
    Node c;
    c.name = g.unique_name(g.node(handle).name + "/frozen_value");
    TFPORT_ASSIGN_OR_RETURN(int cid, g.add_node(std::move(c)));
    TFPORT_RETURN_IF_ERROR(make_const(g, cid, value));
    value_nodes[handle] = cid;
    return cid;
  }

  // ResourceGather(handle, indices) -> GatherV2(Const value, indices, Const axis 0).
  Status gather_on_const(int id, const Node& n, const Tensor& value) {
    if (n.inputs.size() < 2) return invalid_argument_error("node '" + n.name + "' (ResourceGather) needs indices");
    Node values;
    values.name = g.unique_name(n.name + "/frozen_params");
    TFPORT_ASSIGN_OR_RETURN(int values_id, g.add_node(std::move(values)));
    TFPORT_RETURN_IF_ERROR(make_const(g, values_id, value));
    Node axis;
    axis.name = g.unique_name(n.name + "/axis");
    TFPORT_ASSIGN_OR_RETURN(int axis_id, g.add_node(std::move(axis)));
    TFPORT_RETURN_IF_ERROR(make_const(g, axis_id, Tensor::from_vector<int32_t>(DType::kInt32, Shape{}, {0})));
    Node& gather = g.mutable_node(id);
    auto get = [&](const char* key) { return n.attrs.count(key) ? n.attrs.at(key) : tensorflow::AttrValue(); };
    graph::AttrMap attrs;
    attrs["Tparams"] = type_attr(value.dtype());
    attrs["Tindices"] = get("Tindices");
    attrs["Taxis"] = type_attr(DType::kInt32);
    attrs["batch_dims"] = get("batch_dims");
    if (attrs["batch_dims"].value_case() == tensorflow::AttrValue::VALUE_NOT_SET) attrs["batch_dims"].set_i(0);
    gather.op = "GatherV2";
    gather.inputs = {Endpoint{values_id, 0}, n.inputs[1], Endpoint{axis_id, 0}};
    gather.control_inputs.clear();
    gather.attrs = std::move(attrs);
    return Status::OK();
  }
};

// State that a frozen graph cannot carry; any of these left after freezing is an error.
bool is_stateful_leftover(const std::string& op) {
  static const std::set<std::string> ops = {
      "VarHandleOp", "VariableV2", "Variable", "ReadVariableOp", "AssignVariableOp", "AssignAddVariableOp",
      "AssignSubVariableOp", "Assign", "AssignAdd", "AssignSub", "VarIsInitializedOp", "IsVariableInitialized",
      "ResourceGather", "RestoreV2", "SaveV2", "Save", "Restore", "MergeV2Checkpoints", "HashTableV2",
      "MutableHashTableV2", "LookupTableImportV2", "LookupTableFindV2"};
  return ops.count(op) != 0;
}

// Colocation hints ("_class": ["loc:@node"]) may name nodes pruned away; TF refuses those.
void drop_dangling_colocation(Graph& g) {
  for (int id = 0; id < g.num_nodes(); ++id) {
    Node& n = g.mutable_node(id);
    auto it = n.attrs.find("_class");
    if (it == n.attrs.end()) continue;
    tensorflow::AttrValue kept;
    kept.mutable_list();
    for (const std::string& s : it->second.list().s()) {
      if (s.rfind("loc:@", 0) == 0 && g.find(s.substr(5)) < 0) continue;
      kept.mutable_list()->add_s(s);
    }
    if (kept.list().s_size() == 0) {
      n.attrs.erase("_class");
    } else {
      n.attrs["_class"] = std::move(kept);
    }
  }
}

// Functions still named by attributes after inlining (the bodies of If/While and similar ops),
// with the functions those bodies use in turn; a frozen graph must carry them.
void add_func_names(const tensorflow::AttrValue& a, std::vector<std::string>* out) {
  if (a.value_case() == tensorflow::AttrValue::kFunc) out->push_back(a.func().name());
  if (a.value_case() == tensorflow::AttrValue::kList) {
    for (const auto& f : a.list().func()) out->push_back(f.name());
  }
}

tensorflow::FunctionDefLibrary used_functions(const Graph& g) {
  std::map<std::string, const tensorflow::FunctionDef*> by_name;
  for (const auto& f : g.library().function()) by_name[f.signature().name()] = &f;
  std::vector<std::string> pending;
  for (int id = 0; id < g.num_nodes(); ++id) {
    const Node& n = g.node(id);
    if (by_name.count(n.op)) pending.push_back(n.op);
    for (const auto& [name, value] : n.attrs) add_func_names(value, &pending);
  }
  std::set<std::string> done;
  tensorflow::FunctionDefLibrary lib;
  while (!pending.empty()) {
    const std::string name = pending.back();
    pending.pop_back();
    auto it = by_name.find(name);
    if (it == by_name.end() || !done.insert(name).second) continue;
    *lib.add_function() = *it->second;
    for (const auto& nd : it->second->node_def()) {
      if (by_name.count(nd.op())) pending.push_back(nd.op());
      for (const auto& [attr, value] : nd.attr()) add_func_names(value, &pending);
    }
  }
  return lib;
}

// Loops and branches must find their functions in the written library; TF1 while loops,
// which tfport turns into While nodes at load, have their bodies only in tfport's own form.
Status check_callee(const tensorflow::NodeDef& nd, const std::set<std::string>& library) {
  if (!runtime::is_function_caller(nd.op())) return Status::OK();
  for (const auto& [key, value] : nd.attr()) {
    std::vector<std::string> names;
    add_func_names(value, &names);
    for (const std::string& name : names) {
      if (library.count(name) == 0) {
        return unimplemented_error("node '" + nd.name() + "' (" + nd.op() + ") runs '" + name +
                                   "', which has no FunctionDef to write (TF1 while loops are not frozen yet)");
      }
    }
  }
  return Status::OK();
}

// What is refused in the main graph is refused inside the loop and branch bodies it keeps.
Status check_function_bodies(const tensorflow::GraphDef& gd) {
  const tensorflow::FunctionDefLibrary& lib = gd.library();
  std::set<std::string> library;
  for (const auto& f : lib.function()) library.insert(f.signature().name());
  for (const auto& nd : gd.node()) TFPORT_RETURN_IF_ERROR(check_callee(nd, library));
  for (const auto& f : lib.function()) {
    const std::string where = "function '" + f.signature().name() + "'";
    for (const auto& a : f.signature().input_arg()) {
      if (a.type() == tensorflow::DT_RESOURCE) {
        return unimplemented_error(where + " takes a resource ('" + a.name() + "') that is not a variable it could freeze");
      }
    }
    for (const auto& a : f.signature().output_arg()) {
      if (a.type() == tensorflow::DT_RESOURCE) {
        return unimplemented_error(where + " returns a resource ('" + a.name() + "'), which a frozen graph cannot hold");
      }
    }
    for (const auto& nd : f.node_def()) {
      if (is_stateful_leftover(nd.op()) || nd.op().rfind("_Tfport", 0) == 0) {
        return unimplemented_error(where + ": node '" + nd.name() + "' (" + nd.op() +
                                   ") keeps state or is tfport-internal; a frozen graph cannot hold it");
      }
      Status callee = check_callee(nd, library);
      if (!callee.ok()) return callee.with_context(where);
    }
  }
  return Status::OK();
}

DType dtype_attr(const Node& n) {
  auto it = n.attrs.find("dtype");
  return it == n.attrs.end() ? DType::kInvalid : base_dtype(it->second.type());
}

PartialShape shape_attr(const Node& n) {
  auto it = n.attrs.find("shape");
  if (it == n.attrs.end() || !it->second.has_shape()) return PartialShape::unknown();
  const auto& s = it->second.shape();
  if (s.unknown_rank()) return PartialShape::unknown();
  std::vector<int64_t> dims;
  for (const auto& d : s.dim()) dims.push_back(d.size());
  return PartialShape(std::move(dims));
}

}  // namespace

StatusOr<FrozenGraph> freeze_model(const std::string& path, const FreezeOptions& options) {
  LoadOptions load;
  load.tag_set = options.tag_set;
  load.fuse_keras_recurrent_layers = false;
  TFPORT_ASSIGN_OR_RETURN(std::shared_ptr<Model> model, Model::load(path, load));
  const auto* gm = dynamic_cast<const runtime::GraphModel*>(model.get());
  if (gm == nullptr) return unimplemented_error(path + ": this kind of model has no graph to freeze");

  FrozenGraph out;
  std::vector<std::string> root_names;
  if (!options.output_node_names.empty()) {
    for (const std::string& name : options.output_node_names) {
      if (gm->graph().find(name) < 0) return not_found_error(path + ": output node '" + name + "' is not in the graph");
      TensorSpec spec;
      spec.key = name;
      spec.tensor_name = name + ":0";
      out.outputs.push_back(spec);
      root_names.push_back(name);
    }
  } else {
    if (model->signatures().empty()) {
      return invalid_argument_error(path + ": the model has no signatures; name the outputs with --output_node_names");
    }
    TFPORT_ASSIGN_OR_RETURN(const Signature* sig, model->signature(options.signature_key));
    out.inputs = sig->inputs;
    out.outputs = sig->outputs;
    for (const auto* list : {&sig->inputs, &sig->outputs}) {
      for (const TensorSpec& s : *list) {
        auto e = gm->graph().resolve(s.tensor_name);
        if (!e.ok()) return e.status().with_context(path + ": signature '" + sig->key + "'");
        root_names.push_back(gm->graph().node(e->node).name);
      }
    }
  }

  Graph g = gm->graph();
  auto roots = [&]() {
    std::vector<int> ids;
    for (const std::string& name : root_names) ids.push_back(g.find(name));
    return ids;
  };
  graph::prune_to(g, roots());
  Freezer freezer{g, gm->resources()};
  const int before = g.num_nodes();
  for (int id = 0; id < before; ++id) {
    Status s = freezer.freeze_node(id);
    if (!s.ok()) return s.with_context(path + ": freezing");
  }
  // Keras recurrent layers run fused in tfport; TensorFlow needs them as While loops.
  Status expanded = runtime::expand_keras_rnn_nodes(g);
  if (!expanded.ok()) return expanded.with_context(path + ": freezing");
  graph::prune_to(g, roots());
  for (int id = 0; id < g.num_nodes(); ++id) {
    const Node& n = g.node(id);
    if (is_stateful_leftover(n.op)) {
      return unimplemented_error(path + ": node '" + n.name + "' (" + n.op +
                                 ") keeps state that a frozen graph cannot hold (the outputs depend on it)");
    }
    // tfport's own kernels are not TensorFlow ops: TensorFlow could not load a graph using one.
    if (n.op.rfind("_Tfport", 0) == 0) {
      return unimplemented_error(path + ": node '" + n.name + "' (" + n.op +
                                 ") is a tfport-internal op with no standard TensorFlow form");
    }
  }
  drop_dangling_colocation(g);
  // Graphs without signatures: the inputs are the placeholders the outputs still need.
  if (options.output_node_names.empty() == false) {
    for (int id = 0; id < g.num_nodes(); ++id) {
      const Node& n = g.node(id);
      if (n.op != "Placeholder" && n.op != "PlaceholderWithDefault") continue;
      TensorSpec spec;
      spec.key = n.name;
      spec.tensor_name = n.name + ":0";
      spec.dtype = dtype_attr(n);
      spec.shape = shape_attr(n);
      out.inputs.push_back(spec);
    }
  }
  // The optimizer and the Keras lowering keep constants as tensors; a GraphDef spells them
  // as `value` attributes.
  for (int id = 0; id < g.num_nodes(); ++id) {
    Node& n = g.mutable_node(id);
    if (!n.value.valid() || n.attrs.count("value")) continue;
    TFPORT_ASSIGN_OR_RETURN(tensorflow::TensorProto proto, runtime::tensor_to_proto(n.value));
    n.attrs["dtype"].set_type(static_cast<tensorflow::DataType>(n.value.dtype()));
    *n.attrs["value"].mutable_tensor() = std::move(proto);
    n.value = Tensor();
  }
  out.graph_def = graph::export_graph_def(g, /*include_library=*/false);
  *out.graph_def.mutable_library() = used_functions(g);
  Status bodies = check_function_bodies(out.graph_def);
  if (!bodies.ok()) return bodies.with_context(path + ": freezing");
  const int producer = runtime::source_graph_producer(path, options.tag_set);
  if (producer > 0) out.graph_def.mutable_versions()->set_producer(producer);
  out.frozen_variables = freezer.frozen;
  return out;
}

}  // namespace tfport
