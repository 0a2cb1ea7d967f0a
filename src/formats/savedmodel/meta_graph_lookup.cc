// Tag sets, collections and assets of MetaGraphDefs.
#include <set>

#include "formats/savedmodel/proto_parse.h"
#include "tfport/saved_model.h"

namespace tfport {

std::vector<std::string> split_tag_set(std::string_view tag_set) {
  std::vector<std::string> tags;
  size_t start = 0;
  while (start <= tag_set.size()) {
    size_t comma = tag_set.find(',', start);
    if (comma == std::string_view::npos) comma = tag_set.size();
    if (comma > start) tags.emplace_back(tag_set.substr(start, comma - start));
    start = comma + 1;
  }
  return tags;
}

StatusOr<const tensorflow::MetaGraphDef*> find_meta_graph(const tensorflow::SavedModel& model,
                                                          std::string_view tag_set) {
  std::vector<std::string> wanted_list = split_tag_set(tag_set);
  std::set<std::string> wanted(wanted_list.begin(), wanted_list.end());
  for (const auto& meta_graph : model.meta_graphs()) {
    const auto& tags = meta_graph.meta_info_def().tags();
    if (std::set<std::string>(tags.begin(), tags.end()) == wanted) return &meta_graph;
  }
  return not_found_error("MetaGraphDef associated with tag-set '" + std::string(tag_set) +
                         "' could not be found in SavedModel");
}

StatusOr<std::vector<tensorflow::AssetFileDef>> asset_file_defs(const tensorflow::MetaGraphDef& meta_graph) {
  std::vector<tensorflow::AssetFileDef> out(meta_graph.asset_file_def().begin(), meta_graph.asset_file_def().end());
  if (!out.empty()) return out;
  auto it = meta_graph.collection_def().find("saved_model_assets");
  if (it == meta_graph.collection_def().end()) return out;
  if (!it->second.has_any_list()) {
    return data_loss_error("collection_def['saved_model_assets']: expected an any_list of AssetFileDef");
  }
  int index = 0;
  for (const auto& any : it->second.any_list().value()) {
    std::string where = "collection_def['saved_model_assets'][" + std::to_string(index++) + "]";
    if (any.type_url() != "type.googleapis.com/tensorflow.AssetFileDef") {
      return data_loss_error(where + ": type '" + any.type_url() + "' is not tensorflow.AssetFileDef");
    }
    tensorflow::AssetFileDef asset;
    TFPORT_RETURN_IF_ERROR(parse_embedded_proto(any.value(), where, &asset));
    out.push_back(std::move(asset));
  }
  return out;
}

StatusOr<std::vector<tensorflow::VariableDef>> variable_defs(const tensorflow::MetaGraphDef& meta_graph,
                                                             const std::string& collection_key) {
  std::vector<tensorflow::VariableDef> out;
  auto it = meta_graph.collection_def().find(collection_key);
  if (it == meta_graph.collection_def().end()) return out;
  std::string where = "collection_def['" + collection_key + "']";
  if (!it->second.has_bytes_list()) return data_loss_error(where + ": expected a bytes_list of VariableDef");
  int index = 0;
  for (const auto& bytes : it->second.bytes_list().value()) {
    tensorflow::VariableDef def;
    TFPORT_RETURN_IF_ERROR(parse_embedded_proto(bytes, where + "[" + std::to_string(index++) + "]", &def));
    out.push_back(std::move(def));
  }
  return out;
}

}  // namespace tfport
