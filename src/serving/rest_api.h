// TF Serving's REST API under /v1/: model status, metadata, predict, classify, regress, with
// its URL rules, JSON bodies and HTTP status codes (../shared/spec/tf_serving_rest.md).
#pragma once

#include <chrono>
#include <string>

#include "serving/http_types.h"
#include "serving/inference.h"

namespace tfport::serving {

class Metrics;

struct RestOptions {
  bool enable_cors = false;
  // TF Serving's --rest_api_timeout_in_ms: the deadline of each request's model run (0: none);
  // past it the request fails with 504 "Timed out waiting for notification".
  std::chrono::milliseconds timeout{0};
};

class RestApi {
 public:
  RestApi(const Inference* inference, Metrics* metrics, RestOptions options)
      : inference_(inference), metrics_(metrics), options_(options) {}

  // Handles a request whose path starts with /v1/ (case-insensitively).
  HttpResponse handle(const HttpRequest& request) const;

 private:
  HttpResponse dispatch(const HttpRequest& request, const std::string& path, std::string* model,
                        std::string* api) const;

  const Inference* inference_;
  Metrics* metrics_;
  RestOptions options_;
};

// JSON of a GetModelStatusResponse / of the metadata response, as TF Serving prints them.
StatusOr<std::string> status_json(const tensorflow::serving::GetModelStatusResponse& response);
StatusOr<std::string> metadata_json(const tensorflow::serving::GetModelMetadataResponse& response);

// The path of a request target without its query string.
std::string target_path(const std::string& target);
// %XX decoding ('+' is kept); false on a malformed escape.
bool url_decode(const std::string& in, std::string* out);

}  // namespace tfport::serving
