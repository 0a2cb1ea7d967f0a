// The model server's operations, independent of the transport (REST and gRPC both call
// these): predict, classify, regress, multi-inference, metadata and status, with TF Serving's
// validation rules and error texts.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "serving/model_store.h"
#include "serving/serving_apis_fwd.h"

namespace tfport::serving {

class Batcher;

struct Limits {
  std::size_t max_request_bytes = std::size_t{64} << 20;  // HTTP body / gRPC message
  std::size_t max_tensor_bytes = std::size_t{1} << 30;    // one decoded input tensor
};

// TF's error.Code for a status, and the HTTP status TF Serving maps it to.
int tf_error_code(const Status& status);
int http_status_code(const Status& status);
// A version number as URLs and requests spell it, with TF Serving's error for anything else.
StatusOr<int64_t> parse_model_version(const std::string& text);

// ModelSpec fields of a request, resolved against the store.
struct ModelRequest {
  std::string name;
  std::optional<int64_t> version;
  std::optional<std::string> label;
};

class Inference {
 public:
  Inference(const ModelStore* store, Limits limits) : store_(store), limits_(limits) {}
  void set_batcher(Batcher* batcher) { batcher_ = batcher; }
  bool batching() const { return batcher_ != nullptr; }

  const ModelStore& store() const { return *store_; }
  const Limits& limits() const { return limits_; }

  StatusOr<std::shared_ptr<const Servable>> find(const ModelRequest& request) const;

  // Runs signature `signature` (default serving_default) on named inputs; `output_filter`
  // (empty = all) selects outputs by key.
  StatusOr<std::map<std::string, Tensor>> predict(const Servable& servable, const Signature& signature,
                                                  const std::map<std::string, Tensor>& inputs,
                                                  const std::vector<std::string>& output_filter = {}) const;

  StatusOr<tensorflow::serving::ClassificationResult> classify(const Servable& servable, const std::string& signature,
                                                               const tensorflow::serving::Input& input) const;
  StatusOr<tensorflow::serving::RegressionResult> regress(const Servable& servable, const std::string& signature,
                                                          const tensorflow::serving::Input& input) const;

  // gRPC-level operations on whole protos.
  Status predict_proto(const tensorflow::serving::PredictRequest& request,
                       tensorflow::serving::PredictResponse* response) const;
  Status classify_proto(const tensorflow::serving::ClassificationRequest& request,
                        tensorflow::serving::ClassificationResponse* response) const;
  Status regress_proto(const tensorflow::serving::RegressionRequest& request,
                       tensorflow::serving::RegressionResponse* response) const;
  Status multi_inference_proto(const tensorflow::serving::MultiInferenceRequest& request,
                               tensorflow::serving::MultiInferenceResponse* response) const;
  // The same on a given servable, whatever the request's model spec names: model warm-up replays
  // logged requests on a version before it takes traffic (and before the store lists it).
  Status predict_proto(const Servable& servable, const tensorflow::serving::PredictRequest& request,
                       tensorflow::serving::PredictResponse* response) const;
  Status multi_inference_proto(const Servable& servable, const tensorflow::serving::MultiInferenceRequest& request,
                               tensorflow::serving::MultiInferenceResponse* response) const;
  Status metadata_proto(const tensorflow::serving::GetModelMetadataRequest& request,
                        tensorflow::serving::GetModelMetadataResponse* response) const;
  Status status_proto(const tensorflow::serving::GetModelStatusRequest& request,
                      tensorflow::serving::GetModelStatusResponse* response) const;

 private:
  Status multi_inference(const Servable* fixed, const tensorflow::serving::MultiInferenceRequest& request,
                         tensorflow::serving::MultiInferenceResponse* response) const;

  const ModelStore* store_;
  Limits limits_;
  Batcher* batcher_ = nullptr;
};

ModelRequest model_request_from_spec(const tensorflow::serving::ModelSpec& spec);
// Serialized tf.Examples of an Input (context merged into each example).
StatusOr<std::vector<std::string>> serialized_examples(const tensorflow::serving::Input& input);
// The signature, or TF Serving's REST error for a missing one.
StatusOr<const Signature*> find_signature(const Servable& servable, const std::string& name);

}  // namespace tfport::serving
