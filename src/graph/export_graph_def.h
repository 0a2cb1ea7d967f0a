// Graph -> GraphDef: the inverse of import_graph_def, for writing graphs (frozen .pb files,
// SavedModel meta graphs). Inputs are spelled as TensorFlow spells them ("node", "node:1",
// "^node"), data inputs before control inputs; removed nodes are skipped.
#pragma once

#include "graph/graph.h"
#include "tfport/tf/graph.pb.h"

namespace tfport::graph {

// `include_library` copies the graph's function library (empty after inlining).
tensorflow::GraphDef export_graph_def(const Graph& graph, bool include_library = true);

}  // namespace tfport::graph
