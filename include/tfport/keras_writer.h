// Writing Keras model files from a KerasModel (as read by read_keras_h5 / read_keras_v3):
// the Keras 2 HDF5 layout (model_config, keras_version, backend, model_weights/<layer>/
// <weight>:0 with layer_names/weight_names attributes), weights-only HDF5 (save_weights), and
// Keras 3 .keras zips (config.json, metadata.json, model.weights.h5 with layers/<name>/vars/<i>).
// Every file is written to a temporary name and renamed into place.
//
//   TFPORT_ASSIGN_OR_RETURN(tfport::KerasModel m, tfport::read_keras_v3("model.keras"));
//   TFPORT_RETURN_IF_ERROR(tfport::write_keras_h5(m, "model.h5"));
#pragma once

#include <string>

#include "tfport/keras.h"
#include "tfport/progress.h"
#include "tfport/status.h"

namespace tfport {

struct KerasWriteOptions {
  // Reports weight bytes written: (bytes so far, bytes of all weights).
  ProgressCallback progress;
};

// FAILED_PRECONDITION when the model has no config (weights-only source) or no weight values
// (keras_metadata.pb); UNIMPLEMENTED for nested models whose weight layout cannot be mapped
// between the two formats.
Status write_keras_h5(const KerasModel& model, const std::string& path, const KerasWriteOptions& options = {});
Status write_keras_h5_weights(const KerasModel& model, const std::string& path,
                              const KerasWriteOptions& options = {});
Status write_keras_v3(const KerasModel& model, const std::string& path, const KerasWriteOptions& options = {});

// The keras_metadata.pb a tf.keras SavedModel carries (its root node: class, config, Keras
// version), so that tools reading Keras SavedModels see the model's structure.
StatusOr<std::string> keras_saved_model_metadata(const KerasModel& model);

}  // namespace tfport
