// Freezing Keras recurrent layers: tfport runs each LSTM/GRU/SimpleRNN as one fused
// _TfportKerasRNN node, which TensorFlow does not know. For a frozen graph each such node is
// rewritten into what tf.keras builds: the sequence transposed to time-major and unstacked
// into a TensorList, a StatelessWhile whose body (a library function) computes one step with
// MatMul/BiasAdd/Split and the gate activations, masks applied with SelectV2, and the outputs
// stacked back. The weights enter the loop as Const inputs.
#pragma once

#include "graph/graph.h"
#include "tfport/status.h"

namespace tfport::runtime {

// Replaces every _TfportKerasRNN node of `g` (its name is kept, as an IdentityN of the loop's
// results, so consumers and signature tensor names stay valid) and adds the loops' cond and
// body functions to g.library(). UNIMPLEMENTED for settings with no standard-op form here.
Status expand_keras_rnn_nodes(graph::Graph& g);

}  // namespace tfport::runtime
