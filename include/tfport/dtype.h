// Element types, numbered exactly as TensorFlow's DataType enum so that values read from
// protos convert with a cast. Reference types (DT_FLOAT_REF = 101, ...) are base + 100.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace tfport {

enum class DType : int32_t {
  kInvalid = 0,
  kFloat = 1,
  kDouble = 2,
  kInt32 = 3,
  kUInt8 = 4,
  kInt16 = 5,
  kInt8 = 6,
  kString = 7,
  kComplex64 = 8,
  kInt64 = 9,
  kBool = 10,
  kQInt8 = 11,
  kQUInt8 = 12,
  kQInt32 = 13,
  kBFloat16 = 14,
  kQInt16 = 15,
  kQUInt16 = 16,
  kUInt16 = 17,
  kComplex128 = 18,
  kHalf = 19,
  kResource = 20,
  kVariant = 21,
  kUInt32 = 22,
  kUInt64 = 23,
  kFloat8E5M2 = 24,
  kFloat8E4M3FN = 25,
  kFloat8E4M3FNUZ = 26,
  kFloat8E4M3B11FNUZ = 27,
  kFloat8E5M2FNUZ = 28,
  kInt4 = 29,
  kUInt4 = 30,
  kInt2 = 31,
  kUInt2 = 32,
  kFloat4E2M1FN = 33,
};

constexpr int32_t kDTypeRefOffset = 100;
constexpr int32_t kDTypeMaxValue = 33;

// True for every enum value TensorFlow defines, including the _REF variants.
bool is_known_dtype_value(int32_t value);

// "DT_FLOAT", "DT_FLOAT_REF" ...; "DT_INVALID" for 0; std::nullopt for unknown values.
std::optional<std::string_view> dtype_enum_name(int32_t value);
std::string_view dtype_name(DType dtype);  // "DT_FLOAT"

// NumPy/TF Python spelling: "float32", "int64", "string", "bool", "bfloat16", "complex64" ...
std::string_view dtype_python_name(DType dtype);

// Bytes per element for fixed-size types; 0 for string, resource, variant, invalid and the
// sub-byte types (int4/uint4/int2/uint2/float4), whose storage is one byte per element in
// checkpoints (see element_storage_size).
std::size_t dtype_size(DType dtype);

// Bytes one element occupies in a TensorFlow buffer or checkpoint: dtype_size, except the
// sub-byte integer/float types which TF stores as one byte each.
std::size_t element_storage_size(DType dtype);

// True for types whose elements are plain bytes (memcpy-able), i.e. element_storage_size > 0.
bool is_fixed_size(DType dtype);

inline bool is_ref_dtype(int32_t value) { return value > kDTypeRefOffset; }
inline DType base_dtype(int32_t value) {
  return static_cast<DType>(value > kDTypeRefOffset ? value - kDTypeRefOffset : value);
}

}  // namespace tfport
