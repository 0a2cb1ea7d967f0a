// Load once, run many: the runtime's public face.
//
//   TFPORT_ASSIGN_OR_RETURN(auto model, tfport::Model::load("export/1"));
//   TFPORT_ASSIGN_OR_RETURN(auto outputs, model->run("serving_default", {{"x", x}}));
//   const tfport::Tensor& y = outputs.at("y");
//
// Model::run is thread-safe: any number of threads may run a loaded model at once.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tfport/shape.h"
#include "tfport/status.h"
#include "tfport/tensor.h"

namespace tfport {

struct TensorSpec {
  std::string key;          // signature key ("x"), or the tensor name for graphs
  std::string tensor_name;  // graph tensor ("x:0", "serving_default_x:0")
  DType dtype = DType::kInvalid;
  PartialShape shape = PartialShape::unknown();
};

struct Signature {
  std::string key;
  std::string method_name;
  std::vector<TensorSpec> inputs;   // sorted by key
  std::vector<TensorSpec> outputs;  // sorted by key
};

struct LoadOptions {
  // SavedModels: which MetaGraphDef (comma-separated tags). Unset: "serve", or the only
  // MetaGraphDef when the model has just one.
  std::optional<std::string> tag_set;
  bool allow_unsafe_ops = false;  // file, network and process ops in the model's signatures
  int intra_op_threads = 0;       // 0 = every core
  // While loops (functional and TF1 dataflow) fail with RESOURCE_EXHAUSTED after this many
  // iterations, so a bad input cannot make a run spin forever.
  int64_t max_loop_iterations = 10'000'000;
  // tf.keras SavedModels whose graph loops over LSTM/GRU/SimpleRNN layers: run the Keras model
  // they carry (keras_metadata.pb + their variables) with one fused kernel per recurrent layer
  // instead of the graph's While loops, when it has exactly the same serving signature.
  bool fuse_keras_recurrent_layers = true;
};

class Model {
 public:
  // Opens any path tfport reads (detect_model), restores variables, runs init ops, and plans
  // every signature; an op tfport lacks is reported here, with the nodes that use it.
  static StatusOr<std::shared_ptr<Model>> load(const std::string& path, const LoadOptions& options = {});
  virtual ~Model() = default;

  // Signatures runnable by key; empty for graphs without signatures (frozen graphs, .meta).
  virtual const std::vector<Signature>& signatures() const = 0;
  // The signature, or NOT_FOUND listing the keys.
  StatusOr<const Signature*> signature(std::string_view key) const;

  // Runs a signature. Inputs are matched by key, checked against the signature's dtype and
  // shape; every output of the signature is returned by key.
  virtual StatusOr<std::map<std::string, Tensor>> run(std::string_view signature_key,
                                                      const std::map<std::string, Tensor>& inputs) const = 0;

  // Runs by graph tensor names ("x:0"; "x" means "x:0"), as sess.run does; the plan for a new
  // combination of feeds and fetches is built on first use and cached.
  virtual StatusOr<std::vector<Tensor>> run_tensors(const std::vector<std::pair<std::string, Tensor>>& feeds,
                                                    const std::vector<std::string>& fetches) const = 0;
};

}  // namespace tfport
