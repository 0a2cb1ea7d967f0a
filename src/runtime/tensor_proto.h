// Decoding a TensorFlow TensorProto (Const values, `value` attributes) into a Tensor.
//
//   TFPORT_ASSIGN_OR_RETURN(Tensor t, tensor_from_proto(attr.tensor()));
#pragma once

#include "tfport/shape.h"
#include "tfport/status.h"
#include "tfport/tensor.h"
#include "tfport/tf/tensor.pb.h"
#include "tfport/tf/tensor_shape.pb.h"

namespace tfport::runtime {

// A concrete shape (every dim known, rank known) from a TensorShapeProto.
StatusOr<Shape> shape_from_proto(const tensorflow::TensorShapeProto& proto);
// A static shape (unknown dims -1, maybe unknown rank).
StatusOr<PartialShape> partial_shape_from_proto(const tensorflow::TensorShapeProto& proto);

// Follows TensorFlow's rules: `tensor_content` holds the raw little-endian bytes; otherwise the
// typed value list is used, and a list shorter than the element count repeats its last value
// (an empty list means zeros). Sizes are checked against the bytes present before allocating.
StatusOr<Tensor> tensor_from_proto(const tensorflow::TensorProto& proto);

}  // namespace tfport::runtime
