// `tfport show` for frozen GraphDefs (.pb / .pbtxt) and TF1 checkpoint .meta graphs: inputs,
// likely outputs, node count and op histogram; for .meta files also signatures, collections
// and the saver.
//
//   GraphDef: model/frozen_graph.pb
//   Nodes: 57, library functions: 0, producer: 27
//
//   Inputs (placeholders):
//     conv2d_input: dtype DT_FLOAT, shape (-1, 28, 28, 1)
//
//   Likely outputs (nodes nothing consumes):
//     dense_1/Softmax
//
//   Op histogram:
//        12  Const
#include <algorithm>
#include <iomanip>

#include <nlohmann/json.hpp>

#include "cli/python_repr.h"
#include "cli/show.h"
#include "tfport/graph_def.h"
#include "tfport/saved_model.h"

namespace tfport::cli {
namespace {

using nlohmann::json;

std::string shape_text(const PartialShape& shape) {
  if (shape.unknown_rank()) return "unknown_rank";
  std::string out = "(";
  for (size_t i = 0; i < shape.dims().size(); ++i) {
    if (i) out += ", ";
    out += std::to_string(shape.dims()[i]);
  }
  return out + ")";
}

json shape_json(const PartialShape& shape) {
  if (shape.unknown_rank()) return nullptr;
  return shape.dims();
}

void print_graph_summary(const tensorflow::GraphDef& graph, const ShowOptions& options, std::ostream& out) {
  out << "Nodes: " << graph.node_size() << ", library functions: " << graph.library().function_size()
      << ", producer: " << graph.versions().producer() << "\n";
  out << "\nInputs (placeholders):\n";
  auto inputs = graph_placeholders(graph);
  if (inputs.empty()) out << "  (none)\n";
  for (const auto& p : inputs) {
    out << "  " << p.name << ": dtype " << dtype_enum_text(p.dtype) << ", shape " << shape_text(p.shape)
        << (p.has_default() ? ", has a default value" : "") << "\n";
  }
  out << "\nLikely outputs (nodes nothing consumes):\n";
  auto outputs = likely_outputs(graph);
  if (outputs.empty()) out << "  (none)\n";
  for (const auto& name : outputs) out << "  " << name << "\n";
  out << "\nOp histogram:\n";
  for (const auto& [op, count] : op_histogram(graph)) out << "  " << std::setw(6) << count << "  " << op << "\n";
  if (options.list_ops) {
    out << "\nThe graph contains the following ops: " << python_set_repr(ops_used_by_graph_def(graph)) << "\n";
  }
}

json graph_json(const tensorflow::GraphDef& graph) {
  json inputs = json::array();
  for (const auto& p : graph_placeholders(graph)) {
    inputs.push_back({{"name", p.name}, {"op", p.op}, {"dtype", dtype_enum_text(p.dtype)}, {"shape", shape_json(p.shape)}});
  }
  json histogram = json::array();
  for (const auto& [op, count] : op_histogram(graph)) histogram.push_back({{"op", op}, {"count", count}});
  std::set<std::string> ops = ops_used_by_graph_def(graph);
  return {{"num_nodes", graph.node_size()},
          {"num_functions", graph.library().function_size()},
          {"producer", graph.versions().producer()},
          {"inputs", std::move(inputs)},
          {"likely_outputs", likely_outputs(graph)},
          {"op_histogram", std::move(histogram)},
          {"ops", std::vector<std::string>(ops.begin(), ops.end())}};
}

std::string collection_kind(const tensorflow::CollectionDef& c, int* size) {
  switch (c.kind_case()) {
    case tensorflow::CollectionDef::kNodeList: *size = c.node_list().value_size(); return "node_list";
    case tensorflow::CollectionDef::kBytesList: *size = c.bytes_list().value_size(); return "bytes_list";
    case tensorflow::CollectionDef::kInt64List: *size = c.int64_list().value_size(); return "int64_list";
    case tensorflow::CollectionDef::kFloatList: *size = c.float_list().value_size(); return "float_list";
    case tensorflow::CollectionDef::kAnyList: *size = c.any_list().value_size(); return "any_list";
    case tensorflow::CollectionDef::KIND_NOT_SET: break;
  }
  *size = 0;
  return "empty";
}

Status print_meta_graph_extras(const tensorflow::MetaGraphDef& mg, const DetectedModel& model, std::ostream& out) {
  const auto& info = mg.meta_info_def();
  out << "\nMetaGraph tags: " << python_list_repr({info.tags().begin(), info.tags().end()})
      << ", TensorFlow version: " << (info.tensorflow_version().empty() ? "unknown" : info.tensorflow_version()) << "\n";
  std::vector<std::string> keys;
  for (const auto& [key, sig] : mg.signature_def()) keys.push_back(key);
  std::sort(keys.begin(), keys.end());
  out << "\nSignatureDefs:" << (keys.empty() ? " (none)" : "") << "\n";
  for (const auto& key : keys) {
    const auto& sig = mg.signature_def().at(key);
    out << "  signature_def['" << key << "']: method " << sig.method_name() << "\n";
    for (const auto& [k, t] : sig.inputs()) out << "    input '" << k << "': " << t.name() << " " << dtype_enum_text(t.dtype()) << " " << signature_shape_text(t.tensor_shape()) << "\n";
    for (const auto& [k, t] : sig.outputs()) out << "    output '" << k << "': " << t.name() << " " << dtype_enum_text(t.dtype()) << " " << signature_shape_text(t.tensor_shape()) << "\n";
  }
  std::vector<std::string> names;
  for (const auto& [name, c] : mg.collection_def()) names.push_back(name);
  std::sort(names.begin(), names.end());
  out << "\nCollections:" << (names.empty() ? " (none)" : "") << "\n";
  for (const auto& name : names) {
    int size = 0;
    std::string kind = collection_kind(mg.collection_def().at(name), &size);
    out << "  " << name << ": " << kind << ", " << size << (size == 1 ? " item" : " items") << "\n";
  }
  TFPORT_ASSIGN_OR_RETURN(auto variables, variable_defs(mg, "variables"));
  if (!variables.empty()) {
    out << "\nVariables (collection 'variables'):\n";
    for (const auto& v : variables) out << "  " << v.variable_name() << (v.trainable() ? "" : " (not trainable)") << "\n";
  }
  const auto& saver = mg.saver_def();
  if (mg.has_saver_def()) {
    out << "\nSaver:\n  filename_tensor_name: " << saver.filename_tensor_name()
        << "\n  save_tensor_name: " << saver.save_tensor_name() << "\n  restore_op_name: " << saver.restore_op_name()
        << "\n  version: " << tensorflow::SaverDef::CheckpointFormatVersion_Name(saver.version()) << "\n";
  }
  out << "\nCheckpoint prefix: " << (model.checkpoint_prefix.empty() ? "(none)" : model.checkpoint_prefix) << "\n";
  return Status::OK();
}

StatusOr<json> meta_graph_extras_json(const tensorflow::MetaGraphDef& mg, const DetectedModel& model) {
  json signatures = json::object();
  for (const auto& [key, sig] : mg.signature_def()) {
    json io = {{"method_name", sig.method_name()}, {"inputs", json::object()}, {"outputs", json::object()}};
    for (const auto& [k, t] : sig.inputs()) io["inputs"][k] = {{"name", t.name()}, {"dtype", dtype_enum_text(t.dtype())}, {"shape", shape_json(partial_shape_from_proto(t.tensor_shape()))}};
    for (const auto& [k, t] : sig.outputs()) io["outputs"][k] = {{"name", t.name()}, {"dtype", dtype_enum_text(t.dtype())}, {"shape", shape_json(partial_shape_from_proto(t.tensor_shape()))}};
    signatures[key] = std::move(io);
  }
  json collections = json::object();
  for (const auto& [name, c] : mg.collection_def()) {
    int size = 0;
    std::string kind = collection_kind(c, &size);
    collections[name] = {{"kind", kind}, {"size", size}};
  }
  TFPORT_ASSIGN_OR_RETURN(auto variables, variable_defs(mg, "variables"));
  json vars = json::array();
  for (const auto& v : variables) vars.push_back({{"name", v.variable_name()}, {"trainable", v.trainable()}});
  json saver = nullptr;
  if (mg.has_saver_def()) {
    const auto& s = mg.saver_def();
    saver = {{"filename_tensor_name", s.filename_tensor_name()}, {"save_tensor_name", s.save_tensor_name()},
             {"restore_op_name", s.restore_op_name()},
             {"version", tensorflow::SaverDef::CheckpointFormatVersion_Name(s.version())}};
  }
  const auto& info = mg.meta_info_def();
  return json{{"tags", std::vector<std::string>(info.tags().begin(), info.tags().end())},
              {"tensorflow_version", info.tensorflow_version()},
              {"signatures", std::move(signatures)},
              {"collections", std::move(collections)},
              {"variables", std::move(vars)},
              {"saver", std::move(saver)},
              {"checkpoint_prefix", model.checkpoint_prefix}};
}

}  // namespace

Status show_graph(const DetectedModel& model, const ShowOptions& options, std::ostream& out) {
  const bool meta = model.format == ModelFormat::kTf1MetaGraph;
  tensorflow::MetaGraphDef meta_graph;
  tensorflow::GraphDef graph_only;
  if (meta) {
    TFPORT_ASSIGN_OR_RETURN(meta_graph, read_meta_graph_file(model.path));
  } else {
    TFPORT_ASSIGN_OR_RETURN(graph_only, read_graph_def(model.path));
  }
  const tensorflow::GraphDef& graph = meta ? meta_graph.graph_def() : graph_only;
  if (options.json) {
    json doc = {{"format", meta ? "TF1 meta graph" : "GraphDef"}, {"path", model.path}};
    doc.update(graph_json(graph));
    if (meta) {
      TFPORT_ASSIGN_OR_RETURN(json extras, meta_graph_extras_json(meta_graph, model));
      doc.update(extras);
    }
    out << doc.dump(2) << "\n";
    return Status::OK();
  }
  out << (meta ? "TF1 MetaGraphDef: " : "GraphDef: ") << model.path << "\n";
  print_graph_summary(graph, options, out);
  if (meta) TFPORT_RETURN_IF_ERROR(print_meta_graph_extras(meta_graph, model, out));
  return Status::OK();
}

}  // namespace tfport::cli
