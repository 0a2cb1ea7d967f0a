// KServe Open Inference Protocol v2 over REST (/v2/...): liveness, readiness, server and model
// metadata, and infer. Tensor names are the signature's keys; the signature is
// `serving_default` unless the request's "parameters" carry {"signature_name": "..."}.
#pragma once

#include "serving/http_types.h"
#include "serving/inference.h"

namespace tfport::serving {

class Metrics;

class KServeApi {
 public:
  KServeApi(const Inference* inference, Metrics* metrics) : inference_(inference), metrics_(metrics) {}
  // Handles a request whose path starts with /v2.
  HttpResponse handle(const HttpRequest& request) const;

 private:
  const Inference* inference_;
  Metrics* metrics_;
};

// "FP32" for DT_FLOAT etc.; "" for dtypes the protocol has no name for.
std::string_view kserve_datatype(DType dtype);
// The inverse; kInvalid for names the protocol does not have.
DType dtype_from_kserve(std::string_view name);

}  // namespace tfport::serving
