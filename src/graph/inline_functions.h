// Pass: replaces every function call (PartitionedCall, StatefulPartitionedCall, or a node whose
// op names a library function) by the function's body, so the planner sees one flat graph.
// The call node itself becomes an IdentityN of the function's results that also waits for the
// function's control outputs, so "call:k" and "^call" references keep working.
#pragma once

#include "graph/graph.h"
#include "graph/op_catalog.h"

namespace tfport::graph {

struct InlineOptions {
  int max_inlined_calls = 100000;  // guards against recursive functions
};

Status inline_functions(Graph& graph, const OpCatalog& catalog, const InlineOptions& options = {});

}  // namespace tfport::graph
