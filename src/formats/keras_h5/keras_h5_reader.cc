// read_keras_h5: full-model files (model_config + model_weights) and weights-only files.
#include "core/load_trace.h"
#include "formats/hdf5/hdf5_file.h"
#include "formats/keras/keras_config.h"
#include "formats/keras/keras_weights.h"
#include "formats/keras_h5/keras_h5_reader.h"
#include "formats/keras_h5/keras_h5_weights.h"
#include "tfport/keras.h"

namespace tfport {
namespace {

// Root string attributes are str (vlen) in h5py 3 files but bytes in older ones; both read.
StatusOr<std::string> optional_string(const hdf5::Group& g, const std::string& name) {
  if (!g.has_attribute(name)) return std::string();
  return g.string_attribute(name);
}

}  // namespace

StatusOr<KerasModel> read_keras_h5(const std::string& path) {
  LoadTrace trace("keras h5");
  TFPORT_ASSIGN_OR_RETURN(hdf5::File file, hdf5::File::open(path));
  trace.mark("hdf5 open (total)");
  StatusOr<KerasModel> model = keras::read_keras_h5_file(file, path);
  trace.mark("keras config + weights");
  return model;
}

StatusOr<KerasModel> keras::read_keras_h5_file(const hdf5::File& file, const std::string& path) {
  hdf5::Group root = file.root();
  if (!root.has_attribute("model_config")) {
    if (root.has_attribute("layer_names") || root.has_attribute("layer_names0")) {
      return keras::read_h5_weights_only(root, path);
    }
    if (root.kind("layers") == hdf5::ObjectKind::kGroup || root.kind("vars") == hdf5::ObjectKind::kGroup) {
      return unimplemented_error(path + ": a Keras 3 weights file (.weights.h5, layout layers/<name>/vars); "
                                 "it holds no model config — open the .keras file it belongs to");
    }
    return data_loss_error(path + ": HDF5 file without 'model_config' or 'layer_names' attributes; "
                           "not a Keras model or weights file");
  }
  KerasModel model;
  model.source = path;
  model.format = "keras-h5";
  TFPORT_ASSIGN_OR_RETURN(std::string config, root.string_attribute("model_config"));
  TFPORT_RETURN_IF_ERROR(keras::parse_model_config(config, path + ": attribute 'model_config'", &model));
  TFPORT_ASSIGN_OR_RETURN(model.keras_version, optional_string(root, "keras_version"));
  if (model.keras_version.empty()) model.keras_version = std::string("1");  // Keras 1 files carry no version
  TFPORT_ASSIGN_OR_RETURN(model.backend, optional_string(root, "backend"));

  hdf5::Group weights_group = root;
  if (root.kind("model_weights") == hdf5::ObjectKind::kGroup) {
    TFPORT_ASSIGN_OR_RETURN(weights_group, root.group("model_weights"));
  } else if (!root.has_attribute("layer_names") && !root.has_attribute("layer_names0")) {
    // A model saved with include_optimizer and no weights cannot exist; say what is missing.
    std::string message = path;
    message += ": group '/model_weights' not found";
    return data_loss_error(message);
  }
  TFPORT_ASSIGN_OR_RETURN(std::vector<keras::H5LayerWeights> groups, keras::read_h5_weight_groups(weights_group));
  const std::string context = path + ": group '" + weights_group.path() + "'";
  size_t next_layer = 0;
  for (keras::H5LayerWeights& g : groups) {
    TFPORT_RETURN_IF_ERROR(keras::attach_weights(&model, g.layer, std::move(g.weights), context, &next_layer));
  }
  model.weights_loaded = true;
  return model;
}

}  // namespace tfport
