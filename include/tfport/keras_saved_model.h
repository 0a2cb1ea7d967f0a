// A tf.keras SavedModel as a KerasModel with its weights: the structure from keras_metadata.pb
// and the values from variables/, found through the checkpoint's object graph
// (root -> "layer-<i>" -> "<weight>" -> VARIABLE_VALUE), so the model can be written as a
// Keras .h5 or .keras file.
//
//   TFPORT_ASSIGN_OR_RETURN(tfport::KerasModel m, tfport::read_keras_saved_model("dnn_model"));
#pragma once

#include <string>

#include "tfport/keras.h"
#include "tfport/status.h"

namespace tfport {

// NOT_FOUND without keras_metadata.pb or variables; FAILED_PRECONDITION for subclassed models
// (no layer graph in the config); DATA_LOSS when the object graph lacks a layer's variables.
StatusOr<KerasModel> read_keras_saved_model(const std::string& dir);

}  // namespace tfport
