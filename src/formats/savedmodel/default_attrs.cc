// fill_default_attrs: undo StripDefaultAttributes (../shared/spec/savedmodel.md §4).
#include <unordered_map>

#include "tfport/saved_model.h"

namespace tfport {
namespace {

using OpDefs = std::unordered_map<std::string, const tensorflow::OpDef*>;

void fill_node(const OpDefs& ops, tensorflow::NodeDef* node) {
  auto it = ops.find(node->op());
  if (it == ops.end()) return;
  auto* attrs = node->mutable_attr();
  for (const auto& attr_def : it->second->attr()) {
    if (!attr_def.has_default_value() || attrs->contains(attr_def.name())) continue;
    (*attrs)[attr_def.name()] = attr_def.default_value();
  }
}

}  // namespace

Status fill_default_attrs(tensorflow::MetaGraphDef* meta_graph) {
  OpDefs ops;
  for (const auto& op : meta_graph->meta_info_def().stripped_op_list().op()) {
    if (op.name().empty()) return data_loss_error("meta_info_def.stripped_op_list: an OpDef has no name");
    ops.emplace(op.name(), &op);  // the first definition wins, as in TF's op registry
  }
  if (ops.empty()) return Status::OK();
  auto* graph = meta_graph->mutable_graph_def();
  for (auto& node : *graph->mutable_node()) fill_node(ops, &node);
  for (auto& function : *graph->mutable_library()->mutable_function()) {
    // Calls of other library functions are not in stripped_op_list and stay as they are.
    for (auto& node : *function.mutable_node_def()) fill_node(ops, &node);
  }
  return Status::OK();
}

}  // namespace tfport
