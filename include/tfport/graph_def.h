// Reading GraphDefs (frozen .pb / .pbtxt) and TF1 .meta files, and looking at their nodes.
//
//   TFPORT_ASSIGN_OR_RETURN(tensorflow::GraphDef g, tfport::read_graph_def("frozen_graph.pb"));
//   for (const auto& in : tfport::graph_placeholders(g)) std::cout << in.name << "\n";
//   for (const auto& out : tfport::likely_outputs(g)) std::cout << out << "\n";
#pragma once

#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tfport/dtype.h"
#include "tfport/shape.h"
#include "tfport/status.h"
#include "tfport/tf/graph.pb.h"
#include "tfport/tf/meta_graph.pb.h"

namespace tfport {

// Reads a serialized GraphDef: binary, or text format when the file is named *.pbtxt (or
// *.pbtxt-like text sits in a .pb: TF's reader also falls back to text). Errors are DATA_LOSS
// "Cannot parse file <path>: <reason>." and name the file.
StatusOr<tensorflow::GraphDef> read_graph_def(const std::string& path);
// The same on bytes in memory; `text` forces text format, otherwise it is sniffed.
StatusOr<tensorflow::GraphDef> parse_graph_def(std::string_view bytes, const std::string& path, bool text);

// Reads a TF1 checkpoint's <prefix>.meta file (a MetaGraphDef, binary or text).
StatusOr<tensorflow::MetaGraphDef> read_meta_graph_file(const std::string& path);

// A graph input: a Placeholder (must be fed) or PlaceholderWithDefault (may be fed).
struct GraphPlaceholder {
  std::string name;
  std::string op;
  int32_t dtype = 0;  // TF DataType value (DT_FLOAT = 1); 0 when the node has no dtype attr
  PartialShape shape = PartialShape::unknown();  // from attr `shape`, else `_output_shapes`
  bool has_default() const { return op == "PlaceholderWithDefault"; }
};
// The graph's placeholders in node order.
std::vector<GraphPlaceholder> graph_placeholders(const tensorflow::GraphDef& graph);

// Names of nodes that no other node takes as an input (data or control), leaving out what
// cannot be a model output: NoOp, Const, placeholders, variables, assignments, the save/restore
// subgraph (SaveV2, RestoreV2, ... and every node under a `save/` or `save_<n>/` scope) and
// gradients (`gradients/`, `gradients_<n>/`).
// In node order. For a frozen inference graph this is usually exactly the outputs.
std::vector<std::string> likely_outputs(const tensorflow::GraphDef& graph);

// (op, count) for every op type of the top-level graph, by count descending then name.
std::vector<std::pair<std::string, int>> op_histogram(const tensorflow::GraphDef& graph);

// saved_model_cli's ops_used_by_graph_def (../shared/spec/saved_model_cli.md §3.5): the op of
// every node, plus the function named by attr `f` of (Stateful)PartitionedCall nodes, plus the
// ops of every library function reached that way or by a node whose op names it; library
// function names themselves are removed. Sorted. Like TF, a call node without attr `f`
// contributes the empty name "".
std::set<std::string> ops_used_by_graph_def(const tensorflow::GraphDef& graph);

// TensorShapeProto -> PartialShape (unknown_rank -> PartialShape::unknown(), -1 dims kept).
PartialShape partial_shape_from_proto(const tensorflow::TensorShapeProto& shape);

}  // namespace tfport
