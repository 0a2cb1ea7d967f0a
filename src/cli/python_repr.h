// Python's printed forms of values, as saved_model_cli shows them: repr() of str, list and
// set, float repr, TensorShape str, TensorSpec repr. Shared by the SavedModel show and scan
// printers so that their output matches TensorFlow byte for byte.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "tfport/tf/tensor_shape.pb.h"

namespace tfport::cli {

// repr(str): single quotes unless the text has ' and no " ; escapes \\, the quote, \t \n \r
// and non-printable code points (\xNN, \uNNNN); other UTF-8 is kept. Bytes that are not valid
// UTF-8 are escaped as \xNN (Python would show the surrogate escape).
std::string python_str_repr(std::string_view s);

// repr(list of str): "['a', 'b']"; "[]" when empty.
std::string python_list_repr(const std::vector<std::string>& items);

// repr(set of str) with the items sorted (TF prints hash order): "{'a', 'b'}", "set()".
std::string python_set_repr(const std::set<std::string>& items);

// repr(float): shortest round-trip digits; "1.0", "0.5", "1e-05", "1e+16", "inf", "nan".
std::string python_repr_of_float(double value);

// str(tf.TensorShape): "()", "(1,)", "(None, 3)", "<unknown>".
std::string python_tensor_shape_str(const tensorflow::TensorShapeProto& shape);

// repr(tf.DType) for a DataType value: "tf.float32", "tf.string", "tf.float32_ref".
std::string python_dtype_repr(int32_t dtype);

// repr(tf.TensorSpec): "TensorSpec(shape=(1,), dtype=tf.float32, name='x')"; name=None when
// the name is empty.
std::string python_tensor_spec_repr(const tensorflow::TensorShapeProto& shape, int32_t dtype,
                                    std::string_view name);

// saved_model_cli's TensorInfo dtype line: the DataType enum name, "DT_FLOAT_REF", or the
// number for values outside the enum.
std::string dtype_enum_text(int32_t dtype);

// saved_model_cli's TensorInfo shape: "unknown_rank", "()", "(1)", "(-1, 1)".
std::string signature_shape_text(const tensorflow::TensorShapeProto& shape);

}  // namespace tfport::cli
