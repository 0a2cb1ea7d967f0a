// `tfport serve`: the model store, REST (TF Serving /v1, KServe /v2, Prometheus metrics) and
// gRPC servers, started and stopped together, configured like tensorflow_model_server.
//
//   ServerOptions o; o.model_base_path = "examples/half_plus_two"; o.rest_api_port = 8501;
//   ModelServer server(o);
//   TFPORT_RETURN_IF_ERROR(server.start());
//   ...; server.shutdown(std::chrono::seconds(30));   // finishes requests in flight
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "serving/inference.h"

namespace tfport::serving {

struct ServerOptions {
  int port = 8500;           // gRPC; 0 disables it unless grpc_any_port
  bool grpc_any_port = false;  // tests: pick a free gRPC port
  int rest_api_port = 0;     // 0 disables REST unless rest_any_port
  bool rest_any_port = false;
  std::string address = "0.0.0.0";
  int rest_api_num_threads = 0;  // 0: 4 x CPUs, as TF Serving
  int rest_api_timeout_in_ms = 30000;
  bool rest_api_enable_cors_support = false;
  std::string model_name = "default";
  std::string model_base_path;
  std::string model_config_file;
  double model_config_file_poll_wait_seconds = 0;
  double file_system_poll_wait_seconds = 1;
  bool enable_batching = false;
  std::string batching_parameters_file;
  std::string monitoring_config_file;
  bool allow_version_labels_for_unavailable_models = false;
  std::string saved_model_tags = "serve";
  bool allow_unsafe_ops = false;
  // Threads that run models (serving/run_executor.h); the process's first server decides.
  int run_threads = 1;
  Limits limits;
  std::function<void(const std::string&)> log;  // default: stderr
};

class ModelServer {
 public:
  explicit ModelServer(ServerOptions options);
  ~ModelServer();
  ModelServer(const ModelServer&) = delete;
  ModelServer& operator=(const ModelServer&) = delete;

  // Loads the models (the initial versions are available when this returns) and starts
  // listening.
  Status start();
  int grpc_port() const;
  int rest_port() const;
  // Stops accepting, finishes requests in flight (up to `drain`), unloads everything.
  void shutdown(std::chrono::milliseconds drain);

  ModelStore& store();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tfport::serving
