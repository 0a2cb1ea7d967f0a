// Keras models read from their files: HDF5 (.h5, full model or weights only, Keras 1/2/3),
// Keras 3 .keras zips, and the keras_metadata.pb of tf.keras SavedModels. One in-memory form
// for all of them, meant both for `tfport show` and for building executable graphs: layers
// in model order with class name, config JSON, inbound connections (one uniform form for the
// Keras 2 and Keras 3 config layouts) and weights in Keras order.
//
//   TFPORT_ASSIGN_OR_RETURN(tfport::KerasModel m, tfport::read_keras_h5("mnist_cnn.h5"));
//   for (const tfport::KerasLayer& l : m.layers) std::cout << l.name << " " << l.class_name << "\n";
//   tfport::print_keras_summary(m, std::cout);   // like Keras' model.summary()
#pragma once

#include <cstdint>
#include <memory>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "tfport/status.h"
#include "tfport/tensor.h"

namespace tfport {

// Output `tensor_index` of call `node_index` of layer `layer` (node indices count only the
// calls inside the model that holds the reference, as in Keras configs).
struct KerasTensorRef {
  std::string layer;
  int node_index = 0;
  int tensor_index = 0;
  bool operator==(const KerasTensorRef&) const = default;
};

// One call of a layer inside its model.
struct KerasNode {
  std::vector<KerasTensorRef> inputs;  // tensors of the first call argument, flattened in order
  std::vector<std::pair<std::string, KerasTensorRef>> kwarg_inputs;  // tensors passed by keyword
  std::string kwargs_json;  // the other call arguments as JSON ("{}" when none)
  // Keras 2 files: the node entry as written. TF-op layers (TFOpLambda) read the structure of
  // their first argument from it, with constants in place of tensors ("_CONSTANT_VALUE").
  std::string call_json;
};

struct KerasWeight {
  std::string name;  // as stored: "dense/kernel:0" (h5), "layers/dense/vars/0" (.keras)
  Tensor value;      // invalid (empty) when the source holds no values (keras_metadata.pb)
  std::vector<int64_t> shape;  // the weight's shape, also known without values
  bool trainable = true;
};

struct KerasModel;

struct KerasParsedConfig;  // internal (formats/keras/keras_config.h)

struct KerasLayer {
  std::string name;
  std::string class_name;   // "Dense", "Conv2D", "Functional", ...
  std::string module;       // Keras 3: "keras.layers", or "keras.src.ops.numpy" for ops (x + y)
  std::string config_json;  // the layer's "config" object (compact JSON, keys in the file's order)
  // The reader's parsed form of config_json, handed to lowering so that it need not parse the
  // text again; lowering uses it only while it still matches config_json.
  std::shared_ptr<const KerasParsedConfig> parsed_config;
  std::vector<KerasNode> inbound_nodes;  // empty in Sequential models and for InputLayers
  // Keras weight order: per layer, trainable first then non-trainable (HDF5 weight_names
  // order = .keras vars order). A nested model keeps all its weights here, flattened in its
  // legacy order, and its structure in `nested`.
  std::vector<KerasWeight> weights;
  std::shared_ptr<const KerasModel> nested;  // set when this layer is itself a model
  bool trainable = true;
};

struct KerasModel {
  std::string source;         // the path that was read
  std::string format;         // "keras-h5", "keras-h5-weights", "keras-v3", "keras-savedmodel"
  std::string keras_version;  // "2.14.0", "3.10.0"; "1" for Keras 1 files without a version
  std::string backend;        // "tensorflow", "theano", ... (empty when unknown)
  std::string class_name;     // "Sequential", "Functional", "Model"; empty for weights only
  std::string name;
  std::string config_json;    // the whole {"class_name": ..., "config": ...}; empty for weights only
  // Sequential models list every layer including the InputLayer the config carries (Keras'
  // model.layers hides it; the summary does too).
  std::vector<KerasLayer> layers;
  std::vector<KerasTensorRef> inputs;   // functional models
  std::vector<KerasTensorRef> outputs;
  bool weights_loaded = false;  // false when weights were not available (keras_metadata.pb)
  bool trainable = true;

  bool is_sequential() const { return class_name == "Sequential"; }
  const KerasLayer* find_layer(const std::string& name) const;
};

// A full-model or weights-only Keras HDF5 file.
StatusOr<KerasModel> read_keras_h5(const std::string& path);
// A Keras 3 `.keras` zip (config.json, metadata.json, model.weights.h5).
StatusOr<KerasModel> read_keras_v3(const std::string& path);
// The keras_metadata.pb of a tf.keras SavedModel directory: structure and configs; weights
// are not loaded (their shapes are inferred from the configs where the layer is known).
StatusOr<KerasModel> read_keras_saved_model_metadata(const std::string& dir);

// One row of model.summary().
struct KerasLayerSummary {
  std::string name;
  std::string class_name;
  std::string output_shape;  // Python form: "(None, 26, 26, 32)", "[(None, 4)]", "?" when unknown
  int64_t params = 0;
  std::vector<std::string> connected_to;  // "conv2d[0][0]"
};

struct KerasSummary {
  std::string model_name;
  bool show_connections = false;  // functional models that are not a simple chain
  std::vector<KerasLayerSummary> layers;
  int64_t trainable_params = 0;
  int64_t non_trainable_params = 0;
  int64_t trainable_bytes = 0;
  int64_t non_trainable_bytes = 0;
  bool params_from_configs = false;  // counts inferred from layer configs, not stored weights
};

KerasSummary summarize_keras_model(const KerasModel& model);
// Prints the summary in the layout of tf.keras 2.13+ model.summary().
void print_keras_summary(const KerasModel& model, std::ostream& out);
// {"model": ..., "class_name": ..., "keras_version": ..., "backend": ..., "layers": [{name,
// class_name, output_shape, params, inbound}], "total_params": ..., ...}
std::string keras_summary_json(const KerasModel& model);

}  // namespace tfport
