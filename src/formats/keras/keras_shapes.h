// Static shape inference for Keras layers from their configs, as Keras' compute_output_shape
// does: output shapes for the summary, and the shapes of the weights a layer creates (for
// parameter counts when a file holds no weight values, and for checking stored weights).
// Unknown layers yield nullopt ("?" in the summary), never an error.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "formats/keras/keras_config.h"

namespace tfport::keras {

using KShape = std::vector<int64_t>;  // -1 = None (unknown)

// Shapes of a layer's outputs given its input shapes (positional inputs first, then tensors
// passed by keyword, as KerasNode lists them).
std::optional<std::vector<KShape>> infer_output_shapes(const std::string& class_name, const json& config,
                                                       const std::vector<KShape>& inputs);

struct WeightSpec {
  KShape shape;
  bool trainable = true;
};
// The weights a layer creates, in Keras order.
std::optional<std::vector<WeightSpec>> infer_weight_shapes(const std::string& class_name, const json& config,
                                                           const std::vector<KShape>& inputs);

// Python's repr of a shape tuple: "(None, 26, 26, 32)", "(None,)", "()".
std::string python_shape(const KShape& shape);

}  // namespace tfport::keras
