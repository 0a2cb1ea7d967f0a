// The Keras HDF5 weights layout (spec keras_files.md §2): a group with attribute
// `layer_names` (possibly chunked) and one subgroup per layer whose `weight_names` attribute
// gives the weight order. It is the `model_weights` group of a full-model file and the root
// of a weights-only file (save_weights).
#pragma once

#include <string>
#include <vector>

#include "formats/hdf5/hdf5_file.h"
#include "tfport/keras.h"

namespace tfport::keras {

struct H5LayerWeights {
  std::string layer;                 // the name in layer_names
  std::vector<KerasWeight> weights;  // weight_names order, values read
};

// Reads every layer's weights in `layer_names` order.
StatusOr<std::vector<H5LayerWeights>> read_h5_weight_groups(const hdf5::Group& group);

// A weights-only file (or group): a KerasModel with one layer per stored layer group (class
// name unknown, left empty), format "keras-h5-weights".
StatusOr<KerasModel> read_h5_weights_only(const hdf5::Group& group, const std::string& source);

}  // namespace tfport::keras
