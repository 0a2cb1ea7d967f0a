// write_keras_h5 / write_keras_h5_weights: the layout tf.keras 2's legacy HDF5 saving writes
// (keras_files.md §2): root attributes, then one group per layer holding its weights under
// their names, with layer_names / weight_names attributes giving the order Keras loads by.
#include "core/staged_file.h"
#include "formats/hdf5/hdf5_writer.h"
#include "formats/keras/keras_weight_layout.h"
#include "tfport/keras_writer.h"

namespace tfport {
namespace {

Status check_writable(const KerasModel& model, const std::string& path, bool need_config) {
  if (need_config && model.config_json.empty()) {
    return failed_precondition_error(path + ": the source (" + model.source +
                                     ") holds weights only; a full model file needs the model config");
  }
  if (!model.weights_loaded) {
    return failed_precondition_error(path + ": the source (" + model.source + ") carries no weight values");
  }
  return Status::OK();
}

// The weights group: `group` is "/model_weights" for full models and "/" for weights only.
Status write_weight_groups(hdf5::Writer& w, const KerasModel& model, const std::string& group,
                           const std::string& version, keras::WeightProgress& progress) {
  TFPORT_RETURN_IF_ERROR(w.make_group(group));
  std::vector<std::string> layer_names;
  const auto layers = keras::saved_layers(model);
  for (const KerasLayer* l : layers) layer_names.push_back(l->name);
  TFPORT_RETURN_IF_ERROR(w.set_strings(group, "layer_names", layer_names));
  TFPORT_RETURN_IF_ERROR(w.set_string(group, "backend", "tensorflow"));
  TFPORT_RETURN_IF_ERROR(w.set_string(group, "keras_version", version));
  const std::string base = group == "/" ? "" : group;
  for (const KerasLayer* l : layers) {
    const std::string layer_group = base + "/" + l->name;
    const std::vector<std::string> names = keras::h5_weight_names(*l);
    TFPORT_RETURN_IF_ERROR(w.make_group(layer_group));
    TFPORT_RETURN_IF_ERROR(w.set_strings(layer_group, "weight_names", names));
    for (size_t i = 0; i < names.size(); ++i) {
      Status s = w.write_dataset(layer_group + "/" + names[i], l->weights[i].value);
      if (!s.ok()) return s.with_context("layer '" + l->name + "' weight '" + names[i] + "'");
      progress.wrote(l->weights[i].value);
    }
  }
  return Status::OK();
}

std::string version_of(const KerasModel& model) {
  return model.keras_version.empty() || model.keras_version == "1" ? "2.13.1" : model.keras_version;
}

Status commit(const std::string& path, StatusOr<std::string> bytes) {
  if (!bytes.ok()) return bytes.status();
  return write_file_staged(path, *bytes);
}

}  // namespace

Status write_keras_h5(const KerasModel& model, const std::string& path, const KerasWriteOptions& options) {
  TFPORT_RETURN_IF_ERROR(check_writable(model, path, true));
  keras::WeightProgress progress(model, options.progress);
  auto run = [&]() -> StatusOr<std::string> {
    TFPORT_ASSIGN_OR_RETURN(hdf5::Writer w, hdf5::Writer::create(path));
    const std::string version = version_of(model);
    TFPORT_RETURN_IF_ERROR(w.set_string("/", "backend", model.backend.empty() ? "tensorflow" : model.backend, true));
    TFPORT_RETURN_IF_ERROR(w.set_string("/", "keras_version", version, true));
    TFPORT_RETURN_IF_ERROR(w.set_string("/", "model_config", model.config_json));
    TFPORT_RETURN_IF_ERROR(write_weight_groups(w, model, "/model_weights", version, progress));
    return w.finish();
  };
  Status s = commit(path, run());
  if (s.ok()) progress.finished();
  return s.ok() ? s : s.with_context("writing Keras HDF5 " + path);
}

Status write_keras_h5_weights(const KerasModel& model, const std::string& path, const KerasWriteOptions& options) {
  TFPORT_RETURN_IF_ERROR(check_writable(model, path, false));
  keras::WeightProgress progress(model, options.progress);
  auto run = [&]() -> StatusOr<std::string> {
    TFPORT_ASSIGN_OR_RETURN(hdf5::Writer w, hdf5::Writer::create(path));
    TFPORT_RETURN_IF_ERROR(write_weight_groups(w, model, "/", version_of(model), progress));
    return w.finish();
  };
  Status s = commit(path, run());
  if (s.ok()) progress.finished();
  return s.ok() ? s : s.with_context("writing Keras weights " + path);
}

}  // namespace tfport
