// Pass: keeps only the nodes that the wanted outputs and target nodes depend on (through data
// and control edges), then compacts the graph. Ids of kept nodes change; callers re-resolve
// names afterwards.
#pragma once

#include <vector>

#include "graph/graph.h"

namespace tfport::graph {

void prune_to(Graph& graph, const std::vector<int>& keep_roots);

}  // namespace tfport::graph
