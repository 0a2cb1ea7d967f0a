// Pass: bypasses pass-through nodes (Identity, Snapshot, StopGradient, PreventGradient) so
// their consumers read the original tensor and the plan has fewer steps. Nodes named in
// `keep` (feeds, fetches, targets) stay, so every name a caller uses still resolves; so do
// pass-throughs with control inputs (their ordering matters) and those reading a TF1 ref
// variable (the read is a snapshot taken at that point).
#pragma once

#include <unordered_set>

#include "graph/graph.h"

namespace tfport::graph {

// Returns the number of nodes removed. Removed nodes are tombstoned; call compact() after.
int remove_identities(Graph& graph, const std::unordered_set<int>& keep);

}  // namespace tfport::graph
