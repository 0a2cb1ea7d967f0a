// The KServe Open Inference Protocol (v2) over gRPC (inference.GRPCInferenceService), beside
// TF Serving's services on the same port: liveness, readiness, server and model metadata, and
// ModelInfer with typed or raw tensor contents. As over REST, tensor names are the signature's
// keys, and the signature is `serving_default` unless the request's parameters carry
// "signature_name".
#pragma once

#include <memory>

#include <grpcpp/impl/service_type.h>

#include "serving/inference.h"

namespace tfport::serving {

class Metrics;

std::unique_ptr<grpc::Service> make_kserve_grpc_service(const Inference* inference, Metrics* metrics);

}  // namespace tfport::serving
