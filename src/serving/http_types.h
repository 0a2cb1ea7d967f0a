// Transport-neutral HTTP request/response, so the REST handlers are testable without sockets.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace tfport::serving {

struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string target;  // path and query, still percent-encoded
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // lower-case names

  const std::string* header(const std::string& lower_name) const {
    for (const auto& [k, v] : headers) {
      if (k == lower_name) return &v;
    }
    return nullptr;
  }
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

}  // namespace tfport::serving
