// Keras models lowered to tfport's graph IR of TensorFlow ops, so the planner and kernels that
// run GraphDefs run Keras models too. The graph is what Keras' serving signature would expose:
// one Placeholder per model input named after its input layer, one Identity per model output
// named after its output layer, weights as Const nodes.
//
//   TFPORT_ASSIGN_OR_RETURN(KerasModel m, read_keras_h5("mnist_cnn.h5"));
//   TFPORT_ASSIGN_OR_RETURN(graph::LoweredKerasModel lowered, graph::lower_keras_model(m));
//   // lowered.inputs[0].tensor_name == "conv2d_input:0"
#pragma once

#include <vector>

#include "graph/graph.h"
#include "tfport/keras.h"
#include "tfport/model.h"
#include "tfport/status.h"

namespace tfport::graph {

struct LoweredKerasModel {
  Graph graph;
  std::vector<TensorSpec> inputs;   // key = input layer name, in model order
  std::vector<TensorSpec> outputs;  // key = output layer name, in model order
};

// Fails with UNIMPLEMENTED listing every layer class tfport cannot lower (with the layers that
// use it), and with INVALID_ARGUMENT naming the layer and config field for bad configs.
StatusOr<LoweredKerasModel> lower_keras_model(const KerasModel& model);

}  // namespace tfport::graph
