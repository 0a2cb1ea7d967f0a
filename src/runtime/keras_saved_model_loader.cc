// tf.keras SavedModels whose graph loops over recurrent layers (While + TensorList) also carry
// the Keras model (keras_metadata.pb) and its weights (the checkpoint's layer_with_weights-K
// objects). Lowered from there, each LSTM/GRU/SimpleRNN becomes one fused kernel instead of a
// While loop interpreting a dozen ops per time step. Used only when every layer is one tfport
// lowers, every weight is found by name, and the lowered signature has exactly the SavedModel's
// serving_default inputs and outputs; otherwise the graph is run as it is.
#include "runtime/keras_saved_model_loader.h"

#include <algorithm>
#include <map>

#include "core/file.h"
#include "graph/keras/lower_keras.h"
#include "runtime/graph_model.h"
#include "core/load_trace.h"
#include "tfport/checkpoint.h"
#include "tfport/keras.h"

namespace tfport::runtime {
namespace {

// The checkpoint names of a layer's weights, in Keras' weight order.
std::optional<std::vector<std::string>> weight_names(const KerasLayer& l) {
  const std::string& c = l.class_name;
  if (c == "LSTM" || c == "GRU" || c == "SimpleRNN") return std::vector<std::string>{"cell/kernel", "cell/recurrent_kernel", "cell/bias"};
  if (c == "Dense") return std::vector<std::string>{"kernel", "bias"};
  if (c == "Embedding") return std::vector<std::string>{"embeddings"};
  return std::nullopt;
}

bool weightless(const std::string& c) {
  return c == "InputLayer" || c == "Dropout" || c == "Activation" || c == "Flatten" || c == "SpatialDropout1D" ||
         c == "Masking" || c == "Reshape" || c == "RepeatVector";
}

bool same_specs(const std::vector<TensorSpec>& a, const std::vector<TensorSpec>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].key != b[i].key || a[i].dtype != b[i].dtype) return false;
  }
  return true;
}

}  // namespace

std::shared_ptr<Model> try_load_keras_saved_model(const std::string& dir, const std::string& variables_prefix,
                                                  const Signature& serving, const LoadOptions& options) {
  if (!path_exists(join_path(dir, "keras_metadata.pb")) || variables_prefix.empty()) return nullptr;
  LoadTrace trace(dir);
  auto model = read_keras_saved_model_metadata(dir);
  if (!model.ok() || model->class_name != "Sequential") return nullptr;
  trace.mark("keras_metadata.pb");
  auto ckpt = CheckpointReader::open(variables_prefix);
  if (!ckpt.ok()) return nullptr;
  trace.mark("checkpoint index");
  // A weight is saved under one object path: its layer's ("layer_with_weights-K/cell/kernel")
  // or the model's variable list ("variables/N", N counting model.weights in order), whichever
  // TensorFlow reached first; both are tried, and the shape must be the one the config implies.
  int with_weights = 0;
  int global = 0;
  bool recurrent = false;
  for (KerasLayer& l : model->layers) {
    if (l.nested) return nullptr;
    if (weightless(l.class_name)) continue;
    auto names = weight_names(l);
    if (!names || l.weights.empty() || l.weights.size() > names->size()) return nullptr;
    recurrent = recurrent || l.class_name == "LSTM" || l.class_name == "GRU" || l.class_name == "SimpleRNN";
    const std::string prefix = "layer_with_weights-" + std::to_string(with_weights++) + "/";
    for (size_t i = 0; i < l.weights.size(); ++i) {
      const std::string suffix = "/.ATTRIBUTES/VARIABLE_VALUE";
      auto t = ckpt->read(prefix + (*names)[i] + suffix);
      if (!t.ok()) t = ckpt->read("variables/" + std::to_string(global) + suffix);
      ++global;
      if (!t.ok() || t->shape().dims() != l.weights[i].shape) return nullptr;
      l.weights[i].value = std::move(*t);
    }
  }
  if (!recurrent) return nullptr;  // the graph runs feed-forward models just as fast
  trace.mark("weights");
  model->weights_loaded = true;
  auto lowered = graph::lower_keras_model(*model);
  if (!lowered.ok()) return nullptr;
  trace.mark("lowering");
  Signature sig = serving;
  std::vector<TensorSpec> ins = lowered->inputs, outs = lowered->outputs;
  auto by_key = [](const TensorSpec& a, const TensorSpec& b) { return a.key < b.key; };
  std::sort(ins.begin(), ins.end(), by_key);
  std::sort(outs.begin(), outs.end(), by_key);
  if (!same_specs(ins, serving.inputs) || !same_specs(outs, serving.outputs)) return nullptr;
  // Keep the SavedModel's declared shapes for input checks; run the lowered tensors.
  for (size_t i = 0; i < ins.size(); ++i) sig.inputs[i].tensor_name = ins[i].tensor_name;
  for (size_t i = 0; i < outs.size(); ++i) sig.outputs[i].tensor_name = outs[i].tensor_name;
  auto result = std::make_shared<GraphModel>(std::move(lowered->graph), options);
  result->add_signature(std::move(sig));
  trace.mark("model");
  if (!result->signature_error("serving_default").empty()) return nullptr;
  trace.mark("signature check");
  return result;
}

}  // namespace tfport::runtime
