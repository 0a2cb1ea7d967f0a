// Pass: constant folding. A pure op whose data inputs are all Consts is evaluated once, with
// its own kernel, and becomes a Const; so are Shape / Size / Rank of tensors whose static shape
// is fully known (shape-arithmetic folding: the Shape -> StridedSlice -> Pack -> Reshape chains
// lowering and TF emit collapse to a constant target shape). Static shapes come from
// Placeholder `shape` attributes, Const values and the ops' registered shape functions.
// Only an allowlist of side-effect-free ops is folded (never random or stateful ones), nodes
// with control inputs are left alone, and results above a size cap stay computed at run time.
#pragma once

#include <unordered_set>

#include "graph/graph.h"
#include "tfport/status.h"

namespace tfport::runtime::passes {

// `fed`: nodes whose outputs the caller supplies (never treated as constant). Returns the
// number of nodes folded.
StatusOr<int> fold_constants(graph::Graph& g, const std::unordered_set<int>& keep, const std::unordered_set<int>& fed);

}  // namespace tfport::runtime::passes
