#include "serving/tensor_codec.h"

#include <cstring>

#include "runtime/tensor_proto.h"

namespace tfport::serving {

std::string_view tf_type_name(DType dtype) {
  switch (dtype) {
    case DType::kFloat: return "float";
    case DType::kDouble: return "double";
    case DType::kInt32: return "int32";
    case DType::kUInt8: return "uint8";
    case DType::kInt16: return "int16";
    case DType::kInt8: return "int8";
    case DType::kString: return "string";
    case DType::kComplex64: return "complex64";
    case DType::kInt64: return "int64";
    case DType::kBool: return "bool";
    case DType::kBFloat16: return "bfloat16";
    case DType::kUInt16: return "uint16";
    case DType::kComplex128: return "complex128";
    case DType::kHalf: return "half";
    case DType::kResource: return "resource";
    case DType::kVariant: return "variant";
    case DType::kUInt32: return "uint32";
    case DType::kUInt64: return "uint64";
    default: return "unknown";
  }
}

Status tensor_to_proto(const Tensor& t, tensorflow::TensorProto* proto) {
  proto->set_dtype(static_cast<tensorflow::DataType>(t.dtype()));
  auto* shape = proto->mutable_tensor_shape();
  for (int64_t d : t.shape().dims()) shape->add_dim()->set_size(d);
  const int64_t n = t.num_elements();
  switch (t.dtype()) {
    case DType::kFloat:
      proto->mutable_float_val()->Add(t.data<float>(), t.data<float>() + n);
      break;
    case DType::kDouble:
      proto->mutable_double_val()->Add(t.data<double>(), t.data<double>() + n);
      break;
    case DType::kInt32:
      proto->mutable_int_val()->Add(t.data<int32_t>(), t.data<int32_t>() + n);
      break;
    case DType::kInt16:
      for (int64_t i = 0; i < n; ++i) proto->add_int_val(t.data<int16_t>()[i]);
      break;
    case DType::kInt8:
      for (int64_t i = 0; i < n; ++i) proto->add_int_val(t.data<int8_t>()[i]);
      break;
    case DType::kUInt8:
      for (int64_t i = 0; i < n; ++i) proto->add_int_val(t.data<uint8_t>()[i]);
      break;
    case DType::kUInt16:
      for (int64_t i = 0; i < n; ++i) proto->add_int_val(t.data<uint16_t>()[i]);
      break;
    case DType::kInt64:
      proto->mutable_int64_val()->Add(t.data<int64_t>(), t.data<int64_t>() + n);
      break;
    case DType::kUInt32:
      proto->mutable_uint32_val()->Add(t.data<uint32_t>(), t.data<uint32_t>() + n);
      break;
    case DType::kUInt64:
      proto->mutable_uint64_val()->Add(t.data<uint64_t>(), t.data<uint64_t>() + n);
      break;
    case DType::kBool:
      for (int64_t i = 0; i < n; ++i) proto->add_bool_val(t.data<bool>()[i]);
      break;
    case DType::kHalf:
    case DType::kBFloat16:
      for (int64_t i = 0; i < n; ++i) {
        uint16_t bits;
        std::memcpy(&bits, static_cast<const char*>(t.raw_data()) + 2 * i, 2);
        proto->add_half_val(bits);
      }
      break;
    case DType::kString:
      for (const std::string& s : t.strings()) proto->add_string_val(s);
      break;
    default:
      return invalid_argument_error("Failed to write tensor of type: " + std::string(tf_type_name(t.dtype())));
  }
  return Status::OK();
}

StatusOr<Tensor> tensor_from_request_proto(const tensorflow::TensorProto& proto, std::size_t max_bytes) {
  int64_t n = 1;
  for (const auto& d : proto.tensor_shape().dim()) {
    if (d.size() < 0) return invalid_argument_error("tensor shape has a negative dimension");
    if (d.size() > 0 && n > (int64_t{1} << 40) / d.size()) return invalid_argument_error("tensor shape too large");
    n *= d.size();
  }
  const std::size_t elem = dtype_size(static_cast<DType>(proto.dtype()));
  if (elem > 0 && static_cast<std::size_t>(n) * elem > max_bytes) {
    return resource_exhausted_error("tensor of " + std::to_string(n) + " elements exceeds the server's tensor size limit of " +
                                    std::to_string(max_bytes) + " bytes");
  }
  return runtime::tensor_from_proto(proto);
}

}  // namespace tfport::serving
