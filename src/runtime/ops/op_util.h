// Helpers every op family uses: input/attribute checks with node-naming errors, output
// allocation, dtype dispatch, reading int vectors from shape/axis tensors, and parallel loops
// on the context's Eigen thread pool.
//
//   TFPORT_RETURN_IF_ERROR(expect_inputs(ctx, kOp, 2));
//   TFPORT_ASSIGN_OR_RETURN(Tensor* out, add_output(ctx, kOp, DType::kFloat, shape));
//   return visit_dtype<kFloatTypes>(x.dtype(), [&](auto tag) { using T = typename decltype(tag)::type; ... });
#pragma once

#include <complex>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <Eigen/Core>

#include "runtime/kernel.h"

namespace tfport::runtime::ops {

template <typename T>
struct TypeTag {
  using type = T;
};

// Bit sets of dtypes for visit_dtype.
enum TypeBits : uint32_t {
  kF32 = 1u << 0,
  kF64 = 1u << 1,
  kI32 = 1u << 2,
  kI64 = 1u << 3,
  kU8 = 1u << 4,
  kI8 = 1u << 5,
  kI16 = 1u << 6,
  kU16 = 1u << 7,
  kU32 = 1u << 8,
  kU64 = 1u << 9,
  kBoolBit = 1u << 10,
  kF16 = 1u << 11,
  kBF16 = 1u << 12,
};
constexpr uint32_t kFloatTypes = kF32 | kF64;
constexpr uint32_t kIntTypes = kI32 | kI64 | kU8 | kI8 | kI16 | kU16 | kU32 | kU64;
constexpr uint32_t kRealTypes = kFloatTypes | kIntTypes;      // TF's "realnumbertypes" (minus half)
constexpr uint32_t kAllPlainTypes = kRealTypes | kBoolBit | kF16 | kBF16;
constexpr uint32_t kIndexTypes = kI32 | kI64;

// Calls f(TypeTag<T>{}) for the C++ type of `dtype` if its bit is in Mask; returns false (and
// does not call f) otherwise. Only the enabled types are instantiated.
template <uint32_t Mask, typename F>
bool visit_dtype(DType dtype, F&& f) {
#define TFPORT_VISIT_CASE(enum_value, bit, cpp)   \
  case DType::enum_value:                         \
    if constexpr ((Mask & (bit)) != 0) {          \
      f(TypeTag<cpp>{});                          \
      return true;                                \
    }                                             \
    return false;
  switch (dtype) {
    TFPORT_VISIT_CASE(kFloat, kF32, float)
    TFPORT_VISIT_CASE(kDouble, kF64, double)
    TFPORT_VISIT_CASE(kInt32, kI32, int32_t)
    TFPORT_VISIT_CASE(kInt64, kI64, int64_t)
    TFPORT_VISIT_CASE(kUInt8, kU8, uint8_t)
    TFPORT_VISIT_CASE(kInt8, kI8, int8_t)
    TFPORT_VISIT_CASE(kInt16, kI16, int16_t)
    TFPORT_VISIT_CASE(kUInt16, kU16, uint16_t)
    TFPORT_VISIT_CASE(kUInt32, kU32, uint32_t)
    TFPORT_VISIT_CASE(kUInt64, kU64, uint64_t)
    TFPORT_VISIT_CASE(kBool, kBoolBit, bool)
    TFPORT_VISIT_CASE(kHalf, kF16, Eigen::half)
    TFPORT_VISIT_CASE(kBFloat16, kBF16, Eigen::bfloat16)
    default:
      return false;
  }
#undef TFPORT_VISIT_CASE
}

// The DType of a C++ element type.
template <typename T>
constexpr DType dtype_of();

// The TypeBits bit of a dtype (0 for types no kernel handles).
uint32_t dtype_bit(DType dtype);

// If the node has type attribute `name` (e.g. "T"), checks it is one of `mask` so an
// unsupported dtype fails when the model loads. Absent attributes pass.
Status check_type_attr(const Attrs& attrs, std::string_view name, uint32_t mask);

// "float32, int32" for error messages.
std::string type_list_text(uint32_t mask);

Status unsupported_dtype(const KernelContext& ctx, std::string_view op, DType dtype, uint32_t mask,
                         std::string_view what = "input");

Status expect_inputs(const KernelContext& ctx, std::string_view op, std::size_t count);
Status expect_min_inputs(const KernelContext& ctx, std::string_view op, std::size_t count);

// Allocates a zeroed output, appends it to ctx.outputs and returns it (valid until the next
// add_output); the error names the node when the size is refused.
StatusOr<Tensor*> add_output(KernelContext& ctx, std::string_view op, DType dtype, Shape shape);
// A tensor whose elements are left unset (the alignment tail is zeroed), for code that writes
// every element; fails like Tensor::allocate on refused sizes.
StatusOr<Tensor> allocate_uninitialized(DType dtype, Shape shape);
// add_output without zero-filling, for kernels that write every element (convolutions, GEMM,
// elementwise ops): zeroing a large activation costs as much as a cheap op itself.
StatusOr<Tensor*> add_output_uninitialized(KernelContext& ctx, std::string_view op, DType dtype, Shape shape);

// Integer values of a 0-D or 1-D int32/int64 tensor (shape, axis, size and begin inputs).
StatusOr<std::vector<int64_t>> read_int_values(const KernelContext& ctx, std::string_view op, const Tensor& t,
                                               std::string_view what);
StatusOr<int64_t> read_int_scalar(const KernelContext& ctx, std::string_view op, const Tensor& t,
                                  std::string_view what);

// axis in [-rank, rank) mapped to [0, rank).
StatusOr<int> normalize_axis(const KernelContext& ctx, std::string_view op, int64_t axis, int rank);

// Runs fn(begin, end) over [0, n) split across the device's threads when the work
// (n * cost_per_unit, in roughly CPU cycles) is worth it; inline otherwise.
void parallel_for(const Eigen::ThreadPoolDevice* device, int64_t n, double cost_per_unit,
                  const std::function<void(int64_t, int64_t)>& fn);

// `t` seen with another shape of the same element count, sharing its buffer (strings copied).
Tensor reshaped_view(const Tensor& t, Shape shape);

// Row-major strides of a shape.
std::vector<int64_t> row_major_strides(const Shape& shape);

// UNIMPLEMENTED for tensors whose elements are not plain bytes (strings, resources, variants),
// which the data-movement kernels cannot copy.
Status fixed_size(const KernelContext& ctx, std::string_view op, const Tensor& t);

// out[c] = in[base + sum_d c[d] * step[d]] for every index c of out's shape (steps in elements,
// may be 0 to broadcast or negative), for any fixed-size dtype; the innermost run is copied as
// one block when its step is 1.
void strided_gather(const Tensor& in, int64_t base, const std::vector<int64_t>& step, Tensor& out);

template <> constexpr DType dtype_of<float>() { return DType::kFloat; }
template <> constexpr DType dtype_of<double>() { return DType::kDouble; }
template <> constexpr DType dtype_of<int32_t>() { return DType::kInt32; }
template <> constexpr DType dtype_of<int64_t>() { return DType::kInt64; }
template <> constexpr DType dtype_of<uint8_t>() { return DType::kUInt8; }
template <> constexpr DType dtype_of<int8_t>() { return DType::kInt8; }
template <> constexpr DType dtype_of<int16_t>() { return DType::kInt16; }
template <> constexpr DType dtype_of<uint16_t>() { return DType::kUInt16; }
template <> constexpr DType dtype_of<uint32_t>() { return DType::kUInt32; }
template <> constexpr DType dtype_of<uint64_t>() { return DType::kUInt64; }
template <> constexpr DType dtype_of<bool>() { return DType::kBool; }
template <> constexpr DType dtype_of<Eigen::half>() { return DType::kHalf; }
template <> constexpr DType dtype_of<Eigen::bfloat16>() { return DType::kBFloat16; }

}  // namespace tfport::runtime::ops
