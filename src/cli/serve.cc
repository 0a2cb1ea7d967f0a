#include "cli/serve.h"

#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <iostream>

namespace tfport::cli {

CLI::App* add_serve_command(CLI::App& app, serving::ServerOptions& o) {
  auto* cmd = app.add_subcommand("serve", "Serve models over TF Serving's REST and gRPC APIs (and KServe v2)");
  cmd->add_option("--port", o.port, "gRPC port (default 8500)");
  cmd->add_option("--rest_api_port", o.rest_api_port, "HTTP/REST port; 0 disables REST (default 0)");
  cmd->add_option("--rest_api_num_threads", o.rest_api_num_threads, "HTTP worker threads (default 4 x CPUs)");
  cmd->add_option("--rest_api_timeout_in_ms", o.rest_api_timeout_in_ms, "Per-request deadline of REST calls (model run) and read timeout (default 30000)");
  cmd->add_option("--rest_api_enable_cors_support", o.rest_api_enable_cors_support, "Add CORS headers")
      ->expected(0, 1)
      ->default_str("true");
  cmd->add_option("--model_name", o.model_name, "Model name without a config file (default 'default')");
  cmd->add_option("--model_base_path", o.model_base_path, "Base path with numbered versions (or one model file)");
  cmd->add_option("--model_config_file", o.model_config_file, "Text-format ModelServerConfig");
  cmd->add_option("--model_config_file_poll_wait_seconds", o.model_config_file_poll_wait_seconds,
                  "Re-read the config file this often (0: never)");
  cmd->add_option("--file_system_poll_wait_seconds", o.file_system_poll_wait_seconds,
                  "Scan base paths for new versions this often (default 1; 0: once)");
  cmd->add_option("--enable_batching", o.enable_batching, "Server-side batching")->expected(0, 1)->default_str("true");
  cmd->add_option("--batching_parameters_file", o.batching_parameters_file, "Text-format BatchingParameters");
  cmd->add_option("--monitoring_config_file", o.monitoring_config_file, "Text-format MonitoringConfig");
  cmd->add_option("--allow_version_labels_for_unavailable_models", o.allow_version_labels_for_unavailable_models,
                  "Allow labels on versions not yet available")
      ->expected(0, 1)
      ->default_str("true");
  cmd->add_option("--saved_model_tags", o.saved_model_tags, "Tag set to load (default serve)");
  cmd->add_option("--allow_unsafe_ops", o.allow_unsafe_ops, "Allow ops that touch files, network, processes")
      ->expected(0, 1)
      ->default_str("true");
  cmd->add_option("--run_threads", o.run_threads,
                  "Threads that run models, each with its own intra-op team (default 1: on a small machine "
                  "more teams than cores make every op slower); tiny runs stay on the request's thread");
  cmd->add_option("--max_request_bytes", o.limits.max_request_bytes, "Largest request body / gRPC message");
  cmd->add_option("--max_tensor_bytes", o.limits.max_tensor_bytes, "Largest decoded input tensor");
  return cmd;
}

namespace {

int g_signal_pipe[2] = {-1, -1};

// Async-signal-safe: hands the signal number to the main thread through a pipe, whichever
// thread (ours or a library's) the kernel delivered it to.
void on_stop_signal(int sig) {
  const unsigned char b = static_cast<unsigned char>(sig);
  [[maybe_unused]] ssize_t n = write(g_signal_pipe[1], &b, 1);
}

}  // namespace

Status run_serve(const serving::ServerOptions& options) {
  if (pipe(g_signal_pipe) != 0) return internal_error("could not create the signal pipe");
  struct sigaction sa {};
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGINT, &sa, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  serving::ModelServer server(options);
  TFPORT_RETURN_IF_ERROR(server.start());
  unsigned char sig = 0;
  while (read(g_signal_pipe[0], &sig, 1) < 0 && errno == EINTR) {
  }
  std::cerr << "Received " << (sig == SIGTERM ? "SIGTERM" : "SIGINT") << ", draining requests in flight" << std::endl;
  server.shutdown(std::chrono::milliseconds(options.rest_api_timeout_in_ms));
  std::cerr << "Server stopped" << std::endl;
  return Status::OK();
}

}  // namespace tfport::cli
