#include "formats/keras_h5/keras_h5_weights.h"

#include "formats/keras/keras_weights.h"

namespace tfport::keras {

StatusOr<std::vector<H5LayerWeights>> read_h5_weight_groups(const hdf5::Group& group) {
  StatusOr<std::vector<std::string>> names = group.chunked_string_list_attribute("layer_names");
  if (!names.ok()) {
    return data_loss_error(group.file_name() + ": group '" + group.path() +
                           "' has no 'layer_names' attribute; not a Keras weights group");
  }
  std::vector<H5LayerWeights> layers;
  layers.reserve(names->size());
  for (std::string& layer_name : *names) {
    H5LayerWeights lw;
    // Opened directly: a separate kind() check walked the path a second time per layer.
    StatusOr<hdf5::Group> opened = group.group(layer_name);
    if (!opened.ok()) {
      return data_loss_error(group.file_name() + ": layer '" + layer_name + "' listed in layer_names of '" +
                             group.path() + "' has no group");
    }
    hdf5::Group lg = std::move(*opened);
    StatusOr<std::vector<std::string>> weight_names = lg.chunked_string_list_attribute("weight_names");
    if (!weight_names.ok()) {
      // Keras writes weight_names for every layer, weightless ones included; tolerate its absence.
      if (weight_names.status().code() != StatusCode::kNotFound) return weight_names.status();
      weight_names = std::vector<std::string>{};
    }
    lw.weights.reserve(weight_names->size());
    for (std::string& wname : *weight_names) {
      StatusOr<Tensor> t = lg.read_dataset(wname);
      if (!t.ok()) return t.status().with_context("layer '" + layer_name + "'");
      KerasWeight& w = lw.weights.emplace_back();
      w.name = std::move(wname);
      w.value = std::move(*t);
      w.shape = w.value.shape().dims();
    }
    lw.layer = std::move(layer_name);
    layers.push_back(std::move(lw));
  }
  return layers;
}

StatusOr<KerasModel> read_h5_weights_only(const hdf5::Group& group, const std::string& source) {
  KerasModel model;
  model.source = source;
  model.format = "keras-h5-weights";
  if (group.has_attribute("keras_version")) {
    TFPORT_ASSIGN_OR_RETURN(model.keras_version, group.string_attribute("keras_version"));
  } else {
    model.keras_version = std::string("1");  // Keras 1 files carry no version
  }
  if (group.has_attribute("backend")) {
    TFPORT_ASSIGN_OR_RETURN(model.backend, group.string_attribute("backend"));
  }
  TFPORT_ASSIGN_OR_RETURN(std::vector<H5LayerWeights> groups, read_h5_weight_groups(group));
  for (H5LayerWeights& g : groups) {
    KerasLayer layer;
    layer.name = g.layer;
    layer.config_json = "{}";
    layer.weights = std::move(g.weights);
    mark_trainable_weights(&layer);
    model.layers.push_back(std::move(layer));
  }
  model.weights_loaded = true;
  return model;
}

}  // namespace tfport::keras
