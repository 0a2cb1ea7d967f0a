// TF Serving's gRPC services (tensorflow.serving.PredictionService and ModelService) on
// grpc++, wire-compatible with the stubs TF Serving's clients compile.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "serving/inference.h"
#include "tfport_serving/server_config.pb.h"

namespace tfport::serving {

class Metrics;

struct GrpcOptions {
  std::string address = "0.0.0.0";
  int port = 8500;  // 0: any free port
  std::size_t max_message_bytes = std::size_t{64} << 20;
  // HandleReloadConfigRequest applies a new ModelServerConfig through this.
  std::function<Status(const tensorflow::serving::ModelServerConfig&)> reload_config;
};

class GrpcServer {
 public:
  GrpcServer(const Inference* inference, Metrics* metrics, GrpcOptions options);
  ~GrpcServer();
  Status start();
  int port() const;
  // Stops accepting and waits (up to `drain`) for calls in flight.
  void shutdown(std::chrono::milliseconds drain);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tfport::serving
