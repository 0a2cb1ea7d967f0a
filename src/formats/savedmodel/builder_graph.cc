// build_meta_graph: the model's graph plus what TF1's Saver and SavedModelBuilder add around
// it — a VarHandleOp per variable with its initializer and snapshot, a V2 saver (SaveV2 /
// RestoreV2 + AssignVariableOp, restore_all) and the variables collections — so that TF's
// loaders restore variables through the standard SaverDef path.
#include <algorithm>
#include <set>

#include "tfport/saved_model_builder.h"
#include "tfport/tf/saver.pb.h"
#include "tfport/tf/variable.pb.h"

namespace tfport {
namespace {

tensorflow::AttrValue type_attr(DType t) {
  tensorflow::AttrValue a;
  a.set_type(static_cast<tensorflow::DataType>(t));
  return a;
}

tensorflow::AttrValue shape_attr(const Shape& s) {
  tensorflow::AttrValue a;
  for (int64_t d : s.dims()) a.mutable_shape()->add_dim()->set_size(d);
  return a;
}

tensorflow::AttrValue string_attr(const std::string& s) {
  tensorflow::AttrValue a;
  a.set_s(s);
  return a;
}

class GraphBuilder {
 public:
  explicit GraphBuilder(tensorflow::GraphDef* g) : g_(g) {
    for (const auto& n : g->node()) names_.insert(n.name());
  }

  StatusOr<tensorflow::NodeDef*> add(const std::string& name, const std::string& op, std::vector<std::string> inputs) {
    if (!names_.insert(name).second) {
      return invalid_argument_error("node name '" + name + "' is already used by the model's graph");
    }
    tensorflow::NodeDef* n = g_->add_node();
    n->set_name(name);
    n->set_op(op);
    for (std::string& in : inputs) n->add_input(std::move(in));
    return n;
  }

  StatusOr<tensorflow::NodeDef*> constant(const std::string& name, const tensorflow::TensorProto& value) {
    TFPORT_ASSIGN_OR_RETURN(tensorflow::NodeDef * n, add(name, "Const", {}));
    (*n->mutable_attr())["dtype"] = type_attr(static_cast<DType>(value.dtype()));
    *(*n->mutable_attr())["value"].mutable_tensor() = value;
    return n;
  }

  StatusOr<tensorflow::NodeDef*> strings(const std::string& name, const std::vector<std::string>& values, bool scalar) {
    tensorflow::TensorProto p;
    p.set_dtype(tensorflow::DT_STRING);
    if (!scalar) p.mutable_tensor_shape()->add_dim()->set_size(static_cast<int64_t>(values.size()));
    for (const std::string& v : values) p.add_string_val(v);
    return constant(name, p);
  }

 private:
  tensorflow::GraphDef* g_;
  std::set<std::string> names_;
};

tensorflow::TensorProto zero_scalar(DType dtype) {
  tensorflow::TensorProto p;
  p.set_dtype(static_cast<tensorflow::DataType>(dtype));
  if (dtype == DType::kString) {
    p.add_string_val("");
  } else {
    p.mutable_tensor_content()->assign(element_storage_size(dtype), '\0');
  }
  return p;
}

// name/Initializer/zeros (Fill), name (VarHandleOp), name/Assign, name/Read/ReadVariableOp.
StatusOr<tensorflow::VariableDef> add_variable(GraphBuilder& b, const SavedModelVariable& v) {
  const DType dtype = v.value.dtype();
  TFPORT_ASSIGN_OR_RETURN(tensorflow::NodeDef * handle, b.add(v.name, "VarHandleOp", {}));
  auto& ha = *handle->mutable_attr();
  ha["dtype"] = type_attr(dtype);
  ha["shape"] = shape_attr(v.value.shape());
  ha["shared_name"] = string_attr(v.name);
  ha["container"] = string_attr("");
  // allowed_devices (TF >= 2.3) is left to its default so older TensorFlow loads the graph too.

  tensorflow::TensorProto dims;
  dims.set_dtype(tensorflow::DT_INT64);
  dims.mutable_tensor_shape()->add_dim()->set_size(v.value.shape().rank());
  for (int64_t d : v.value.shape().dims()) dims.add_int64_val(d);
  TFPORT_RETURN_IF_ERROR(b.constant(v.name + "/Initializer/zeros/shape_as_tensor", dims).status());
  TFPORT_RETURN_IF_ERROR(b.constant(v.name + "/Initializer/zeros/Const", zero_scalar(dtype)).status());
  TFPORT_ASSIGN_OR_RETURN(tensorflow::NodeDef * fill, b.add(v.name + "/Initializer/zeros", "Fill",
                                                            {v.name + "/Initializer/zeros/shape_as_tensor",
                                                             v.name + "/Initializer/zeros/Const"}));
  (*fill->mutable_attr())["T"] = type_attr(dtype);
  (*fill->mutable_attr())["index_type"] = type_attr(DType::kInt64);
  TFPORT_ASSIGN_OR_RETURN(tensorflow::NodeDef * assign,
                          b.add(v.name + "/Assign", "AssignVariableOp", {v.name, v.name + "/Initializer/zeros"}));
  (*assign->mutable_attr())["dtype"] = type_attr(dtype);
  TFPORT_ASSIGN_OR_RETURN(tensorflow::NodeDef * read, b.add(v.name + "/Read/ReadVariableOp", "ReadVariableOp", {v.name}));
  (*read->mutable_attr())["dtype"] = type_attr(dtype);

  tensorflow::VariableDef def;
  def.set_variable_name(v.name + ":0");
  def.set_initial_value_name(v.name + "/Initializer/zeros:0");
  def.set_initializer_name(v.name + "/Assign");
  def.set_snapshot_name(v.name + "/Read/ReadVariableOp:0");
  def.set_is_resource(true);
  def.set_trainable(v.trainable);
  return def;
}

// The non-sharded V2 saver TF1's tf.compat.v1.train.Saver(sharded=False) builds.
StatusOr<tensorflow::SaverDef> add_saver(GraphBuilder& b, std::vector<const SavedModelVariable*> vars) {
  std::sort(vars.begin(), vars.end(), [](const auto* a, const auto* c) { return a->key() < c->key(); });
  std::vector<std::string> names;
  tensorflow::AttrValue dtypes;
  for (const SavedModelVariable* v : vars) {
    names.push_back(v->key());
    dtypes.mutable_list()->add_type(static_cast<tensorflow::DataType>(v->value.dtype()));
  }
  const std::vector<std::string> slices(vars.size(), "");
  TFPORT_RETURN_IF_ERROR(b.strings("save/filename/input", {"model"}, true).status());
  for (const char* name : {"save/filename", "save/Const"}) {
    const std::string input = std::string(name) == "save/filename" ? "save/filename/input" : "save/filename";
    TFPORT_ASSIGN_OR_RETURN(tensorflow::NodeDef * p, b.add(name, "PlaceholderWithDefault", {input}));
    (*p->mutable_attr())["dtype"] = type_attr(DType::kString);
    (*p->mutable_attr())["shape"] = shape_attr(Shape{});
  }
  TFPORT_RETURN_IF_ERROR(b.strings("save/SaveV2/tensor_names", names, false).status());
  TFPORT_RETURN_IF_ERROR(b.strings("save/SaveV2/shape_and_slices", slices, false).status());
  std::vector<std::string> save_inputs = {"save/Const", "save/SaveV2/tensor_names", "save/SaveV2/shape_and_slices"};
  for (const SavedModelVariable* v : vars) save_inputs.push_back(v->name + "/Read/ReadVariableOp");
  TFPORT_ASSIGN_OR_RETURN(tensorflow::NodeDef * save, b.add("save/SaveV2", "SaveV2", save_inputs));
  (*save->mutable_attr())["dtypes"] = dtypes;
  TFPORT_ASSIGN_OR_RETURN(tensorflow::NodeDef * dep, b.add("save/control_dependency", "Identity",
                                                           {"save/Const", "^save/SaveV2"}));
  (*dep->mutable_attr())["T"] = type_attr(DType::kString);
  (*dep->mutable_attr())["_class"].mutable_list()->add_s("loc:@save/Const");

  TFPORT_RETURN_IF_ERROR(b.strings("save/RestoreV2/tensor_names", names, false).status());
  TFPORT_RETURN_IF_ERROR(b.strings("save/RestoreV2/shape_and_slices", slices, false).status());
  TFPORT_ASSIGN_OR_RETURN(tensorflow::NodeDef * restore,
                          b.add("save/RestoreV2", "RestoreV2",
                                {"save/Const", "save/RestoreV2/tensor_names", "save/RestoreV2/shape_and_slices"}));
  (*restore->mutable_attr())["dtypes"] = dtypes;
  std::vector<std::string> assigns;
  for (size_t i = 0; i < vars.size(); ++i) {
    const std::string suffix = i == 0 ? "" : "_" + std::to_string(i);
    const std::string restored = i == 0 ? "save/RestoreV2" : "save/RestoreV2:" + std::to_string(i);
    TFPORT_ASSIGN_OR_RETURN(tensorflow::NodeDef * id, b.add("save/Identity" + suffix, "Identity", {restored}));
    (*id->mutable_attr())["T"] = type_attr(vars[i]->value.dtype());
    TFPORT_ASSIGN_OR_RETURN(tensorflow::NodeDef * as, b.add("save/AssignVariableOp" + suffix, "AssignVariableOp",
                                                            {vars[i]->name, "save/Identity" + suffix}));
    (*as->mutable_attr())["dtype"] = type_attr(vars[i]->value.dtype());
    assigns.push_back("^save/AssignVariableOp" + suffix);
  }
  TFPORT_RETURN_IF_ERROR(b.add("save/restore_all", "NoOp", assigns).status());

  tensorflow::SaverDef saver;
  saver.set_filename_tensor_name("save/Const:0");
  saver.set_save_tensor_name("save/control_dependency:0");
  saver.set_restore_op_name("save/restore_all");
  saver.set_max_to_keep(5);
  saver.set_keep_checkpoint_every_n_hours(10000.0f);
  saver.set_version(tensorflow::SaverDef::V2);
  return saver;
}

}  // namespace

StatusOr<tensorflow::MetaGraphDef> build_meta_graph(const SavedModelSpec& spec) {
  tensorflow::MetaGraphDef mg;
  *mg.mutable_graph_def() = spec.graph;
  // A recent-enough producer for every op the builder and the lowering emit.
  if (mg.graph_def().versions().producer() == 0) mg.mutable_graph_def()->mutable_versions()->set_producer(1087);
  GraphBuilder b(mg.mutable_graph_def());
  std::vector<const SavedModelVariable*> vars;
  auto* all_vars = (*mg.mutable_collection_def())["variables"].mutable_bytes_list();
  tensorflow::CollectionDef trainable;
  for (const SavedModelVariable& v : spec.variables) {
    if (!v.value.valid()) return invalid_argument_error("variable '" + v.name + "' has no value");
    auto def = add_variable(b, v);
    if (!def.ok()) return def.status().with_context("variable '" + v.name + "'");
    all_vars->add_value(def->SerializeAsString());
    if (v.trainable) trainable.mutable_bytes_list()->add_value(def->SerializeAsString());
    vars.push_back(&v);
  }
  if (vars.empty()) {
    mg.mutable_collection_def()->erase("variables");
  } else {
    if (trainable.bytes_list().value_size() > 0) (*mg.mutable_collection_def())["trainable_variables"] = trainable;
    TFPORT_ASSIGN_OR_RETURN(*mg.mutable_saver_def(), add_saver(b, vars));
  }
  for (const SavedModelAsset& a : spec.assets) {
    if (a.filename.empty() || a.filename.find('/') != std::string::npos || a.filename == "." || a.filename == "..") {
      return invalid_argument_error("asset file name '" + a.filename + "' must be a plain file name");
    }
    TFPORT_RETURN_IF_ERROR(b.strings(a.node_name, {a.filename}, true).status());
    tensorflow::AssetFileDef def;
    def.set_filename(a.filename);
    def.mutable_tensor_info()->set_name(a.node_name + ":0");
    def.mutable_tensor_info()->set_dtype(tensorflow::DT_STRING);
    def.mutable_tensor_info()->mutable_tensor_shape();
    *mg.add_asset_file_def() = def;
    (*mg.mutable_collection_def())["asset_filepaths"].mutable_node_list()->add_value(a.node_name + ":0");
  }
  auto* info = mg.mutable_meta_info_def();
  for (const std::string& t : spec.tags) info->add_tags(t);
  info->set_tensorflow_version("2.15.0");
  info->set_tensorflow_git_version("tfport");
  for (const auto& [key, sig] : spec.signatures) (*mg.mutable_signature_def())[key] = sig;
  return mg;
}

tensorflow::TensorInfo tensor_info(const std::string& tensor_name, DType dtype, const PartialShape& shape) {
  tensorflow::TensorInfo info;
  info.set_name(tensor_name);
  info.set_dtype(static_cast<tensorflow::DataType>(dtype));
  auto* s = info.mutable_tensor_shape();
  if (shape.unknown_rank()) {
    s->set_unknown_rank(true);
  } else {
    for (int64_t d : shape.dims()) s->add_dim()->set_size(d);
  }
  return info;
}

tensorflow::SignatureDef predict_signature(const std::map<std::string, tensorflow::TensorInfo>& inputs,
                                           const std::map<std::string, tensorflow::TensorInfo>& outputs) {
  tensorflow::SignatureDef sig;
  for (const auto& [k, v] : inputs) (*sig.mutable_inputs())[k] = v;
  for (const auto& [k, v] : outputs) (*sig.mutable_outputs())[k] = v;
  sig.set_method_name("tensorflow/serving/predict");
  return sig;
}

tensorflow::SignatureDef classify_signature(const tensorflow::TensorInfo& examples, const tensorflow::TensorInfo& classes,
                                            const tensorflow::TensorInfo& scores) {
  tensorflow::SignatureDef sig;
  (*sig.mutable_inputs())["inputs"] = examples;
  if (!classes.name().empty()) (*sig.mutable_outputs())["classes"] = classes;
  if (!scores.name().empty()) (*sig.mutable_outputs())["scores"] = scores;
  sig.set_method_name("tensorflow/serving/classify");
  return sig;
}

tensorflow::SignatureDef regress_signature(const tensorflow::TensorInfo& examples, const tensorflow::TensorInfo& outputs) {
  tensorflow::SignatureDef sig;
  (*sig.mutable_inputs())["inputs"] = examples;
  (*sig.mutable_outputs())["outputs"] = outputs;
  sig.set_method_name("tensorflow/serving/regress");
  return sig;
}

}  // namespace tfport
