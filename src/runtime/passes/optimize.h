// The plan-time pipeline: the part of the graph a plan needs is copied out (dead nodes never
// copied: pruning), then simplified once so the plan runs fewer, cheaper steps:
//   remove_identities -> fold_constants -> fold_pad -> fold_into_conv -> fuse_activation
// Nodes the caller names (feeds, fetches, targets) are kept under their names. Const values
// held as tensors are shared with the source graph, not copied.
#pragma once

#include <string>
#include <vector>

#include "graph/graph.h"
#include "tfport/status.h"

namespace tfport::runtime::passes {

struct OptimizeStats {
  int identities_removed = 0;
  int constants_folded = 0;
  int pads_folded = 0;
  int ops_folded_into_conv = 0;
  int activations_fused = 0;
};

// Fails only on internal errors; names that do not resolve are left for the planner to report
// (the graph is then returned unoptimized).
StatusOr<graph::Graph> optimize_for_plan(const graph::Graph& g, const std::vector<std::string>& feeds,
                                         const std::vector<std::string>& fetches,
                                         const std::vector<std::string>& targets, OptimizeStats* stats = nullptr);

}  // namespace tfport::runtime::passes
