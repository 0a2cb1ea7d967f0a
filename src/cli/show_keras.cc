// `tfport show` for Keras models: .h5 files, .keras zips, and (with --summary) tf.keras
// SavedModels through their keras_metadata.pb. Prints model.summary(); --json gives the same
// data as one JSON document. For SavedModels the weight values are not read: parameter counts
// come from each layer's config and the build_input_shape recorded in keras_metadata.pb.
#include "cli/show.h"
#include "tfport/keras.h"

namespace tfport::cli {

Status show_keras(const DetectedModel& model, const ShowOptions& options, std::ostream& out) {
  StatusOr<KerasModel> keras = [&]() -> StatusOr<KerasModel> {
    switch (model.format) {
      case ModelFormat::kKerasH5: return read_keras_h5(model.path);
      case ModelFormat::kKerasV3: return read_keras_v3(model.path);
      case ModelFormat::kSavedModel: return read_keras_saved_model_metadata(model.path);
      default:
        return invalid_argument_error(model.path + ": a " + std::string(model_format_name(model.format)) +
                                      " is not a Keras model");
    }
  }();
  if (!keras.ok()) return keras.status();
  if (options.json) {
    out << keras_summary_json(*keras) << "\n";
  } else {
    print_keras_summary(*keras, out);
  }
  return Status::OK();
}

}  // namespace tfport::cli
