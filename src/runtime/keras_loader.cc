#include "runtime/keras_loader.h"

#include <algorithm>

#include "core/load_trace.h"
#include "graph/keras/lower_keras.h"
#include "runtime/graph_model.h"
#include "tfport/keras.h"

namespace tfport::runtime {

StatusOr<std::shared_ptr<Model>> load_keras_model(const DetectedModel& detected, const LoadOptions& options) {
  LoadTrace trace("keras");
  StatusOr<KerasModel> read = detected.format == ModelFormat::kKerasV3 ? read_keras_v3(detected.path)
                                                                       : read_keras_h5(detected.path);
  if (!read.ok()) return read.status();
  if (read->source.empty()) read->source = detected.path;
  trace.mark("read model file (total)");
  TFPORT_ASSIGN_OR_RETURN(graph::LoweredKerasModel lowered, graph::lower_keras_model(*read));
  trace.mark("lower to graph");

  Signature sig;
  sig.key = "serving_default";
  sig.method_name = "tensorflow/serving/predict";
  sig.inputs = std::move(lowered.inputs);
  sig.outputs = std::move(lowered.outputs);
  auto by_key = [](const TensorSpec& a, const TensorSpec& b) { return a.key < b.key; };
  std::sort(sig.inputs.begin(), sig.inputs.end(), by_key);
  std::sort(sig.outputs.begin(), sig.outputs.end(), by_key);

  auto model = std::make_shared<GraphModel>(std::move(lowered.graph), options);
  model->add_signature(std::move(sig));
  trace.mark("plan build (total)");
  // Missing kernels are reported now, naming every op and the nodes that use it.
  std::string err = model->signature_error("serving_default");
  if (!err.empty()) return unimplemented_error(detected.path + ": " + err);
  // Freeing the reader's model (thousands of small config values) would be the last ~1 ms of
  // the load: it lives on with the model instead, without its weights (the graph has copies or
  // views of what it uses; the rest may go now).
  for (KerasLayer& layer : read->layers) layer.weights.clear();
  model->keep_alive(std::make_shared<const KerasModel>(std::move(*read)));
  trace.mark("keep reader model");
  return std::shared_ptr<Model>(std::move(model));
}

}  // namespace tfport::runtime
