// `tfport show --json` for SavedModels: the information of every text form in one document.
#include <map>

#include "cli/concrete_functions.h"
#include "cli/python_repr.h"
#include "cli/show_saved_model.h"
#include "core/file.h"
#include "tfport/graph_def.h"

namespace tfport::cli {
namespace {

using nlohmann::json;

json shape_json(const tensorflow::TensorShapeProto& shape) {
  if (shape.unknown_rank()) return nullptr;
  json dims = json::array();
  for (const auto& d : shape.dim()) dims.push_back(d.size() < 0 ? -1 : d.size());
  return dims;
}

json tensor_info_json(const tensorflow::TensorInfo& info) {
  json j = {{"dtype", dtype_enum_text(info.dtype())}, {"shape", shape_json(info.tensor_shape())}, {"name", info.name()}};
  if (info.has_coo_sparse()) {
    const auto& s = info.coo_sparse();
    j["coo_sparse"] = {{"values_tensor_name", s.values_tensor_name()},
                       {"indices_tensor_name", s.indices_tensor_name()},
                       {"dense_shape_tensor_name", s.dense_shape_tensor_name()}};
  } else if (info.has_composite_tensor()) {
    json components = json::array();
    for (const auto& c : info.composite_tensor().components()) components.push_back(tensor_info_json(c));
    const auto& spec = info.composite_tensor().type_spec();
    j["composite_tensor"] = {{"type_spec_class", tensorflow::TypeSpecProto::TypeSpecClass_Name(spec.type_spec_class())},
                             {"type_spec_class_name", spec.type_spec_class_name()},
                             {"components", std::move(components)}};
  }
  return j;
}

json tensor_map_json(const google::protobuf::Map<std::string, tensorflow::TensorInfo>& infos) {
  json j = json::object();  // nlohmann::json objects keep keys sorted
  for (const auto& [key, info] : infos) j[key] = tensor_info_json(info);
  return j;
}

json signature_json(const tensorflow::SignatureDef& sig) {
  return {{"method_name", sig.method_name()}, {"inputs", tensor_map_json(sig.inputs())},
          {"outputs", tensor_map_json(sig.outputs())}};
}

StatusOr<json> meta_graph_json(const tensorflow::MetaGraphDef& mg, const ShowOptions& options) {
  const auto& info = mg.meta_info_def();
  json signatures = json::object();
  if (options.signature_def) {
    TFPORT_ASSIGN_OR_RETURN(const tensorflow::SignatureDef* sig, find_signature(mg, *options.signature_def));
    signatures[*options.signature_def] = signature_json(*sig);
  } else {
    for (const auto& [key, sig] : mg.signature_def()) signatures[key] = signature_json(sig);
  }
  std::set<std::string> ops = ops_used_by_graph_def(mg.graph_def());
  json j = {{"tags", std::vector<std::string>(info.tags().begin(), info.tags().end())},
            {"tensorflow_version", info.tensorflow_version()},
            {"tensorflow_git_version", info.tensorflow_git_version()},
            {"stripped_default_attrs", info.stripped_default_attrs()},
            {"num_nodes", mg.graph_def().node_size()},
            {"num_functions", mg.graph_def().library().function_size()},
            {"ops", std::vector<std::string>(ops.begin(), ops.end())},
            {"signatures", std::move(signatures)},
            {"concrete_functions", concrete_functions_json(mg)}};
  return j;
}

json fingerprint_json(const std::optional<tensorflow::FingerprintDef>& fp) {
  if (!fp) return nullptr;
  // 64-bit hashes as decimal strings: JSON numbers lose precision above 2^53 in most readers.
  return {{"saved_model_checksum", std::to_string(fp->saved_model_checksum())},
          {"graph_def_program_hash", std::to_string(fp->graph_def_program_hash())},
          {"signature_def_hash", std::to_string(fp->signature_def_hash())},
          {"saved_object_graph_hash", std::to_string(fp->saved_object_graph_hash())},
          {"checkpoint_hash", std::to_string(fp->checkpoint_hash())},
          {"producer", fp->version().producer()},
          {"uuid", fp->uuid()}};
}

}  // namespace

StatusOr<json> saved_model_json(const SavedModelFiles& files, const ShowOptions& options) {
  json meta_graphs = json::array();
  if (options.tag_set) {
    TFPORT_ASSIGN_OR_RETURN(const tensorflow::MetaGraphDef* mg, find_meta_graph(files.proto, *options.tag_set));
    TFPORT_ASSIGN_OR_RETURN(json j, meta_graph_json(*mg, options));
    meta_graphs.push_back(std::move(j));
  } else {
    ShowOptions all = options;
    all.signature_def.reset();  // like the text form: --signature_def needs --tag_set
    for (const auto& mg : files.proto.meta_graphs()) {
      TFPORT_ASSIGN_OR_RETURN(json j, meta_graph_json(mg, all));
      meta_graphs.push_back(std::move(j));
    }
  }
  return json{{"format", "SavedModel"},
              {"path", files.dir},
              {"saved_model_file", base_name(files.proto_path)},
              {"saved_model_schema_version", files.proto.saved_model_schema_version()},
              {"meta_graphs", std::move(meta_graphs)},
              {"fingerprint", fingerprint_json(files.fingerprint)},
              {"assets", files.assets},
              {"assets_extra", files.assets_extra},
              {"variables_prefix", files.variables_prefix},
              {"has_keras_metadata", files.has_keras_metadata}};
}

}  // namespace tfport::cli
