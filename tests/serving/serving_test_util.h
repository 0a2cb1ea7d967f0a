// Helpers for the serving tests: a real server on loopback ports, a real HTTP client
// (Boost.Beast) and a real gRPC channel.
#pragma once

#include <memory>
#include <string>

#include "serving/server.h"
#include "support/test_support.h"

namespace tfport::serving::testing {

struct HttpResult {
  int status = 0;
  std::string content_type;
  std::string body;
};

// One request on a fresh connection to 127.0.0.1:port.
HttpResult http(int port, const std::string& method, const std::string& target, const std::string& body = "");

// A keep-alive HTTP connection for load tests.
class HttpConnection {
 public:
  explicit HttpConnection(int port);
  ~HttpConnection();
  HttpResult request(const std::string& method, const std::string& target, const std::string& body = "");

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// A server on free loopback ports serving the given options (ports are overridden).
std::unique_ptr<ModelServer> start_server(ServerOptions options);

// tfserving/<name> under the fixtures.
std::string tfserving_fixture(const std::string& name);

}  // namespace tfport::serving::testing
