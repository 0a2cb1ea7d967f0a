#include "serving/inference.h"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <set>

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

#include "serving/batcher.h"
#include "serving/tensor_codec.h"

namespace tfport::serving {
namespace {

constexpr const char* kDefaultSignature = "serving_default";

std::string shape_text(const Shape& s) {
  std::string out = "[";
  for (int i = 0; i < s.rank(); ++i) {
    if (i > 0) out += ',';
    out += std::to_string(s.dim(i));
  }
  return out + "]";
}

std::string join_set(const std::set<std::string>& items) {
  std::string out;
  for (const auto& i : items) {
    if (!out.empty()) out += ',';
    out += i;
  }
  return out;
}

std::string signature_text(const Signature& sig) {
  std::string s = "inputs {";
  for (const auto& i : sig.inputs) s += " key: \"" + i.key + "\" name: \"" + i.tensor_name + "\"";
  s += " } outputs {";
  for (const auto& o : sig.outputs) s += " key: \"" + o.key + "\" name: \"" + o.tensor_name + "\"";
  return s + " } method_name: \"" + sig.method_name + "\"";
}

const TensorSpec* find_spec(const std::vector<TensorSpec>& specs, std::string_view key) {
  for (const auto& s : specs) {
    if (s.key == key) return &s;
  }
  return nullptr;
}

StatusOr<Tensor> examples_tensor(const tensorflow::serving::Input& input) {
  TFPORT_ASSIGN_OR_RETURN(std::vector<std::string> examples, serialized_examples(input));
  if (examples.empty()) return invalid_argument_error("Input is empty.");
  const auto n = static_cast<int64_t>(examples.size());
  return Tensor::from_strings(Shape{n}, std::move(examples));
}

void fill_spec(const Servable& servable, const std::string& signature, tensorflow::serving::ModelSpec* spec) {
  spec->set_name(servable.name);
  spec->mutable_version()->set_value(servable.version);
  spec->set_signature_name(signature);
}

}  // namespace

StatusOr<int64_t> parse_model_version(const std::string& text) {
  errno = 0;
  char* end = nullptr;
  const long long v = std::strtoll(text.c_str(), &end, 10);
  if (text.empty() || errno == ERANGE || *end != '\0') {
    return invalid_argument_error("Failed to convert version: " + text + " to numeric.");
  }
  return static_cast<int64_t>(v);
}

int tf_error_code(const Status& s) {
  switch (s.code()) {
    case StatusCode::kOk: return 0;
    case StatusCode::kInvalidArgument: return 3;
    case StatusCode::kDeadlineExceeded: return 4;
    case StatusCode::kNotFound: return 5;
    case StatusCode::kAlreadyExists: return 6;
    case StatusCode::kPermissionDenied: return 7;
    case StatusCode::kResourceExhausted: return 8;
    case StatusCode::kFailedPrecondition: return 9;
    case StatusCode::kOutOfRange: return 11;
    case StatusCode::kUnimplemented: return 12;
    case StatusCode::kInternal: return 13;
    case StatusCode::kUnavailable: return 14;
    case StatusCode::kDataLoss: return 15;
  }
  return 2;
}

int http_status_code(const Status& s) {
  switch (s.code()) {
    case StatusCode::kOk: return 200;
    case StatusCode::kInvalidArgument:
    case StatusCode::kFailedPrecondition:
    case StatusCode::kOutOfRange: return 400;
    case StatusCode::kDeadlineExceeded: return 504;
    case StatusCode::kNotFound: return 404;
    case StatusCode::kAlreadyExists: return 409;
    case StatusCode::kPermissionDenied: return 403;
    case StatusCode::kResourceExhausted: return 429;
    case StatusCode::kUnimplemented: return 501;
    case StatusCode::kInternal:
    case StatusCode::kDataLoss: return 500;
    case StatusCode::kUnavailable: return 503;
  }
  return 500;
}

ModelRequest model_request_from_spec(const tensorflow::serving::ModelSpec& spec) {
  ModelRequest r;
  r.name = spec.name();
  if (spec.has_version()) r.version = spec.version().value();
  if (spec.version_choice_case() == tensorflow::serving::ModelSpec::kVersionLabel) r.label = spec.version_label();
  return r;
}

StatusOr<std::vector<std::string>> serialized_examples(const tensorflow::serving::Input& input) {
  std::vector<std::string> out;
  auto serialize = [](const tensorflow::Example& e) {
    std::string bytes;
    google::protobuf::io::StringOutputStream stream(&bytes);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    e.SerializeToCodedStream(&coded);
    coded.Trim();
    return bytes;
  };
  if (input.has_example_list()) {
    for (const auto& e : input.example_list().examples()) out.push_back(serialize(e));
  } else if (input.has_example_list_with_context()) {
    const auto& list = input.example_list_with_context();
    const std::string context = serialize(list.context());
    for (const auto& e : list.examples()) out.push_back(context + serialize(e));
  }
  return out;
}

namespace {

// The signature called `key`, or nullptr; callers word the error as TF Serving does for their API.
const Signature* lookup_signature(const Servable& servable, const std::string& key) {
  for (const auto& sig : servable.model->signatures()) {
    if (sig.key == key) return &sig;
  }
  return nullptr;
}

}  // namespace

StatusOr<const Signature*> find_signature(const Servable& servable, const std::string& name) {
  const std::string key = name.empty() ? kDefaultSignature : name;
  if (const Signature* sig = lookup_signature(servable, key)) return sig;
  return invalid_argument_error("Serving signature name: \"" + key + "\" not found in signature def");
}

StatusOr<std::shared_ptr<const Servable>> Inference::find(const ModelRequest& request) const {
  if (request.name.empty()) return invalid_argument_error("Missing ModelSpec");
  return store_->find(request.name, request.version, request.label);
}

StatusOr<std::map<std::string, Tensor>> Inference::predict(const Servable& servable, const Signature& signature,
                                                           const std::map<std::string, Tensor>& inputs,
                                                           const std::vector<std::string>& output_filter) const {
  // Inputs must match the signature's keys (TF Serving's predict_util check); inputs the
  // SignatureDef has defaults for may be left out.
  const tensorflow::SignatureDef* def = nullptr;
  auto def_it = servable.signature_defs.signature_def().find(signature.key);
  if (def_it != servable.signature_defs.signature_def().end()) def = &def_it->second;
  std::set<std::string> sent, expected, extra, missing;
  for (const auto& [k, v] : inputs) sent.insert(k);
  for (const auto& s : signature.inputs) expected.insert(s.key);
  for (const auto& k : sent) {
    if (!expected.count(k)) extra.insert(k);
  }
  std::map<std::string, Tensor> with_defaults;
  for (const auto& k : expected) {
    if (sent.count(k)) continue;
    if (def != nullptr && def->defaults().count(k)) {
      auto t = tensor_from_request_proto(def->defaults().at(k), limits_.max_tensor_bytes);
      if (t.ok()) {
        with_defaults[k] = std::move(*t);
        continue;
      }
    }
    missing.insert(k);
  }
  const bool has_defaults = def != nullptr && !def->defaults().empty();
  if (sent.size() > expected.size() || (sent.size() < expected.size() && !has_defaults)) {
    return invalid_argument_error("input size does not match signature: " + std::to_string(sent.size()) +
                                  "!=" + std::to_string(expected.size()) + " len({" + join_set(sent) + "}) != len({" +
                                  join_set(expected) + "}). Sent extra: {" + join_set(extra) +
                                  "}. Missing but required: {" + join_set(missing) + "}.");
  }
  for (const auto& alias : output_filter) {
    if (!find_spec(signature.outputs, alias)) {
      std::set<std::string> outs;
      for (const auto& o : signature.outputs) outs.insert(o.key);
      return invalid_argument_error("output tensor alias not found in signature: " + alias +
                                    " Outputs expected to be in the set {" + join_set(outs) + "}.");
    }
  }
  if (!extra.empty()) {
    return invalid_argument_error("input tensor alias not found in signature: " + *extra.begin() +
                                  ". Inputs expected to be in the set {" + join_set(expected) + "}.");
  }
  if (!missing.empty()) {
    return invalid_argument_error("Missing input(s) without a default in the signature: {" + join_set(missing) + "}");
  }
  const std::map<std::string, Tensor>* feed = &inputs;
  if (!with_defaults.empty()) {
    with_defaults.insert(inputs.begin(), inputs.end());
    feed = &with_defaults;
  }
  StatusOr<std::map<std::string, Tensor>> outputs = batcher_ != nullptr
                                                        ? batcher_->run(servable, signature, *feed)
                                                        : run_signature(servable, signature, *feed);
  if (!outputs.ok() || output_filter.empty()) return outputs;
  std::map<std::string, Tensor> filtered;
  for (const auto& alias : output_filter) filtered[alias] = outputs->at(alias);
  return filtered;
}

StatusOr<tensorflow::serving::ClassificationResult> Inference::classify(const Servable& servable,
                                                                        const std::string& signature_name,
                                                                        const tensorflow::serving::Input& input) const {
  const std::string key = signature_name.empty() ? kDefaultSignature : signature_name;
  const Signature* sig = lookup_signature(servable, key);
  if (sig == nullptr) return invalid_argument_error("No signature was found with the name: " + key);
  if (sig->inputs.size() != 1) return invalid_argument_error("Expected one input Tensor.");
  if (sig->inputs[0].key != "inputs") {
    return invalid_argument_error("No classification inputs found in SignatureDef: " + signature_text(*sig));
  }
  if (sig->outputs.size() != 1 && sig->outputs.size() != 2) {
    return invalid_argument_error("Expected one or two output Tensors, found " + std::to_string(sig->outputs.size()));
  }
  const TensorSpec* classes_spec = find_spec(sig->outputs, "classes");
  const TensorSpec* scores_spec = find_spec(sig->outputs, "scores");
  if (classes_spec == nullptr && scores_spec == nullptr) {
    return invalid_argument_error(
        "Expected classification signature outputs to contain at least one of \"classes\" or \"scores\". Signature "
        "was: " +
        signature_text(*sig));
  }
  TFPORT_ASSIGN_OR_RETURN(Tensor examples, examples_tensor(input));
  const int64_t batch = examples.num_elements();
  TFPORT_ASSIGN_OR_RETURN(auto outputs, run_signature(servable, *sig, {{"inputs", examples}}));
  const Tensor* classes = classes_spec ? &outputs.at("classes") : nullptr;
  const Tensor* scores = scores_spec ? &outputs.at("scores") : nullptr;
  int64_t num_classes = 0;
  if (classes != nullptr) {
    if (classes->shape().rank() != 2) {
      return invalid_argument_error("Expected Tensor shape: [batch_size num_classes] but got " +
                                    shape_text(classes->shape()));
    }
    if (classes->dtype() != DType::kString) {
      return invalid_argument_error("Expected classes Tensor of DT_STRING. Got: " +
                                    std::string(dtype_name(classes->dtype())));
    }
    if (classes->shape().dim(0) != batch) {
      return invalid_argument_error("Expected classes output batch size of " + std::to_string(batch) +
                                    ". Got: " + std::to_string(classes->shape().dim(0)));
    }
    num_classes = classes->shape().dim(1);
  }
  if (scores != nullptr) {
    if (scores->shape().rank() != 2) {
      return invalid_argument_error("Expected Tensor shape: [batch_size num_classes] but got " +
                                    shape_text(scores->shape()));
    }
    if (scores->dtype() != DType::kFloat) {
      return invalid_argument_error("Expected scores Tensor of DT_FLOAT. Got: " +
                                    std::string(dtype_name(scores->dtype())));
    }
    if (scores->shape().dim(0) != batch) {
      return invalid_argument_error("Expected scores output batch size of " + std::to_string(batch) +
                                    ". Got: " + std::to_string(scores->shape().dim(0)));
    }
    if (classes != nullptr && scores->shape().dim(1) != num_classes) {
      return invalid_argument_error("Tensors class and score should match in dim_size(1). Got " +
                                    std::to_string(num_classes) + " vs. " + std::to_string(scores->shape().dim(1)));
    }
    num_classes = scores->shape().dim(1);
  }
  tensorflow::serving::ClassificationResult result;
  for (int64_t b = 0; b < batch; ++b) {
    auto* c = result.add_classifications();
    for (int64_t j = 0; j < num_classes; ++j) {
      auto* cls = c->add_classes();
      const std::size_t at = static_cast<std::size_t>(b * num_classes + j);
      if (classes != nullptr) cls->set_label(classes->strings()[at]);
      if (scores != nullptr) cls->set_score(scores->data<float>()[at]);
    }
  }
  return result;
}

StatusOr<tensorflow::serving::RegressionResult> Inference::regress(const Servable& servable,
                                                                   const std::string& signature_name,
                                                                   const tensorflow::serving::Input& input) const {
  const std::string key = signature_name.empty() ? kDefaultSignature : signature_name;
  const Signature* sig = lookup_signature(servable, key);
  if (sig == nullptr) return invalid_argument_error("No signature was found with the name: " + key);
  if (sig->inputs.size() != 1) return invalid_argument_error("Expected one input Tensor.");
  if (sig->inputs[0].key != "inputs") {
    return invalid_argument_error("No regression inputs found in SignatureDef: " + signature_text(*sig));
  }
  if (sig->outputs.size() != 1) return invalid_argument_error("Expected one output Tensor.");
  if (sig->outputs[0].key != "outputs") {
    return invalid_argument_error("No regression outputs found in SignatureDef: " + signature_text(*sig));
  }
  TFPORT_ASSIGN_OR_RETURN(Tensor examples, examples_tensor(input));
  const int64_t batch = examples.num_elements();
  TFPORT_ASSIGN_OR_RETURN(auto outputs, run_signature(servable, *sig, {{"inputs", examples}}));
  const Tensor& out = outputs.at("outputs");
  const Shape& s = out.shape();
  if (!(s.rank() == 1 || (s.rank() == 2 && s.dim(1) == 1))) {
    return invalid_argument_error("Expected output Tensor shape to be either [batch_size] or [batch_size, 1] but got " +
                                  shape_text(s));
  }
  if (s.dim(0) != batch) {
    return invalid_argument_error("Input batch size did not match output batch size: " + std::to_string(batch) +
                                  " vs. " + std::to_string(s.dim(0)));
  }
  if (out.dtype() != DType::kFloat) {
    return invalid_argument_error("Expected output Tensor of DT_FLOAT.  Got: " + std::string(dtype_name(out.dtype())));
  }
  tensorflow::serving::RegressionResult result;
  for (int64_t b = 0; b < batch; ++b) result.add_regressions()->set_value(out.data<float>()[b]);
  return result;
}

Status Inference::predict_proto(const tensorflow::serving::PredictRequest& request,
                                tensorflow::serving::PredictResponse* response) const {
  TFPORT_ASSIGN_OR_RETURN(auto servable, find(model_request_from_spec(request.model_spec())));
  return predict_proto(*servable, request, response);
}

Status Inference::predict_proto(const Servable& servable, const tensorflow::serving::PredictRequest& request,
                                tensorflow::serving::PredictResponse* response) const {
  const std::string key = request.model_spec().signature_name().empty() ? std::string(kDefaultSignature)
                                                                         : request.model_spec().signature_name();
  const Signature* sig = nullptr;
  for (const auto& s : servable.model->signatures()) {
    if (s.key == key) sig = &s;
  }
  if (sig == nullptr) return failed_precondition_error("Serving signature key \"" + key + "\" not found.");
  std::map<std::string, Tensor> inputs;
  for (const auto& [k, proto] : request.inputs()) {
    auto t = tensor_from_request_proto(proto, limits_.max_tensor_bytes);
    if (!t.ok()) return t.status().with_context("input '" + k + "'");
    inputs[k] = std::move(*t);
  }
  std::vector<std::string> filter(request.output_filter().begin(), request.output_filter().end());
  TFPORT_ASSIGN_OR_RETURN(auto outputs, predict(servable, *sig, inputs, filter));
  fill_spec(servable, key, response->mutable_model_spec());
  for (const auto& [k, t] : outputs) TFPORT_RETURN_IF_ERROR(tensor_to_proto(t, &(*response->mutable_outputs())[k]));
  return Status::OK();
}

Status Inference::classify_proto(const tensorflow::serving::ClassificationRequest& request,
                                 tensorflow::serving::ClassificationResponse* response) const {
  TFPORT_ASSIGN_OR_RETURN(auto servable, find(model_request_from_spec(request.model_spec())));
  const std::string& sig = request.model_spec().signature_name();
  TFPORT_ASSIGN_OR_RETURN(*response->mutable_result(), classify(*servable, sig, request.input()));
  fill_spec(*servable, sig.empty() ? kDefaultSignature : sig, response->mutable_model_spec());
  return Status::OK();
}

Status Inference::regress_proto(const tensorflow::serving::RegressionRequest& request,
                                tensorflow::serving::RegressionResponse* response) const {
  TFPORT_ASSIGN_OR_RETURN(auto servable, find(model_request_from_spec(request.model_spec())));
  const std::string& sig = request.model_spec().signature_name();
  TFPORT_ASSIGN_OR_RETURN(*response->mutable_result(), regress(*servable, sig, request.input()));
  fill_spec(*servable, sig.empty() ? kDefaultSignature : sig, response->mutable_model_spec());
  return Status::OK();
}

Status Inference::multi_inference_proto(const tensorflow::serving::MultiInferenceRequest& request,
                                        tensorflow::serving::MultiInferenceResponse* response) const {
  return multi_inference(nullptr, request, response);
}

Status Inference::multi_inference_proto(const Servable& servable,
                                        const tensorflow::serving::MultiInferenceRequest& request,
                                        tensorflow::serving::MultiInferenceResponse* response) const {
  return multi_inference(&servable, request, response);
}

Status Inference::multi_inference(const Servable* fixed, const tensorflow::serving::MultiInferenceRequest& request,
                                  tensorflow::serving::MultiInferenceResponse* response) const {
  if (request.tasks_size() == 0) return invalid_argument_error("Expected at least one task");
  std::set<std::string> seen;
  const std::string model = request.tasks(0).model_spec().name();
  for (const auto& task : request.tasks()) {
    if (task.model_spec().name() != model) {
      return invalid_argument_error("All ModelSpecs in a MultiInferenceRequest must access the same model name: " +
                                    model);
    }
    const std::string sig = task.model_spec().signature_name().empty() ? kDefaultSignature
                                                                       : task.model_spec().signature_name();
    if (!seen.insert(sig).second) return invalid_argument_error("Duplicate evaluation of signature: " + sig);
  }
  for (const auto& task : request.tasks()) {
    std::shared_ptr<const Servable> found;
    if (fixed == nullptr) {
      auto f = find(model_request_from_spec(task.model_spec()));
      if (!f.ok()) return f.status();
      found = *f;
    }
    const Servable* servable = fixed != nullptr ? fixed : found.get();
    const std::string& sig = task.model_spec().signature_name();
    auto* result = response->add_results();
    fill_spec(*servable, sig.empty() ? kDefaultSignature : sig, result->mutable_model_spec());
    if (task.method_name() == "tensorflow/serving/classify") {
      TFPORT_ASSIGN_OR_RETURN(*result->mutable_classification_result(), classify(*servable, sig, request.input()));
    } else if (task.method_name() == "tensorflow/serving/regress") {
      TFPORT_ASSIGN_OR_RETURN(*result->mutable_regression_result(), regress(*servable, sig, request.input()));
    } else {
      return invalid_argument_error("Unsupported signature method_name: " + task.method_name());
    }
  }
  return Status::OK();
}

Status Inference::metadata_proto(const tensorflow::serving::GetModelMetadataRequest& request,
                                 tensorflow::serving::GetModelMetadataResponse* response) const {
  if (request.metadata_field_size() == 0) {
    return invalid_argument_error("GetModelMetadataRequest must specify at least one metadata_field");
  }
  for (const auto& field : request.metadata_field()) {
    if (field != "signature_def") return invalid_argument_error("Metadata field " + field + " is not supported");
  }
  TFPORT_ASSIGN_OR_RETURN(auto servable, find(model_request_from_spec(request.model_spec())));
  response->mutable_model_spec()->set_name(servable->name);
  response->mutable_model_spec()->mutable_version()->set_value(servable->version);
  (*response->mutable_metadata())["signature_def"].PackFrom(servable->signature_defs);
  return Status::OK();
}

Status Inference::status_proto(const tensorflow::serving::GetModelStatusRequest& request,
                               tensorflow::serving::GetModelStatusResponse* response) const {
  const auto& spec = request.model_spec();
  if (spec.name().empty()) return invalid_argument_error("Missing model name in request.");
  std::optional<int64_t> version;
  if (spec.has_version()) version = spec.version().value();
  TFPORT_ASSIGN_OR_RETURN(auto statuses, store_->status(spec.name(), version));
  for (const auto& s : statuses) {
    auto* out = response->add_model_version_status();
    out->set_version(s.version);
    out->set_state(static_cast<tensorflow::serving::ModelVersionStatus::State>(s.state));
    out->mutable_status()->set_error_code(static_cast<tensorflow::error::Code>(tf_error_code(s.status)));
    out->mutable_status()->set_error_message(s.status.message());
  }
  return Status::OK();
}

}  // namespace tfport::serving
