// Pass: a zero Pad of the spatial dims read only by VALID 2-D convolutions becomes the
// convolutions' EXPLICIT padding (Keras ZeroPadding2D before a strided conv, as in MobileNet),
// so the padded copy of the activation is never made.
#pragma once

#include <unordered_set>

#include "graph/graph.h"
#include "tfport/status.h"

namespace tfport::runtime::passes {

// Returns the number of Pad nodes folded.
StatusOr<int> fold_pad(graph::Graph& g, const std::unordered_set<int>& keep);

}  // namespace tfport::runtime::passes
