// `tfport convert --dir SRC --output DEST [--to h5|keras|savedmodel|weights] [--overwrite]`.
// Keras files convert between the Keras 2 HDF5 layout, Keras 3 .keras zips and weights-only
// HDF5 (the config and weights are carried over); Keras SavedModels (keras_metadata.pb) convert
// to those too, their weights found through the checkpoint's object graph. Any model tfport runs with a
// serving_default signature converts to a SavedModel: frozen, its weights moved back into
// variables, plus keras_metadata.pb when the source is a Keras file.
#include "cli/export_commands.h"
#include "cli/keras_variables.h"
#include "cli/progress.h"
#include "core/file.h"
#include "tfport/formats.h"
#include "tfport/freeze.h"
#include "tfport/keras.h"
#include "tfport/keras_saved_model.h"
#include "tfport/keras_writer.h"
#include "tfport/saved_model_builder.h"

namespace tfport::cli {
namespace {

StatusOr<std::string> target_format(const ConvertCommandOptions& o) {
  if (!o.to.empty()) {
    if (o.to == "h5" || o.to == "keras" || o.to == "savedmodel" || o.to == "weights") return o.to;
    return invalid_argument_error("--to must be h5, keras, savedmodel or weights, not '" + o.to + "'");
  }
  const std::string& d = o.output;
  if (d.ends_with(".weights.h5")) return std::string("weights");
  if (d.ends_with(".h5") || d.ends_with(".hdf5")) return std::string("h5");
  if (d.ends_with(".keras")) return std::string("keras");
  const std::string base = base_name(d);
  if (base.find('.') == std::string::npos || is_directory(d)) return std::string("savedmodel");
  return invalid_argument_error("cannot tell the target format from '" + d + "'; pass --to h5|keras|savedmodel|weights");
}

StatusOr<KerasModel> read_keras(const DetectedModel& m, const std::string& to) {
  if (m.format == ModelFormat::kKerasH5) return read_keras_h5(m.path);
  if (m.format == ModelFormat::kKerasV3) return read_keras_v3(m.path);
  if (m.format == ModelFormat::kSavedModel && path_exists(join_path(m.path, "keras_metadata.pb"))) {
    return read_keras_saved_model(m.path);
  }
  return unimplemented_error(m.path + ": a " + std::string(model_format_name(m.format)) +
                             " holds no Keras layers and weights to write as " + to +
                             " (convert Keras .h5/.keras files or Keras SavedModels, or use --to savedmodel)");
}

Status to_saved_model(const DetectedModel& m, const std::string& dest, bool overwrite, std::ostream& out) {
  TFPORT_ASSIGN_OR_RETURN(FrozenGraph frozen, freeze_model(m.path));
  TFPORT_ASSIGN_OR_RETURN(SavedModelSpec spec, saved_model_spec_from_frozen(frozen));
  if (m.format == ModelFormat::kKerasH5 || m.format == ModelFormat::kKerasV3) {
    TFPORT_ASSIGN_OR_RETURN(KerasModel keras, read_keras(m, "savedmodel"));
    TFPORT_ASSIGN_OR_RETURN(spec.extra_files["keras_metadata.pb"], keras_saved_model_metadata(keras));
    // Nested models with weights keep the plain variable layout (still a valid SavedModel).
    Status layout = add_keras_variables(keras, &spec);
    if (!layout.ok() && layout.code() != StatusCode::kUnimplemented) return layout;
  }
  SavedModelWriteOptions options;
  options.overwrite = overwrite;
  Progress progress("writing " + dest + " variables");
  options.progress = progress.callback();
  TFPORT_RETURN_IF_ERROR(write_saved_model(dest, spec, options));
  out << "Wrote SavedModel " << dest << ": " << spec.variables.size() << " variables, signature serving_default\n";
  return Status::OK();
}

}  // namespace

Status run_convert(const ConvertCommandOptions& options, std::ostream& out) {
  TFPORT_ASSIGN_OR_RETURN(std::string to, target_format(options));
  TFPORT_ASSIGN_OR_RETURN(DetectedModel source, detect_model(options.dir));
  if (path_exists(options.output) && !options.overwrite) {
    return already_exists_error(options.output + ": already exists (pass --overwrite to replace it)");
  }
  if (to == "savedmodel") return to_saved_model(source, options.output, options.overwrite, out);
  if (to != "savedmodel" && is_directory(options.output)) {
    return invalid_argument_error(options.output + ": is a directory; a Keras file is written there");
  }
  TFPORT_ASSIGN_OR_RETURN(KerasModel model, read_keras(source, to));
  Progress progress("writing " + options.output);
  KerasWriteOptions write_options;
  write_options.progress = progress.callback();
  if (to == "h5") {
    TFPORT_RETURN_IF_ERROR(write_keras_h5(model, options.output, write_options));
  } else if (to == "keras") {
    TFPORT_RETURN_IF_ERROR(write_keras_v3(model, options.output, write_options));
  } else {
    TFPORT_RETURN_IF_ERROR(write_keras_h5_weights(model, options.output, write_options));
  }
  out << "Wrote " << to << " file " << options.output << " (" << model.layers.size() << " layers)\n";
  return Status::OK();
}

}  // namespace tfport::cli
