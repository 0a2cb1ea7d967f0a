// Tensor <-> TensorProto for TF Serving's wire format: responses use the typed value fields
// (float_val, int_val, ...) as TF Serving writes them; requests may use either those fields or
// tensor_content.
#pragma once

#include <string>
#include <string_view>

#include "tfport/status.h"
#include "tfport/tensor.h"
#include "tfport/tf/tensor.pb.h"

namespace tfport::serving {

// TF's DataTypeString names: "float", "double", "int32", "string", "bool", "half", ...
std::string_view tf_type_name(DType dtype);

// Fills `proto` (dtype, shape, typed values). Fails for dtypes TF Serving cannot return.
Status tensor_to_proto(const Tensor& tensor, tensorflow::TensorProto* proto);

// A tensor from a request's TensorProto; sizes are checked before allocating.
StatusOr<Tensor> tensor_from_request_proto(const tensorflow::TensorProto& proto, std::size_t max_bytes);

}  // namespace tfport::serving
