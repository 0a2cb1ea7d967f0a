// What a graph takes and gives: placeholders, likely outputs, op counts.
#include <algorithm>
#include <map>
#include <unordered_set>

#include "tfport/graph_def.h"

namespace tfport {
namespace {

// Ops that never make a model output even when nothing consumes them.
const std::unordered_set<std::string_view>& non_output_ops() {
  static const std::unordered_set<std::string_view> ops = {
      "NoOp", "Const", "Placeholder", "PlaceholderV2", "PlaceholderWithDefault",
      "Variable", "VariableV2", "VarHandleOp", "VarIsInitializedOp", "IsVariableInitialized",
      "Assign", "AssignAdd", "AssignSub", "AssignVariableOp", "AssignAddVariableOp",
      "AssignSubVariableOp", "Save", "SaveV2", "SaveSlices", "Restore", "RestoreV2",
      "RestoreSlice", "MergeV2Checkpoints", "ShardedFilename", "ShardedFilespec",
      "Assert", "ReadVariableOp", "HashTableV2", "MutableHashTableV2", "InitializeTableV2",
      "InitializeTableFromTextFileV2"};
  return ops;
}

// True when the first scope of `name` is `base` or `base_<n>`: "save/Const", "gradients_1/...".
bool in_scope(std::string_view name, std::string_view base) {
  size_t slash = name.find('/');
  if (slash == std::string_view::npos) return false;
  std::string_view scope = name.substr(0, slash);
  if (scope.substr(0, base.size()) != base) return false;
  if (scope.size() == base.size()) return true;
  if (scope[base.size()] != '_' || scope.size() == base.size() + 1) return false;
  return std::all_of(scope.begin() + static_cast<std::ptrdiff_t>(base.size()) + 1, scope.end(),
                     [](char c) { return c >= '0' && c <= '9'; });
}

// The Saver's subgraph and the gradients of a training graph are never model outputs.
bool in_machinery_scope(std::string_view name) { return in_scope(name, "save") || in_scope(name, "gradients"); }

// "node:1" -> "node"; "^node" -> "node". A node something waits for (control input) is not
// an output either: that is how TF1 graphs tie train ops and cond branches together.
std::string_view producer_of(std::string_view input) {
  if (!input.empty() && input.front() == '^') input.remove_prefix(1);
  size_t colon = input.find(':');
  return colon == std::string_view::npos ? input : input.substr(0, colon);
}

}  // namespace

PartialShape partial_shape_from_proto(const tensorflow::TensorShapeProto& shape) {
  if (shape.unknown_rank()) return PartialShape::unknown();
  std::vector<int64_t> dims;
  dims.reserve(static_cast<size_t>(shape.dim_size()));
  for (const auto& d : shape.dim()) dims.push_back(d.size() < 0 ? -1 : d.size());
  return PartialShape(std::move(dims));
}

std::vector<GraphPlaceholder> graph_placeholders(const tensorflow::GraphDef& graph) {
  std::vector<GraphPlaceholder> out;
  for (const auto& node : graph.node()) {
    if (node.op() != "Placeholder" && node.op() != "PlaceholderV2" && node.op() != "PlaceholderWithDefault") continue;
    GraphPlaceholder p;
    p.name = node.name();
    p.op = node.op();
    const auto& attrs = node.attr();
    if (auto it = attrs.find("dtype"); it != attrs.end()) p.dtype = it->second.type();
    if (auto it = attrs.find("shape"); it != attrs.end() && it->second.has_shape()) {
      p.shape = partial_shape_from_proto(it->second.shape());
    } else if (auto os = attrs.find("_output_shapes"); os != attrs.end() && os->second.list().shape_size() > 0) {
      p.shape = partial_shape_from_proto(os->second.list().shape(0));
    }
    out.push_back(std::move(p));
  }
  return out;
}

std::vector<std::string> likely_outputs(const tensorflow::GraphDef& graph) {
  std::unordered_set<std::string_view> consumed;
  for (const auto& node : graph.node()) {
    for (const auto& input : node.input()) {
      std::string_view producer = producer_of(input);
      if (!producer.empty()) consumed.insert(producer);
    }
  }
  // TF1 creates a "<var>/read" Identity for every variable, used or not.
  std::unordered_set<std::string_view> variables;
  for (const auto& node : graph.node()) {
    if (node.op() == "VariableV2" || node.op() == "Variable" || node.op() == "VarHandleOp") variables.insert(node.name());
  }
  auto reads_variable = [&](const tensorflow::NodeDef& node) {
    return node.op() == "Identity" && node.input_size() >= 1 && variables.count(producer_of(node.input(0)));
  };
  std::vector<std::string> out;
  for (const auto& node : graph.node()) {
    if (consumed.count(node.name()) || non_output_ops().count(node.op()) || in_machinery_scope(node.name()) ||
        reads_variable(node)) {
      continue;
    }
    out.push_back(node.name());
  }
  return out;
}

std::vector<std::pair<std::string, int>> op_histogram(const tensorflow::GraphDef& graph) {
  std::map<std::string, int> counts;
  for (const auto& node : graph.node()) ++counts[node.op()];
  std::vector<std::pair<std::string, int>> out(counts.begin(), counts.end());
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  return out;
}

std::set<std::string> ops_used_by_graph_def(const tensorflow::GraphDef& graph) {
  std::map<std::string_view, const tensorflow::FunctionDef*> functions;
  for (const auto& f : graph.library().function()) functions.emplace(f.signature().name(), &f);

  std::set<std::string> used;
  std::vector<const tensorflow::FunctionDef*> pending;
  auto mark_used = [&](const std::string& op) {
    if (used.count(op)) return;
    if (auto it = functions.find(op); it != functions.end()) pending.push_back(it->second);
    used.insert(op);
  };
  auto visit = [&](const tensorflow::NodeDef& node) {
    mark_used(node.op());
    if (node.op() == "PartitionedCall" || node.op() == "StatefulPartitionedCall") {
      auto it = node.attr().find("f");
      mark_used(it == node.attr().end() ? std::string() : it->second.func().name());
    }
  };
  for (const auto& node : graph.node()) visit(node);
  // Each function is queued at most once (when its name is first marked), so this ends.
  while (!pending.empty()) {
    const tensorflow::FunctionDef* f = pending.back();
    pending.pop_back();
    for (const auto& node : f->node_def()) visit(node);
  }
  for (const auto& [name, f] : functions) used.erase(std::string(name));
  return used;
}

}  // namespace tfport
