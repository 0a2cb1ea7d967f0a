// Checks shared by the freeze tests: tensors close within tolerances, and a frozen GraphDef
// that TensorFlow itself would load (standard ops, no variables, inputs naming real nodes and
// outputs, well-formed library functions typed like the loops that call them).
#pragma once

#include <string>

#include "tfport/tensor.h"
#include "tfport/tf/graph.pb.h"

namespace tfport::freeze_testing {

void expect_allclose(const Tensor& got, const Tensor& want, double rtol, double atol, const std::string& what);

// Returns how many While/StatelessWhile nodes the main graph has.
int expect_loadable_frozen_graph(const tensorflow::GraphDef& g);

}  // namespace tfport::freeze_testing
