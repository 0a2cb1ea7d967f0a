#include "cli/structured_value_repr.h"

#include <algorithm>
#include <vector>

#include "cli/python_repr.h"

namespace tfport::cli {
namespace {

using tensorflow::StructuredValue;

// Python class names of tf.TypeSpec subclasses, by TypeSpecProto.TypeSpecClass.
std::string type_spec_class_name(const tensorflow::TypeSpecProto& spec) {
  if (!spec.type_spec_class_name().empty()) return spec.type_spec_class_name();
  switch (spec.type_spec_class()) {
    case tensorflow::TypeSpecProto::SPARSE_TENSOR_SPEC: return "SparseTensorSpec";
    case tensorflow::TypeSpecProto::INDEXED_SLICES_SPEC: return "IndexedSlicesSpec";
    case tensorflow::TypeSpecProto::RAGGED_TENSOR_SPEC: return "RaggedTensorSpec";
    case tensorflow::TypeSpecProto::TENSOR_ARRAY_SPEC: return "TensorArraySpec";
    case tensorflow::TypeSpecProto::DATA_DATASET_SPEC: return "DatasetSpec";
    case tensorflow::TypeSpecProto::DATA_ITERATOR_SPEC: return "IteratorSpec";
    case tensorflow::TypeSpecProto::OPTIONAL_SPEC: return "OptionalSpec";
    case tensorflow::TypeSpecProto::PER_REPLICA_SPEC: return "PerReplicaSpec";
    case tensorflow::TypeSpecProto::VARIABLE_SPEC: return "VariableSpec";
    case tensorflow::TypeSpecProto::ROW_PARTITION_SPEC: return "RowPartitionSpec";
    default: return "TypeSpec";
  }
}

std::string tensor_shape_repr(const tensorflow::TensorShapeProto& shape) {
  if (shape.unknown_rank()) return "TensorShape(None)";
  std::string out = "TensorShape([";
  for (int i = 0; i < shape.dim_size(); ++i) {
    if (i) out += ", ";
    out += shape.dim(i).size() < 0 ? "None" : std::to_string(shape.dim(i).size());
  }
  return out + "])";
}

std::string sequence_repr(const google::protobuf::RepeatedPtrField<StructuredValue>& values, char open,
                          char close) {
  std::string out(1, open);
  for (int i = 0; i < values.size(); ++i) out += (i ? ", " : "") + structured_value_repr(values[i]);
  if (open == '(' && values.size() == 1) out += ",";
  return out + close;
}

}  // namespace

std::string structured_value_repr(const StructuredValue& v) {
  switch (v.kind_case()) {
    case StructuredValue::kNoneValue: return "None";
    case StructuredValue::kFloat64Value: return python_repr_of_float(v.float64_value());
    case StructuredValue::kInt64Value: return std::to_string(v.int64_value());
    case StructuredValue::kStringValue: return python_str_repr(v.string_value());
    case StructuredValue::kBoolValue: return v.bool_value() ? "True" : "False";
    case StructuredValue::kTensorShapeValue: return tensor_shape_repr(v.tensor_shape_value());
    case StructuredValue::kTensorDtypeValue: return python_dtype_repr(v.tensor_dtype_value());
    case StructuredValue::kTensorSpecValue: {
      const auto& s = v.tensor_spec_value();
      return python_tensor_spec_repr(s.shape(), s.dtype(), s.name());
    }
    case StructuredValue::kBoundedTensorSpecValue: {
      // minimum/maximum are numpy arrays in Python; shown here without their values.
      const auto& s = v.bounded_tensor_spec_value();
      std::string spec = python_tensor_spec_repr(s.shape(), s.dtype(), s.name());
      return "Bounded" + spec.substr(0, spec.size() - 1) + ", minimum=array(...), maximum=array(...))";
    }
    case StructuredValue::kTypeSpecValue: {
      // TypeSpec.__repr__ is the class name followed by repr() of its serialized state tuple.
      const auto& s = v.type_spec_value();
      std::string state = s.has_type_state() ? structured_value_repr(s.type_state()) : "()";
      return type_spec_class_name(s) + state;
    }
    case StructuredValue::kListValue: return sequence_repr(v.list_value().values(), '[', ']');
    case StructuredValue::kTupleValue: return sequence_repr(v.tuple_value().values(), '(', ')');
    case StructuredValue::kDictValue: {
      std::vector<std::string> keys;
      for (const auto& [key, value] : v.dict_value().fields()) keys.push_back(key);
      std::sort(keys.begin(), keys.end());
      std::string out = "{";
      for (size_t i = 0; i < keys.size(); ++i) {
        out += (i ? ", " : "") + python_str_repr(keys[i]) + ": " +
               structured_value_repr(v.dict_value().fields().at(keys[i]));
      }
      return out + "}";
    }
    case StructuredValue::kNamedTupleValue: {
      const auto& t = v.named_tuple_value();
      std::string out = t.name() + "(";
      for (int i = 0; i < t.values_size(); ++i) {
        out += (i ? ", " : "") + t.values(i).key() + "=" + structured_value_repr(t.values(i).value());
      }
      return out + ")";
    }
    case StructuredValue::kTensorValue:
    case StructuredValue::kNumpyValue: return "array(...)";
    case StructuredValue::KIND_NOT_SET: break;
  }
  return "None";
}

std::string structured_value_str(const StructuredValue& v) {
  switch (v.kind_case()) {
    case StructuredValue::kStringValue: return v.string_value();
    case StructuredValue::kTensorShapeValue: return python_tensor_shape_str(v.tensor_shape_value());
    case StructuredValue::kTensorDtypeValue: {
      std::string repr = python_dtype_repr(v.tensor_dtype_value());  // "tf.float32"
      return "<dtype: '" + repr.substr(3) + "'>";
    }
    default: return structured_value_repr(v);
  }
}

std::string structured_value_type_name(const StructuredValue& v) {
  switch (v.kind_case()) {
    case StructuredValue::kNoneValue: return "NoneType";
    case StructuredValue::kFloat64Value: return "float";
    case StructuredValue::kInt64Value: return "int";
    case StructuredValue::kStringValue: return "str";
    case StructuredValue::kBoolValue: return "bool";
    case StructuredValue::kTensorShapeValue: return "TensorShape";
    case StructuredValue::kTensorDtypeValue: return "DType";
    case StructuredValue::kTensorSpecValue: return "TensorSpec";
    case StructuredValue::kBoundedTensorSpecValue: return "BoundedTensorSpec";
    case StructuredValue::kTypeSpecValue: return type_spec_class_name(v.type_spec_value());
    case StructuredValue::kListValue: return "list";
    case StructuredValue::kTupleValue: return "tuple";
    case StructuredValue::kDictValue: return "dict";
    case StructuredValue::kNamedTupleValue: return v.named_tuple_value().name();
    case StructuredValue::kTensorValue: return "EagerTensor";
    case StructuredValue::kNumpyValue: return "ndarray";
    case StructuredValue::KIND_NOT_SET: break;
  }
  return "NoneType";
}

}  // namespace tfport::cli
