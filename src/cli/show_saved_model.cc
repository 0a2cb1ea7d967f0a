// `tfport show` for SavedModels: saved_model_cli's output (../shared/spec/saved_model_cli.md §3).
#include "cli/show_saved_model.h"

#include <algorithm>
#include <map>

#include "cli/concrete_functions.h"
#include "cli/python_repr.h"
#include "tfport/graph_def.h"

namespace tfport::cli {
namespace {

template <typename Map>
std::vector<std::string> sorted_keys(const Map& map) {
  std::vector<std::string> keys;
  for (const auto& [key, value] : map) keys.push_back(key);
  std::sort(keys.begin(), keys.end());
  return keys;
}

std::vector<std::string> tags_of(const tensorflow::MetaGraphDef& mg) {
  return {mg.meta_info_def().tags().begin(), mg.meta_info_def().tags().end()};
}

// Every MetaGraphDef's tags in stored order, sorted as Python sorts lists of str.
std::vector<std::vector<std::string>> sorted_tag_lists(const tensorflow::SavedModel& model) {
  std::vector<std::vector<std::string>> lists;
  for (const auto& mg : model.meta_graphs()) lists.push_back(tags_of(mg));
  std::sort(lists.begin(), lists.end());
  return lists;
}

std::string join(const std::vector<std::string>& items, const std::string& sep) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) out += (i ? sep : "") + items[i];
  return out;
}

void print_tag_sets(const tensorflow::SavedModel& model, std::ostream& out) {
  out << "The given SavedModel contains the following tag-sets:\n";
  std::vector<std::vector<std::string>> lists;
  for (const auto& mg : model.meta_graphs()) {
    std::vector<std::string> tags = tags_of(mg);
    std::sort(tags.begin(), tags.end());
    lists.push_back(std::move(tags));
  }
  std::sort(lists.begin(), lists.end());
  for (const auto& tags : lists) out << python_str_repr(join(tags, ", ")) << "\n";
}

void print_ops_line(const tensorflow::MetaGraphDef& mg, std::ostream& out) {
  out << "The MetaGraph with tag set " << python_list_repr(tags_of(mg)) << " contains the following ops: "
      << python_set_repr(ops_used_by_graph_def(mg.graph_def())) << "\n";
}

void print_signature_keys(const tensorflow::MetaGraphDef& mg, std::ostream& out) {
  out << "The given SavedModel MetaGraphDef contains SignatureDefs with the following keys:\n";
  for (const auto& key : sorted_keys(mg.signature_def())) out << "SignatureDef key: \"" << key << "\"\n";
}

void print_tensor_info(const tensorflow::TensorInfo& info, const std::string& pad, std::ostream& out) {
  out << pad << "    dtype: " << dtype_enum_text(info.dtype()) << "\n";
  out << pad << "    shape: " << signature_shape_text(info.tensor_shape()) << "\n";
  out << pad << "    name: " << info.name() << "\n";
}

void print_signature(const tensorflow::SignatureDef& sig, int indent, std::ostream& out) {
  const std::string pad(static_cast<size_t>(2 * indent), ' ');
  const std::string info_pad(static_cast<size_t>(2 * (indent + 1)), ' ');
  out << pad << "The given SavedModel SignatureDef contains the following input(s):\n";
  for (const auto& key : sorted_keys(sig.inputs())) {
    out << pad << "  inputs['" << key << "'] tensor_info:\n";
    print_tensor_info(sig.inputs().at(key), info_pad, out);
  }
  out << pad << "The given SavedModel SignatureDef contains the following output(s):\n";
  for (const auto& key : sorted_keys(sig.outputs())) {
    out << pad << "  outputs['" << key << "'] tensor_info:\n";
    print_tensor_info(sig.outputs().at(key), info_pad, out);
  }
  out << pad << "Method name is: " << sig.method_name() << "\n";
}

Status print_all(const tensorflow::SavedModel& model, std::ostream& out) {
  for (const auto& tags : sorted_tag_lists(model)) {
    out << "\nMetaGraphDef with tag-set: '" << join(tags, ", ") << "' contains the following SignatureDefs:\n";
    // Like TF, look the graph up again by its tags: with duplicate tag sets the first wins.
    TFPORT_ASSIGN_OR_RETURN(const tensorflow::MetaGraphDef* mg, find_meta_graph(model, join(tags, ",")));
    for (const auto& key : sorted_keys(mg->signature_def())) {
      out << "\nsignature_def['" << key << "']:\n";
      print_signature(mg->signature_def().at(key), 1, out);
    }
    print_ops_line(*mg, out);
  }
  print_concrete_functions(model, out);
  return Status::OK();
}

}  // namespace

StatusOr<const tensorflow::SignatureDef*> find_signature(const tensorflow::MetaGraphDef& mg, const std::string& key) {
  auto it = mg.signature_def().find(key);
  if (it != mg.signature_def().end()) return &it->second;
  return invalid_argument_error("Could not find signature \"" + key +
                                "\". Please choose from: " + join(sorted_keys(mg.signature_def()), ", "));
}

Status print_saved_model(const SavedModelFiles& files, const ShowOptions& options, std::ostream& out) {
  if (options.json) {
    TFPORT_ASSIGN_OR_RETURN(nlohmann::json doc, saved_model_json(files, options));
    out << doc.dump(2) << "\n";
    return Status::OK();
  }
  const tensorflow::SavedModel& model = files.proto;
  if (options.all) return print_all(model, out);
  if (!options.tag_set) {
    if (options.list_ops) out << "--list_ops must be paired with a tag-set or with --all.\n";
    print_tag_sets(model, out);
    return Status::OK();
  }
  TFPORT_ASSIGN_OR_RETURN(const tensorflow::MetaGraphDef* mg, find_meta_graph(model, *options.tag_set));
  if (options.list_ops) print_ops_line(*mg, out);
  if (!options.signature_def) {
    print_signature_keys(*mg, out);
    return Status::OK();
  }
  TFPORT_ASSIGN_OR_RETURN(const tensorflow::SignatureDef* sig, find_signature(*mg, *options.signature_def));
  print_signature(*sig, 0, out);
  return Status::OK();
}

Status show_saved_model(const DetectedModel& model, const ShowOptions& options, std::ostream& out) {
  TFPORT_ASSIGN_OR_RETURN(SavedModelFiles files, read_saved_model(model.path));
  return print_saved_model(files, options, out);
}

}  // namespace tfport::cli
