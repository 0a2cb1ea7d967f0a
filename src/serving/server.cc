#include "serving/server.h"

#include <condition_variable>
#include <iostream>
#include <thread>

#include "serving/batcher.h"
#include "serving/grpc_service.h"
#include "serving/gzip.h"
#include "serving/json_codec.h"
#include "serving/http_server.h"
#include "serving/kserve.h"
#include "serving/metrics.h"
#include "serving/rest_api.h"
#include "serving/run_executor.h"
#include "serving/server_config.h"
#include "serving/warmup.h"

namespace tfport::serving {
namespace {

constexpr char kNotFoundPage[] =
    "<HTML><HEAD>\n<TITLE>404 Not Found</TITLE>\n</HEAD><BODY>\n<H1>Not Found</H1>\n</BODY></HTML>\n";

bool starts_with_icase(const std::string& s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(s[i])) != prefix[i]) return false;
  }
  return true;
}

}  // namespace

struct ModelServer::Impl {
  ServerOptions options;
  Metrics metrics;
  std::unique_ptr<ModelStore> store;
  std::unique_ptr<Inference> inference;
  std::unique_ptr<Batcher> batcher;
  std::unique_ptr<RestApi> rest;
  std::unique_ptr<KServeApi> kserve;
  std::unique_ptr<HttpServer> http;
  std::unique_ptr<GrpcServer> grpc;
  std::string metrics_path = "/monitoring/prometheus/metrics";
  bool metrics_enabled = true;

  std::mutex config_mu;
  std::condition_variable config_cv;
  bool stopping = false;
  std::thread config_poller;

  void log(const std::string& line) const {
    if (options.log) {
      options.log(line);
    } else {
      std::cerr << line << std::endl;
    }
  }

  StatusOr<std::vector<ModelEntry>> configured_models() const {
    if (!options.model_config_file.empty()) {
      TFPORT_ASSIGN_OR_RETURN(auto config, read_model_server_config(options.model_config_file));
      return model_entries(config);
    }
    ModelEntry e;
    e.name = options.model_name;
    e.base_path = options.model_base_path;
    return std::vector<ModelEntry>{e};
  }

  HttpResponse route(const HttpRequest& request) const {
    const std::string path = target_path(request.target);
    if (starts_with_icase(path, "/v1/")) {
      const std::string* encoding = request.header("content-encoding");
      if (encoding != nullptr && *encoding == "gzip") {
        // Decompressed up to 100 MiB, as TF Serving.
        auto body = gunzip(request.body, std::size_t{100} << 20);
        if (!body.ok()) {
          HttpResponse r;
          r.status = http_status_code(body.status());
          r.body = error_json(body.status().message());
          return r;
        }
        HttpRequest plain = request;
        plain.body = std::move(*body);
        return rest->handle(plain);
      }
      return rest->handle(request);
    }
    if (path == "/v2" || path.rfind("/v2/", 0) == 0) return kserve->handle(request);
    if (metrics_enabled && path == metrics_path && request.method == "GET") {
      HttpResponse r;
      r.content_type = "text/plain; version=0.0.4";
      r.body = metrics.prometheus_text();
      return r;
    }
    HttpResponse r;
    r.status = 404;
    r.content_type = "text/html";
    r.body = kNotFoundPage;
    return r;
  }
};

ModelServer::ModelServer(ServerOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
}

ModelServer::~ModelServer() { shutdown(std::chrono::milliseconds(0)); }

ModelStore& ModelServer::store() { return *impl_->store; }

Status ModelServer::start() {
  Impl& s = *impl_;
  const ServerOptions& o = s.options;
  if (o.model_base_path.empty() && o.model_config_file.empty()) {
    return invalid_argument_error("Both server_options.model_base_path and server_options.model_config_file are empty!");
  }
  if (!o.batching_parameters_file.empty() && !o.enable_batching) {
    return invalid_argument_error(
        "server_options.batching_parameters_file is set without setting server_options.enable_batching to true.");
  }
  RunExecutor::instance(o.run_threads);
  if (!o.monitoring_config_file.empty()) {
    TFPORT_ASSIGN_OR_RETURN(auto mc, read_monitoring_config(o.monitoring_config_file));
    s.metrics_enabled = mc.prometheus_config().enable();
    if (!mc.prometheus_config().path().empty()) s.metrics_path = mc.prometheus_config().path();
  }

  StoreOptions so;
  so.load.tag_set = o.saved_model_tags;
  so.load.allow_unsafe_ops = o.allow_unsafe_ops;
  so.poll_seconds = o.file_system_poll_wait_seconds;
  so.allow_labels_for_unavailable = o.allow_version_labels_for_unavailable_models;
  so.on_load = [&s](const std::string& model, bool ok) { s.metrics.record_load(model, ok); };
  so.log = [&s](const std::string& line) { s.log(line); };
  so.warmup = [&s](const Servable& servable) { return run_warmup(*s.inference, servable); };
  s.store = std::make_unique<ModelStore>(std::move(so));
  s.inference = std::make_unique<Inference>(s.store.get(), o.limits);
  if (o.enable_batching) {
    BatchingOptions bo;
    if (!o.batching_parameters_file.empty()) {
      TFPORT_ASSIGN_OR_RETURN(bo, read_batching_parameters(o.batching_parameters_file));
    }
    s.batcher = std::make_unique<Batcher>(bo);
    s.inference->set_batcher(s.batcher.get());
  }

  TFPORT_ASSIGN_OR_RETURN(auto models, s.configured_models());
  TFPORT_RETURN_IF_ERROR(s.store->set_config(std::move(models)));
  s.store->start_polling();

  s.rest = std::make_unique<RestApi>(
      s.inference.get(), &s.metrics,
      RestOptions{o.rest_api_enable_cors_support, std::chrono::milliseconds(o.rest_api_timeout_in_ms)});
  s.kserve = std::make_unique<KServeApi>(s.inference.get(), &s.metrics);

  if (o.port != 0 || o.grpc_any_port) {
    GrpcOptions go;
    go.address = o.address;
    go.port = o.grpc_any_port ? 0 : o.port;
    go.max_message_bytes = o.limits.max_request_bytes;
    go.reload_config = [&s](const tensorflow::serving::ModelServerConfig& config) -> Status {
      TFPORT_ASSIGN_OR_RETURN(auto entries, model_entries(config));
      return s.store->set_config(std::move(entries));
    };
    s.grpc = std::make_unique<GrpcServer>(s.inference.get(), &s.metrics, std::move(go));
    TFPORT_RETURN_IF_ERROR(s.grpc->start());
    s.log("Running gRPC ModelServer at " + o.address + ":" + std::to_string(s.grpc->port()) + " ...");
  } else {
    return invalid_argument_error("At least one of server_options.grpc_port or server_options.grpc_socket_path must be set.");
  }

  if (o.rest_api_port != 0 || o.rest_any_port) {
    if (!o.rest_any_port && o.rest_api_port == o.port) {
      s.log("The REST API port must differ from the gRPC port; REST is not started");
    } else {
      HttpServerOptions ho;
      ho.address = o.address;
      ho.port = o.rest_any_port ? 0 : o.rest_api_port;
      ho.threads = o.rest_api_num_threads > 0 ? o.rest_api_num_threads
                                              : 4 * static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
      ho.read_timeout = std::chrono::milliseconds(o.rest_api_timeout_in_ms);
      ho.max_body_bytes = o.limits.max_request_bytes;
      s.http = std::make_unique<HttpServer>(ho, [&s](const HttpRequest& r) { return s.route(r); });
      TFPORT_RETURN_IF_ERROR(s.http->start());
      s.log("Exporting HTTP/REST API at:localhost:" + std::to_string(s.http->port()) + " ...");
    }
  }

  if (!o.model_config_file.empty() && o.model_config_file_poll_wait_seconds > 0) {
    s.config_poller = std::thread([&s] {
      std::unique_lock lock(s.config_mu);
      while (!s.stopping) {
        s.config_cv.wait_for(lock, std::chrono::duration<double>(s.options.model_config_file_poll_wait_seconds),
                             [&s] { return s.stopping; });
        if (s.stopping) break;
        lock.unlock();
        auto models = s.configured_models();
        Status st = models.ok() ? s.store->set_config(std::move(*models)) : models.status();
        if (!st.ok()) s.log("Failed to apply the model config file: " + st.message());
        lock.lock();
      }
    });
  }
  return Status::OK();
}

int ModelServer::grpc_port() const { return impl_->grpc ? impl_->grpc->port() : 0; }
int ModelServer::rest_port() const { return impl_->http ? impl_->http->port() : 0; }

void ModelServer::shutdown(std::chrono::milliseconds drain) {
  Impl& s = *impl_;
  {
    std::lock_guard lock(s.config_mu);
    s.stopping = true;
  }
  s.config_cv.notify_all();
  if (s.config_poller.joinable()) s.config_poller.join();
  // Both servers stop accepting first, then wait for their requests in flight.
  std::thread grpc_stop([&s, drain] {
    if (s.grpc) s.grpc->shutdown(drain);
  });
  if (s.http) s.http->shutdown(drain);
  grpc_stop.join();
  if (s.store) s.store->stop();
  s.batcher.reset();
}

}  // namespace tfport::serving
