// Python's str() and repr() of the values a StructuredValue decodes to (tuples, dicts,
// TensorSpecs, TypeSpecs ...), as TF2 SavedModel function signatures print in saved_model_cli.
#pragma once

#include <string>

#include "tfport/tf/struct.pb.h"

namespace tfport::cli {

// repr(value): "(TensorSpec(shape=(1,), dtype=tf.float32, name='x'),)", "{'a': 1}", "'s'".
std::string structured_value_repr(const tensorflow::StructuredValue& value);
// str(value): like repr except that a top-level str is not quoted and a dtype prints as
// "<dtype: 'float32'>".
std::string structured_value_str(const tensorflow::StructuredValue& value);
// type(value).__name__: "tuple", "dict", "int", "NoneType", "TensorSpec", "RaggedTensorSpec" ...
std::string structured_value_type_name(const tensorflow::StructuredValue& value);

}  // namespace tfport::cli
