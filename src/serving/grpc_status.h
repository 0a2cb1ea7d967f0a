// A tfport Status as the gRPC status TF Serving's and KServe's gRPC clients see: TensorFlow's
// error code (the same numbers as gRPC's) and the message.
#pragma once

#include <grpcpp/support/status.h>

#include "serving/inference.h"

namespace tfport::serving {

inline grpc::Status to_grpc(const Status& s) {
  if (s.ok()) return grpc::Status::OK;
  return grpc::Status(static_cast<grpc::StatusCode>(tf_error_code(s)), s.message());
}

}  // namespace tfport::serving
