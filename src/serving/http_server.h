// The HTTP/1.1 server (Boost.Beast over Asio): keep-alive connections served by a fixed pool
// of threads, per-read timeouts so slow or abandoned clients are dropped instead of holding a
// worker, a body size limit, and a graceful shutdown that finishes in-flight requests.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "serving/http_types.h"
#include "tfport/status.h"

namespace tfport::serving {

struct HttpServerOptions {
  std::string address = "0.0.0.0";
  int port = 0;  // 0: any free port (see HttpServer::port())
  int threads = 4;
  std::chrono::milliseconds read_timeout{30000};  // per request, headers and body
  std::size_t max_body_bytes = std::size_t{64} << 20;
};

class HttpServer {
 public:
  using Handler = std::function<HttpResponse(const HttpRequest&)>;
  HttpServer(HttpServerOptions options, Handler handler);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  Status start();
  int port() const;
  // Stops accepting, lets requests in flight finish (up to `drain`), then stops.
  void shutdown(std::chrono::milliseconds drain);

  struct Impl;  // public so the connection code in the .cc can reach it

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace tfport::serving
