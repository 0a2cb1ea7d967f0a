#include "runtime/tensor_proto.h"

#include <cstring>
#include <string>
#include <type_traits>

#include <Eigen/Core>

namespace tfport::runtime {
namespace {

// A splatted constant (few values, large shape) costs memory the file does not hold; cap it.
constexpr std::size_t kMaxSplatBytes = std::size_t{1} << 30;

template <typename Dst, typename Src>
Status fill_from_list(Tensor& t, const Src& list, const char* field) {
  const int64_t n = t.num_elements();
  Dst* out = t.mutable_data<Dst>();
  const int64_t have = list.size();
  if (have > n) {
    return invalid_argument_error("TensorProto for " + t.description() + " has " + std::to_string(have) +
                                  " values in " + field);
  }
  for (int64_t i = 0; i < n; ++i) {
    if (have == 0) break;  // zeros already
    auto v = list.Get(static_cast<int>(i < have ? i : have - 1));
    if constexpr (std::is_same_v<Dst, Eigen::half> || std::is_same_v<Dst, Eigen::bfloat16>) {
      static_cast<uint16_t*>(t.mutable_raw_data())[i] = static_cast<uint16_t>(v);
    } else {
      out[i] = static_cast<Dst>(v);
    }
  }
  return Status::OK();
}

}  // namespace

StatusOr<PartialShape> partial_shape_from_proto(const tensorflow::TensorShapeProto& proto) {
  if (proto.unknown_rank()) return PartialShape::unknown();
  std::vector<int64_t> dims;
  dims.reserve(static_cast<std::size_t>(proto.dim_size()));
  for (const auto& d : proto.dim()) {
    if (d.size() < -1) return invalid_argument_error("shape has a negative dimension " + std::to_string(d.size()));
    dims.push_back(d.size());
  }
  return PartialShape(std::move(dims));
}

StatusOr<Shape> shape_from_proto(const tensorflow::TensorShapeProto& proto) {
  if (proto.unknown_rank()) return invalid_argument_error("tensor shape has unknown rank");
  std::vector<int64_t> dims;
  dims.reserve(static_cast<std::size_t>(proto.dim_size()));
  for (const auto& d : proto.dim()) dims.push_back(d.size());
  return Shape::make(std::move(dims));
}

StatusOr<Tensor> tensor_from_proto(const tensorflow::TensorProto& proto) {
  const int32_t raw_type = static_cast<int32_t>(proto.dtype());
  if (!is_known_dtype_value(raw_type) || raw_type == 0) {
    return invalid_argument_error("TensorProto has invalid dtype " + std::to_string(raw_type));
  }
  const DType dtype = base_dtype(raw_type);
  TFPORT_ASSIGN_OR_RETURN(Shape shape, shape_from_proto(proto.tensor_shape()));
  const auto n = static_cast<uint64_t>(shape.num_elements());

  if (dtype == DType::kString) {
    if (static_cast<uint64_t>(proto.string_val_size()) > n) {
      return invalid_argument_error("TensorProto string tensor of shape " + shape.to_string() + " has " +
                                    std::to_string(proto.string_val_size()) + " values");
    }
    TFPORT_ASSIGN_OR_RETURN(Tensor t, Tensor::allocate(dtype, shape, kMaxSplatBytes));
    auto& strings = t.mutable_strings();
    const int have = proto.string_val_size();
    for (uint64_t i = 0; i < n && have > 0; ++i) {
      strings[i] = proto.string_val(static_cast<int>(i < static_cast<uint64_t>(have) ? i : have - 1));
    }
    return t;
  }

  const std::size_t elem = element_storage_size(dtype);
  if (elem == 0) {
    return unimplemented_error("TensorProto of type " + std::string(dtype_name(dtype)) + " is not supported");
  }
  if (!proto.tensor_content().empty()) {
    const std::string& content = proto.tensor_content();
    if (n > content.size() / elem || n * elem != content.size()) {
      return invalid_argument_error("TensorProto tensor_content has " + std::to_string(content.size()) +
                                    " bytes, shape " + shape.to_string() + " of " +
                                    std::string(dtype_python_name(dtype)) + " needs " +
                                    std::to_string(n * elem));
    }
    TFPORT_ASSIGN_OR_RETURN(Tensor t, Tensor::allocate(dtype, shape));
    if (!content.empty()) std::memcpy(t.mutable_raw_data(), content.data(), content.size());
    return t;
  }

  TFPORT_ASSIGN_OR_RETURN(Tensor t, Tensor::allocate(dtype, shape, kMaxSplatBytes));
  switch (dtype) {
    case DType::kFloat: TFPORT_RETURN_IF_ERROR((fill_from_list<float>(t, proto.float_val(), "float_val"))); break;
    case DType::kDouble: TFPORT_RETURN_IF_ERROR((fill_from_list<double>(t, proto.double_val(), "double_val"))); break;
    case DType::kInt32:
    case DType::kQInt32: TFPORT_RETURN_IF_ERROR((fill_from_list<int32_t>(t, proto.int_val(), "int_val"))); break;
    case DType::kInt16:
    case DType::kQInt16: TFPORT_RETURN_IF_ERROR((fill_from_list<int16_t>(t, proto.int_val(), "int_val"))); break;
    case DType::kInt8:
    case DType::kQInt8: TFPORT_RETURN_IF_ERROR((fill_from_list<int8_t>(t, proto.int_val(), "int_val"))); break;
    case DType::kUInt8:
    case DType::kQUInt8: TFPORT_RETURN_IF_ERROR((fill_from_list<uint8_t>(t, proto.int_val(), "int_val"))); break;
    case DType::kUInt16:
    case DType::kQUInt16: TFPORT_RETURN_IF_ERROR((fill_from_list<uint16_t>(t, proto.int_val(), "int_val"))); break;
    case DType::kInt64: TFPORT_RETURN_IF_ERROR((fill_from_list<int64_t>(t, proto.int64_val(), "int64_val"))); break;
    case DType::kUInt32: TFPORT_RETURN_IF_ERROR((fill_from_list<uint32_t>(t, proto.uint32_val(), "uint32_val"))); break;
    case DType::kUInt64: TFPORT_RETURN_IF_ERROR((fill_from_list<uint64_t>(t, proto.uint64_val(), "uint64_val"))); break;
    case DType::kBool: TFPORT_RETURN_IF_ERROR((fill_from_list<bool>(t, proto.bool_val(), "bool_val"))); break;
    case DType::kHalf: TFPORT_RETURN_IF_ERROR((fill_from_list<Eigen::half>(t, proto.half_val(), "half_val"))); break;
    case DType::kBFloat16:
      TFPORT_RETURN_IF_ERROR((fill_from_list<Eigen::bfloat16>(t, proto.half_val(), "half_val")));
      break;
    default:
      return unimplemented_error("TensorProto values of type " + std::string(dtype_name(dtype)) +
                                 " are only supported in tensor_content");
  }
  return t;
}

}  // namespace tfport::runtime
