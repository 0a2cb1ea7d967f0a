// Keras files (.h5 full models, .keras zips) as runnable Models: read, lowered to TF ops
// (graph/keras), planned like any graph, with the serving_default signature Keras exports.
#pragma once

#include <memory>

#include "tfport/formats.h"
#include "tfport/model.h"
#include "tfport/status.h"

namespace tfport::runtime {

// One signature, "serving_default" (method tensorflow/serving/predict): input keys are the
// model's input layer names, output keys its output layer names. A weights-only h5 fails with
// FAILED_PRECONDITION; unsupported layers or ops fail with UNIMPLEMENTED listing them.
StatusOr<std::shared_ptr<Model>> load_keras_model(const DetectedModel& detected, const LoadOptions& options);

}  // namespace tfport::runtime
