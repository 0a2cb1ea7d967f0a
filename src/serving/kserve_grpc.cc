#include "serving/kserve_grpc.h"

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <cstring>
#include <limits>
#include <map>
#include <string>
#include <type_traits>
#include <vector>

#include "serving/grpc_status.h"
#include "serving/kserve.h"
#include "serving/metrics.h"
#include "tfport_serving/kserve_v2.grpc.pb.h"

namespace tfport::serving {
namespace {

namespace kv2 = ::inference;

// "" is the server's choice; anything else must be a version number.
StatusOr<ModelRequest> model_request(const std::string& name, const std::string& version) {
  ModelRequest mr;
  mr.name = name;
  if (!version.empty()) {
    TFPORT_ASSIGN_OR_RETURN(int64_t v, parse_model_version(version));
    mr.version = v;
  }
  return mr;
}

// Values of one typed contents field, checked against the element count and narrowed.
template <typename T, typename Field>
Status copy_values(const Field& values, int64_t count, const std::string& name, Tensor* t) {
  if (static_cast<int64_t>(values.size()) != count) {
    return invalid_argument_error("input '" + name + "' has " + std::to_string(values.size()) +
                                  " values in its contents, its shape holds " + std::to_string(count));
  }
  T* out = t->mutable_data<T>();
  for (int i = 0; i < values.size(); ++i) {
    const auto v = values.Get(i);
    if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
      if (v < std::numeric_limits<T>::min() || v > std::numeric_limits<T>::max()) {
        return invalid_argument_error("input '" + name + "' has a value out of its datatype's range");
      }
    }
    out[i] = static_cast<T>(v);
  }
  return Status::OK();
}

Status from_contents(const kv2::InferTensorContents& c, const std::string& name, Tensor* t) {
  const int64_t n = t->num_elements();
  switch (t->dtype()) {
    case DType::kBool: return copy_values<bool>(c.bool_contents(), n, name, t);
    case DType::kInt8: return copy_values<int8_t>(c.int_contents(), n, name, t);
    case DType::kInt16: return copy_values<int16_t>(c.int_contents(), n, name, t);
    case DType::kInt32: return copy_values<int32_t>(c.int_contents(), n, name, t);
    case DType::kInt64: return copy_values<int64_t>(c.int64_contents(), n, name, t);
    case DType::kUInt8: return copy_values<uint8_t>(c.uint_contents(), n, name, t);
    case DType::kUInt16: return copy_values<uint16_t>(c.uint_contents(), n, name, t);
    case DType::kUInt32: return copy_values<uint32_t>(c.uint_contents(), n, name, t);
    case DType::kUInt64: return copy_values<uint64_t>(c.uint64_contents(), n, name, t);
    case DType::kFloat: return copy_values<float>(c.fp32_contents(), n, name, t);
    case DType::kDouble: return copy_values<double>(c.fp64_contents(), n, name, t);
    case DType::kString: {
      if (c.bytes_contents_size() != n) {
        return invalid_argument_error("input '" + name + "' has " + std::to_string(c.bytes_contents_size()) +
                                      " values in its contents, its shape holds " + std::to_string(n));
      }
      auto& strings = t->mutable_strings();
      for (int i = 0; i < c.bytes_contents_size(); ++i) strings[static_cast<std::size_t>(i)] = c.bytes_contents(i);
      return Status::OK();
    }
    default: return invalid_argument_error("input '" + name + "': its datatype can only be sent as raw contents");
  }
}

// Raw contents: the elements' bytes, or for BYTES a 4-byte little-endian length before each.
Status from_raw(const std::string& raw, const std::string& name, Tensor* t) {
  const int64_t n = t->num_elements();
  if (t->dtype() != DType::kString) {
    if (raw.size() != t->byte_size()) {
      return invalid_argument_error("input '" + name + "' has " + std::to_string(raw.size()) +
                                    " bytes of raw contents, its shape and datatype need " +
                                    std::to_string(t->byte_size()));
    }
    if (!raw.empty()) std::memcpy(t->mutable_raw_data(), raw.data(), raw.size());
    return Status::OK();
  }
  auto& strings = t->mutable_strings();
  std::size_t at = 0;
  for (int64_t i = 0; i < n; ++i) {
    if (raw.size() - at < 4) return invalid_argument_error("input '" + name + "': raw BYTES contents end early");
    uint32_t length = 0;
    for (int b = 3; b >= 0; --b) length = (length << 8) | static_cast<unsigned char>(raw[at + static_cast<std::size_t>(b)]);
    at += 4;
    if (raw.size() - at < length) return invalid_argument_error("input '" + name + "': raw BYTES contents end early");
    strings[static_cast<std::size_t>(i)] = raw.substr(at, length);
    at += length;
  }
  if (at != raw.size()) return invalid_argument_error("input '" + name + "': raw BYTES contents hold more elements than its shape");
  return Status::OK();
}

template <typename T, typename Field>
void append_values(const Tensor& t, Field* field) {
  const T* data = t.data<T>();
  field->Reserve(static_cast<int>(t.num_elements()));
  for (int64_t i = 0; i < t.num_elements(); ++i) field->Add(data[i]);
}

Status to_contents(const Tensor& t, kv2::InferTensorContents* c) {
  switch (t.dtype()) {
    case DType::kBool: append_values<bool>(t, c->mutable_bool_contents()); break;
    case DType::kInt8: append_values<int8_t>(t, c->mutable_int_contents()); break;
    case DType::kInt16: append_values<int16_t>(t, c->mutable_int_contents()); break;
    case DType::kInt32: append_values<int32_t>(t, c->mutable_int_contents()); break;
    case DType::kInt64: append_values<int64_t>(t, c->mutable_int64_contents()); break;
    case DType::kUInt8: append_values<uint8_t>(t, c->mutable_uint_contents()); break;
    case DType::kUInt16: append_values<uint16_t>(t, c->mutable_uint_contents()); break;
    case DType::kUInt32: append_values<uint32_t>(t, c->mutable_uint_contents()); break;
    case DType::kUInt64: append_values<uint64_t>(t, c->mutable_uint64_contents()); break;
    case DType::kFloat: append_values<float>(t, c->mutable_fp32_contents()); break;
    case DType::kDouble: append_values<double>(t, c->mutable_fp64_contents()); break;
    case DType::kString:
      for (const auto& s : t.strings()) c->add_bytes_contents(s);
      break;
    default: return internal_error("an output's datatype can only be sent as raw contents");
  }
  return Status::OK();
}

void to_raw(const Tensor& t, std::string* raw) {
  if (t.dtype() != DType::kString) {
    raw->assign(static_cast<const char*>(t.raw_data()), t.byte_size());
    return;
  }
  raw->clear();
  for (const auto& s : t.strings()) {
    const auto length = static_cast<uint32_t>(s.size());
    for (int b = 0; b < 4; ++b) raw->push_back(static_cast<char>((length >> (8 * b)) & 0xff));
    raw->append(s);
  }
}

void tensor_metadata(const TensorSpec& spec, kv2::ModelMetadataResponse::TensorMetadata* m) {
  m->set_name(spec.key);
  m->set_datatype(std::string(kserve_datatype(spec.dtype)));
  if (spec.shape.unknown_rank()) {
    m->add_shape(-1);
  } else {
    for (int64_t d : spec.shape.dims()) m->add_shape(d);
  }
}

class KServeGrpcService final : public kv2::GRPCInferenceService::Service {
 public:
  KServeGrpcService(const Inference* inference, Metrics* metrics) : inference_(inference), metrics_(metrics) {}

  grpc::Status ServerLive(grpc::ServerContext*, const kv2::ServerLiveRequest*, kv2::ServerLiveResponse* resp) override {
    resp->set_live(true);
    return grpc::Status::OK;
  }

  grpc::Status ServerReady(grpc::ServerContext*, const kv2::ServerReadyRequest*,
                           kv2::ServerReadyResponse* resp) override {
    resp->set_ready(inference_->store().all_ready());
    return grpc::Status::OK;
  }

  grpc::Status ModelReady(grpc::ServerContext*, const kv2::ModelReadyRequest* req,
                          kv2::ModelReadyResponse* resp) override {
    auto mr = model_request(req->name(), req->version());
    if (!mr.ok()) return to_grpc(mr.status());
    resp->set_ready(inference_->find(*mr).ok());
    return grpc::Status::OK;
  }

  grpc::Status ServerMetadata(grpc::ServerContext*, const kv2::ServerMetadataRequest*,
                              kv2::ServerMetadataResponse* resp) override {
    resp->set_name("tfport");
    resp->set_version("0.1.0");
    return grpc::Status::OK;
  }

  grpc::Status ModelMetadata(grpc::ServerContext*, const kv2::ModelMetadataRequest* req,
                             kv2::ModelMetadataResponse* resp) override {
    auto mr = model_request(req->name(), req->version());
    if (!mr.ok()) return to_grpc(mr.status());
    auto servable = inference_->find(*mr);
    if (!servable.ok()) return to_grpc(servable.status());
    const Servable& sv = **servable;
    resp->set_name(sv.name);
    resp->set_platform("tensorflow_savedmodel");
    auto statuses = inference_->store().status(sv.name, std::nullopt);
    if (statuses.ok()) {
      for (const auto& s : *statuses) {
        if (s.state == VersionState::kAvailable) resp->add_versions(std::to_string(s.version));
      }
    }
    auto sig = find_signature(sv, "");
    if (sig.ok()) {
      for (const auto& s : (*sig)->inputs) tensor_metadata(s, resp->add_inputs());
      for (const auto& s : (*sig)->outputs) tensor_metadata(s, resp->add_outputs());
    }
    return grpc::Status::OK;
  }

  grpc::Status ModelInfer(grpc::ServerContext*, const kv2::ModelInferRequest* req,
                          kv2::ModelInferResponse* resp) override {
    const auto start = std::chrono::steady_clock::now();
    const Status s = infer(*req, resp);
    if (metrics_ != nullptr && !req->model_name().empty()) {
      const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      metrics_->record_request(req->model_name(), "ModelInfer", "KSERVE_GRPC", s.ok(), seconds);
    }
    return to_grpc(s);
  }

 private:
  Status infer(const kv2::ModelInferRequest& req, kv2::ModelInferResponse* resp) const {
    TFPORT_ASSIGN_OR_RETURN(ModelRequest mr, model_request(req.model_name(), req.model_version()));
    TFPORT_ASSIGN_OR_RETURN(auto servable, inference_->find(mr));
    const Servable& sv = *servable;
    std::string signature_name;
    auto p = req.parameters().find("signature_name");
    if (p != req.parameters().end()) signature_name = p->second.string_param();
    TFPORT_ASSIGN_OR_RETURN(const Signature* sig, find_signature(sv, signature_name));

    const bool raw = req.raw_input_contents_size() > 0;
    if (raw && req.raw_input_contents_size() != req.inputs_size()) {
      return invalid_argument_error("raw_input_contents has " + std::to_string(req.raw_input_contents_size()) +
                                    " entries for " + std::to_string(req.inputs_size()) + " inputs");
    }
    std::map<std::string, Tensor> inputs;
    for (int i = 0; i < req.inputs_size(); ++i) {
      const auto& in = req.inputs(i);
      const DType dtype = dtype_from_kserve(in.datatype());
      if (dtype == DType::kInvalid) {
        return invalid_argument_error("input '" + in.name() + "' has an unknown datatype '" + in.datatype() + "'");
      }
      std::vector<int64_t> dims(in.shape().begin(), in.shape().end());
      TFPORT_ASSIGN_OR_RETURN(Shape shape, Shape::make(dims));
      TFPORT_ASSIGN_OR_RETURN(Tensor t, Tensor::allocate(dtype, shape, inference_->limits().max_tensor_bytes));
      TFPORT_RETURN_IF_ERROR(raw ? from_raw(req.raw_input_contents(i), in.name(), &t)
                                 : from_contents(in.contents(), in.name(), &t));
      inputs[in.name()] = std::move(t);
    }
    std::vector<std::string> filter;
    for (const auto& o : req.outputs()) filter.push_back(o.name());
    TFPORT_ASSIGN_OR_RETURN(auto outputs, inference_->predict(sv, *sig, inputs, filter));

    resp->set_model_name(sv.name);
    resp->set_model_version(std::to_string(sv.version));
    resp->set_id(req.id());
    std::vector<std::string> order = filter;
    if (order.empty()) {
      for (const auto& [k, t] : outputs) order.push_back(k);
    }
    // Raw contents answer raw contents, as Triton's clients expect; typed otherwise.
    for (const auto& name : order) {
      const Tensor& t = outputs.at(name);
      auto* out = resp->add_outputs();
      out->set_name(name);
      out->set_datatype(std::string(kserve_datatype(t.dtype())));
      for (int64_t d : t.shape().dims()) out->add_shape(d);
      if (raw) {
        to_raw(t, resp->add_raw_output_contents());
      } else {
        TFPORT_RETURN_IF_ERROR(to_contents(t, out->mutable_contents()));
      }
    }
    return Status::OK();
  }

  const Inference* inference_;
  Metrics* metrics_;
};

}  // namespace

std::unique_ptr<grpc::Service> make_kserve_grpc_service(const Inference* inference, Metrics* metrics) {
  return std::make_unique<KServeGrpcService>(inference, metrics);
}

}  // namespace tfport::serving
