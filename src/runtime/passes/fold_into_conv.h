// Pass: folds per-channel affine ops that follow a 2-D convolution into its weights and bias,
// turning it into _FusedConv2D / _FusedDepthwiseConv2dNative with fused_ops [BiasAdd]:
//   BiasAdd(conv, b) / Add(conv, b)         bias += b
//   Sub(conv, b)                            bias -= b
//   Mul(conv, s)                            filter *= s (per output channel), bias *= s
//   FusedBatchNorm{,V2,V3}(conv, ...)       inference BN, as the Mul and Add it amounts to
// Keras BatchNormalization lowers to such a Mul and Add, so Conv + BN + bias become one
// oneDNN convolution. The filter Const itself is left alone: the per-channel factors go in the
// attribute _tfport_filter_scale, which the conv kernel applies when it reorders the filter for
// oneDNN (once, at the first run), so loading makes no scaled copy of the weights. The absorbed op's node is rewritten into the fused convolution and keeps
// its name, so fetches of the chain's last tensor still resolve; a chain stops at a node
// whose output has other readers or that the caller names (`keep`).
#pragma once

#include <unordered_set>

#include "graph/graph.h"
#include "tfport/status.h"

namespace tfport::runtime::passes {

// Returns the number of ops absorbed.
StatusOr<int> fold_into_conv(graph::Graph& g, const std::unordered_set<int>& keep);

}  // namespace tfport::runtime::passes
