// Gives a SavedModel exported from a Keras model the variables a tf.keras SavedModel has: every
// Keras weight under its object path ("layer_with_weights-0/kernel/.ATTRIBUTES/VARIABLE_VALUE")
// with the object graph that leads there ("layer-<i>" and "layer_with_weights-<j>" children of
// the root), so read_keras_saved_model — and convert back to .h5/.keras — finds them. The frozen
// graph's constants that are those weights read the same variables instead of duplicating them.
#pragma once

#include "tfport/keras.h"
#include "tfport/saved_model_builder.h"

namespace tfport::cli {

// UNIMPLEMENTED for nested models that hold weights and for layers holding two weights of one
// name (Bidirectional): their object paths are not written yet; `spec` is unchanged then.
Status add_keras_variables(const KerasModel& model, SavedModelSpec* spec);

}  // namespace tfport::cli
