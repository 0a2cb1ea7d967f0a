// Pass: moves an activation that is the only reader of a fused convolution's output into the
// convolution (a oneDNN post-op), so the activation costs no extra pass over memory:
//   _FusedConv2D[BiasAdd](x, f, b) -> Relu     =>  _FusedConv2D[BiasAdd, Relu](x, f, b)
// Relu, Relu6 and LeakyRelu (alpha <= 1) are fused: oneDNN computes them exactly as TF does.
// Plain Conv2D / DepthwiseConv2dNative readers get a zero bias to take the same form. The
// activation's node becomes the convolution and keeps its name.
#pragma once

#include <unordered_set>

#include "graph/graph.h"
#include "tfport/status.h"

namespace tfport::runtime::passes {

// Returns the number of activations fused.
StatusOr<int> fuse_activation(graph::Graph& g, const std::unordered_set<int>& keep);

}  // namespace tfport::runtime::passes
