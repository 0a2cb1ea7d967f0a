#include "serving/grpc_service.h"

#include <grpcpp/grpcpp.h>

#include <chrono>

#include "serving/grpc_status.h"
#include "serving/kserve_grpc.h"
#include "serving/metrics.h"
#include "tfport_serving/services.grpc.pb.h"

namespace tfport::serving {
namespace {

namespace tfs = tensorflow::serving;

// Runs `fn`, records the call in the metrics, converts the status.
template <typename Fn>
grpc::Status timed(Metrics* metrics, const std::string& model, const char* api, Fn&& fn) {
  const auto start = std::chrono::steady_clock::now();
  Status s = fn();
  if (metrics != nullptr && !model.empty()) {
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    metrics->record_request(model, api, "GRPC", s.ok(), seconds);
  }
  return to_grpc(s);
}

class PredictionServiceImpl final : public tfs::PredictionService::Service {
 public:
  PredictionServiceImpl(const Inference* inference, Metrics* metrics) : inference_(inference), metrics_(metrics) {}

  grpc::Status Predict(grpc::ServerContext*, const tfs::PredictRequest* req, tfs::PredictResponse* resp) override {
    return timed(metrics_, req->model_spec().name(), "Predict", [&] { return inference_->predict_proto(*req, resp); });
  }
  grpc::Status Classify(grpc::ServerContext*, const tfs::ClassificationRequest* req,
                        tfs::ClassificationResponse* resp) override {
    return timed(metrics_, req->model_spec().name(), "Classify", [&] { return inference_->classify_proto(*req, resp); });
  }
  grpc::Status Regress(grpc::ServerContext*, const tfs::RegressionRequest* req, tfs::RegressionResponse* resp) override {
    return timed(metrics_, req->model_spec().name(), "Regress", [&] { return inference_->regress_proto(*req, resp); });
  }
  grpc::Status MultiInference(grpc::ServerContext*, const tfs::MultiInferenceRequest* req,
                              tfs::MultiInferenceResponse* resp) override {
    const std::string model = req->tasks_size() > 0 ? req->tasks(0).model_spec().name() : "";
    return timed(metrics_, model, "MultiInference", [&] { return inference_->multi_inference_proto(*req, resp); });
  }
  grpc::Status GetModelMetadata(grpc::ServerContext*, const tfs::GetModelMetadataRequest* req,
                                tfs::GetModelMetadataResponse* resp) override {
    return timed(metrics_, req->model_spec().name(), "GetModelMetadata",
                 [&] { return inference_->metadata_proto(*req, resp); });
  }

 private:
  const Inference* inference_;
  Metrics* metrics_;
};

class ModelServiceImpl final : public tfs::ModelService::Service {
 public:
  ModelServiceImpl(const Inference* inference, const GrpcOptions* options) : inference_(inference), options_(options) {}

  grpc::Status GetModelStatus(grpc::ServerContext*, const tfs::GetModelStatusRequest* req,
                              tfs::GetModelStatusResponse* resp) override {
    return to_grpc(inference_->status_proto(*req, resp));
  }
  grpc::Status HandleReloadConfigRequest(grpc::ServerContext*, const tfs::ReloadConfigRequest* req,
                                         tfs::ReloadConfigResponse* resp) override {
    Status s = options_->reload_config ? options_->reload_config(req->config())
                                       : Status(StatusCode::kUnimplemented, "config reload is not enabled");
    resp->mutable_status()->set_error_code(static_cast<tensorflow::error::Code>(tf_error_code(s)));
    resp->mutable_status()->set_error_message(s.message());
    return grpc::Status::OK;
  }

 private:
  const Inference* inference_;
  const GrpcOptions* options_;
};

}  // namespace

struct GrpcServer::Impl {
  GrpcOptions options;
  PredictionServiceImpl prediction;
  ModelServiceImpl model_service;
  std::unique_ptr<grpc::Service> kserve;  // KServe v2 on the same port
  std::unique_ptr<grpc::Server> server;
  int port = 0;
  Impl(const Inference* inference, Metrics* metrics, GrpcOptions o)
      : options(std::move(o)),
        prediction(inference, metrics),
        model_service(inference, &options),
        kserve(make_kserve_grpc_service(inference, metrics)) {}
};

GrpcServer::GrpcServer(const Inference* inference, Metrics* metrics, GrpcOptions options)
    : impl_(std::make_unique<Impl>(inference, metrics, std::move(options))) {}

GrpcServer::~GrpcServer() { shutdown(std::chrono::milliseconds(0)); }

Status GrpcServer::start() {
  grpc::ServerBuilder builder;
  const std::string address = impl_->options.address + ":" + std::to_string(impl_->options.port);
  builder.AddListeningPort(address, grpc::InsecureServerCredentials(), &impl_->port);
  builder.SetMaxReceiveMessageSize(static_cast<int>(impl_->options.max_message_bytes));
  builder.SetMaxSendMessageSize(static_cast<int>(impl_->options.max_message_bytes));
  builder.RegisterService(&impl_->prediction);
  builder.RegisterService(&impl_->model_service);
  builder.RegisterService(impl_->kserve.get());
  impl_->server = builder.BuildAndStart();
  if (!impl_->server || impl_->port == 0) {
    impl_->server.reset();
    return Status(StatusCode::kUnavailable, "could not start the gRPC server on " + address);
  }
  return Status::OK();
}

int GrpcServer::port() const { return impl_->port; }

void GrpcServer::shutdown(std::chrono::milliseconds drain) {
  if (!impl_->server) return;
  impl_->server->Shutdown(std::chrono::system_clock::now() + drain);
  impl_->server->Wait();
  impl_->server.reset();
}

}  // namespace tfport::serving
