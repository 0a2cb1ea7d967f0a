// The Keras 3 weights layout (model.weights.h5, spec keras_files.md §3.2-3.3): variables at
// `<object path>/vars/<i>`, object paths built from snake_case class names uniquified per
// container (`layers/dense`, `layers/dense_1`), sub-objects such as `cell`,
// `forward_layer`/`backward_layer`, `layer`. tf.keras 2.15 files saved on Windows join the
// path with backslashes (`layers\conv1d/vars/0`); both spellings are accepted.
#pragma once

#include <string>

#include "formats/hdf5/hdf5_file.h"
#include "tfport/keras.h"

namespace tfport::keras {

// Keras' naming.to_snake_case of a class name: "MaxPooling2D" -> "max_pooling2d".
std::string keras_snake_case(const std::string& class_name);

// Reads the weights of every layer of `model` (nested models included) from `root`.
Status attach_v3_weights(const hdf5::Group& root, KerasModel* model);

}  // namespace tfport::keras
