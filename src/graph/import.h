// GraphDef -> Graph. Node inputs "node", "node:k" and "^node" are resolved to endpoints;
// the function library is kept for the inlining pass.
#pragma once

#include "graph/graph.h"
#include "tfport/tf/graph.pb.h"

namespace tfport::graph {

// Fails (naming the node) on duplicate names and inputs that refer to missing nodes.
StatusOr<Graph> import_graph_def(const tensorflow::GraphDef& graph_def);

}  // namespace tfport::graph
