// A Tensor as a TensorProto (a Const node's `value`), the inverse of tensor_from_proto:
// fixed-size types in tensor_content (TF's compact form), strings as string_val.
#pragma once

#include "tfport/status.h"
#include "tfport/tensor.h"
#include "tfport/tf/tensor.pb.h"

namespace tfport::runtime {

// INVALID_ARGUMENT for invalid, resource and variant tensors.
StatusOr<tensorflow::TensorProto> tensor_to_proto(const Tensor& tensor);

}  // namespace tfport::runtime
