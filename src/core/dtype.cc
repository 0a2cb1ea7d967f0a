#include "tfport/dtype.h"

#include <array>
#include <string>

namespace tfport {
namespace {

struct DTypeInfo {
  std::string_view enum_name;  // without the "DT_" prefix, as it appears in types.proto
  std::string_view python_name;
  std::size_t size;
  std::size_t storage_size;
};

// Indexed by enum value 0..33.
constexpr std::array<DTypeInfo, kDTypeMaxValue + 1> kInfo = {{
    {"INVALID", "invalid", 0, 0},
    {"FLOAT", "float32", 4, 4},
    {"DOUBLE", "float64", 8, 8},
    {"INT32", "int32", 4, 4},
    {"UINT8", "uint8", 1, 1},
    {"INT16", "int16", 2, 2},
    {"INT8", "int8", 1, 1},
    {"STRING", "string", 0, 0},
    {"COMPLEX64", "complex64", 8, 8},
    {"INT64", "int64", 8, 8},
    {"BOOL", "bool", 1, 1},
    {"QINT8", "qint8", 1, 1},
    {"QUINT8", "quint8", 1, 1},
    {"QINT32", "qint32", 4, 4},
    {"BFLOAT16", "bfloat16", 2, 2},
    {"QINT16", "qint16", 2, 2},
    {"QUINT16", "quint16", 2, 2},
    {"UINT16", "uint16", 2, 2},
    {"COMPLEX128", "complex128", 16, 16},
    {"HALF", "float16", 2, 2},
    {"RESOURCE", "resource", 0, 0},
    {"VARIANT", "variant", 0, 0},
    {"UINT32", "uint32", 4, 4},
    {"UINT64", "uint64", 8, 8},
    {"FLOAT8_E5M2", "float8_e5m2", 1, 1},
    {"FLOAT8_E4M3FN", "float8_e4m3fn", 1, 1},
    {"FLOAT8_E4M3FNUZ", "float8_e4m3fnuz", 1, 1},
    {"FLOAT8_E4M3B11FNUZ", "float8_e4m3b11fnuz", 1, 1},
    {"FLOAT8_E5M2FNUZ", "float8_e5m2fnuz", 1, 1},
    {"INT4", "int4", 0, 1},
    {"UINT4", "uint4", 0, 1},
    {"INT2", "int2", 0, 1},
    {"UINT2", "uint2", 0, 1},
    {"FLOAT4_E2M1FN", "float4_e2m1fn", 0, 1},
}};

// Full enum names live in a static table so string_views stay valid.
struct NameTable {
  std::array<std::string, kDTypeMaxValue + 1> plain;
  std::array<std::string, kDTypeMaxValue + 1> ref;
  NameTable() {
    for (std::size_t i = 0; i < kInfo.size(); ++i) {
      plain[i] = "DT_" + std::string(kInfo[i].enum_name);
      ref[i] = plain[i] + "_REF";
    }
  }
};
const NameTable& names() {
  static const NameTable table;
  return table;
}

}  // namespace

bool is_known_dtype_value(int32_t value) {
  if (value >= 0 && value <= kDTypeMaxValue) return true;
  return value > kDTypeRefOffset && value <= kDTypeRefOffset + kDTypeMaxValue;
}

std::optional<std::string_view> dtype_enum_name(int32_t value) {
  if (!is_known_dtype_value(value)) return std::nullopt;
  if (value > kDTypeRefOffset) return std::string_view(names().ref[value - kDTypeRefOffset]);
  return std::string_view(names().plain[value]);
}

std::string_view dtype_name(DType dtype) {
  return dtype_enum_name(static_cast<int32_t>(dtype)).value_or("DT_INVALID");
}

std::string_view dtype_python_name(DType dtype) {
  int32_t v = static_cast<int32_t>(dtype);
  if (v > kDTypeRefOffset) v -= kDTypeRefOffset;
  if (v < 0 || v > kDTypeMaxValue) return "invalid";
  return kInfo[v].python_name;
}

std::size_t dtype_size(DType dtype) {
  int32_t v = static_cast<int32_t>(dtype);
  if (v < 0 || v > kDTypeMaxValue) return 0;
  return kInfo[v].size;
}

std::size_t element_storage_size(DType dtype) {
  int32_t v = static_cast<int32_t>(dtype);
  if (v < 0 || v > kDTypeMaxValue) return 0;
  return kInfo[v].storage_size;
}

bool is_fixed_size(DType dtype) { return element_storage_size(dtype) > 0; }

}  // namespace tfport
