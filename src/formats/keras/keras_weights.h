// Weight bookkeeping shared by the Keras readers: which weights are trainable, and attaching
// the weights a file stores to the layers its config names.
#pragma once

#include <string>
#include <vector>

#include "tfport/keras.h"

namespace tfport::keras {

// Sets KerasWeight::trainable: false for every weight of a non-trainable layer, for
// BatchNormalization moving statistics, and for the statistics of preprocessing layers
// (Normalization mean/variance/count).
void mark_trainable_weights(KerasLayer* layer);

// Gives layer `layer_name` of `model` its weights; DATA_LOSS naming `context` when the config
// has no such layer but the file stores weights for it.
// `hint`, when given, is where the search starts and is left after the layer found: files
// store layers in model order, so a reader passing the same hint finds each at once.
Status attach_weights(KerasModel* model, const std::string& layer_name, std::vector<KerasWeight> weights,
                      const std::string& context, size_t* hint = nullptr);

}  // namespace tfport::keras
