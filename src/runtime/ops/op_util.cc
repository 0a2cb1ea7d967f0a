#define EIGEN_USE_THREADS
#include "runtime/ops/op_util.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>

#include <unsupported/Eigen/CXX11/Tensor>

#include "runtime/buffer_pool.h"

namespace tfport::runtime::ops {

std::string type_list_text(uint32_t mask) {
  static const std::pair<uint32_t, const char*> kNames[] = {
      {kF32, "float32"}, {kF64, "float64"}, {kI32, "int32"},   {kI64, "int64"},    {kU8, "uint8"},
      {kI8, "int8"},     {kI16, "int16"},   {kU16, "uint16"},  {kU32, "uint32"},   {kU64, "uint64"},
      {kBoolBit, "bool"}, {kF16, "float16"}, {kBF16, "bfloat16"}};
  std::string s;
  for (const auto& [bit, name] : kNames) {
    if ((mask & bit) == 0) continue;
    if (!s.empty()) s += ", ";
    s += name;
  }
  return s;
}

uint32_t dtype_bit(DType dtype) {
  uint32_t bit = 0;
  visit_dtype<kAllPlainTypes>(dtype, [&](auto tag) {
    using T = typename decltype(tag)::type;
    constexpr DType d = dtype_of<T>();
    switch (d) {
      case DType::kFloat: bit = kF32; break;
      case DType::kDouble: bit = kF64; break;
      case DType::kInt32: bit = kI32; break;
      case DType::kInt64: bit = kI64; break;
      case DType::kUInt8: bit = kU8; break;
      case DType::kInt8: bit = kI8; break;
      case DType::kInt16: bit = kI16; break;
      case DType::kUInt16: bit = kU16; break;
      case DType::kUInt32: bit = kU32; break;
      case DType::kUInt64: bit = kU64; break;
      case DType::kBool: bit = kBoolBit; break;
      case DType::kHalf: bit = kF16; break;
      case DType::kBFloat16: bit = kBF16; break;
      default: break;
    }
  });
  return bit;
}

Status check_type_attr(const Attrs& attrs, std::string_view name, uint32_t mask) {
  if (!attrs.has(name)) return Status::OK();
  TFPORT_ASSIGN_OR_RETURN(DType d, attrs.get_type(name));
  if ((dtype_bit(d) & mask) == 0) {
    return Status(StatusCode::kUnimplemented,
                  attrs.error("type " + std::string(dtype_python_name(d)) + " (attribute '" + std::string(name) +
                              "') is not supported; supported: " + type_list_text(mask))
                      .message());
  }
  return Status::OK();
}

Status unsupported_dtype(const KernelContext& ctx, std::string_view op, DType dtype, uint32_t mask,
                         std::string_view what) {
  Status s = ctx.error(op, std::string(what) + " has type " + std::string(dtype_python_name(dtype)) +
                               "; supported: " + type_list_text(mask));
  return Status(StatusCode::kUnimplemented, s.message());
}

Status expect_inputs(const KernelContext& ctx, std::string_view op, std::size_t count) {
  if (ctx.inputs.size() != count) {
    return ctx.error(op, "expected " + std::to_string(count) + " inputs, got " + std::to_string(ctx.inputs.size()));
  }
  for (std::size_t i = 0; i < count; ++i) {
    if (!ctx.inputs[i].valid()) return ctx.error(op, "input " + std::to_string(i) + " is empty");
  }
  return Status::OK();
}

Status expect_min_inputs(const KernelContext& ctx, std::string_view op, std::size_t count) {
  if (ctx.inputs.size() < count) {
    return ctx.error(op, "expected at least " + std::to_string(count) + " inputs, got " +
                             std::to_string(ctx.inputs.size()));
  }
  for (std::size_t i = 0; i < ctx.inputs.size(); ++i) {
    if (!ctx.inputs[i].valid()) return ctx.error(op, "input " + std::to_string(i) + " is empty");
  }
  return Status::OK();
}

StatusOr<Tensor*> add_output(KernelContext& ctx, std::string_view op, DType dtype, Shape shape) {
  auto t = Tensor::allocate(dtype, std::move(shape));
  if (!t.ok()) {
    return Status(t.status().code(), ctx.error(op, "output " + std::to_string(ctx.outputs->size()) + ": " +
                                                       t.status().message())
                                         .message());
  }
  ctx.outputs->push_back(std::move(t).value());
  return &ctx.outputs->back();
}

StatusOr<Tensor> allocate_uninitialized(DType dtype, Shape shape) {
  const std::size_t elem = element_storage_size(dtype);
  if (elem == 0 || dtype == DType::kString || dtype == DType::kResource) return Tensor::allocate(dtype, shape);
  auto checked = Shape::make(shape.dims());
  const auto n = checked.ok() ? static_cast<uint64_t>(checked->num_elements()) : 0;
  if (!checked.ok() || n > Tensor::kDefaultMaxBytes / elem) return Tensor::allocate(dtype, shape);  // its error
  constexpr std::size_t kAlign = 64;
  const std::size_t bytes = std::max<std::size_t>(kAlign, (n * elem + kAlign - 1) / kAlign * kAlign);
  std::shared_ptr<void> buffer = pooled_buffer(bytes);
  if (!buffer) return resource_exhausted_error("out of memory allocating " + std::to_string(bytes) + " bytes");
  // The alignment tail stays zero as in allocate(), so overrun checks keep working.
  std::memset(static_cast<unsigned char*>(buffer.get()) + n * elem, 0, bytes - n * elem);
  void* p = buffer.get();
  return Tensor::wrap(dtype, std::move(*checked), p, std::move(buffer));
}

StatusOr<Tensor*> add_output_uninitialized(KernelContext& ctx, std::string_view op, DType dtype, Shape shape) {
  auto t = allocate_uninitialized(dtype, std::move(shape));
  if (!t.ok()) {
    return Status(t.status().code(), ctx.error(op, "output " + std::to_string(ctx.outputs->size()) + ": " +
                                                       t.status().message())
                                         .message());
  }
  ctx.outputs->push_back(std::move(t).value());
  return &ctx.outputs->back();
}

StatusOr<std::vector<int64_t>> read_int_values(const KernelContext& ctx, std::string_view op, const Tensor& t,
                                               std::string_view what) {
  if (t.shape().rank() > 1) {
    return ctx.error(op, std::string(what) + " must be a scalar or a vector, got shape " + t.shape().to_string());
  }
  std::vector<int64_t> v(static_cast<std::size_t>(t.num_elements()));
  if (t.dtype() == DType::kInt32) {
    for (std::size_t i = 0; i < v.size(); ++i) v[i] = t.data<int32_t>()[i];
  } else if (t.dtype() == DType::kInt64) {
    for (std::size_t i = 0; i < v.size(); ++i) v[i] = t.data<int64_t>()[i];
  } else {
    return ctx.error(op, std::string(what) + " must be int32 or int64, got " +
                             std::string(dtype_python_name(t.dtype())));
  }
  return v;
}

StatusOr<int64_t> read_int_scalar(const KernelContext& ctx, std::string_view op, const Tensor& t,
                                  std::string_view what) {
  if (t.num_elements() != 1 || t.shape().rank() > 1) {
    return ctx.error(op, std::string(what) + " must be a scalar, got shape " + t.shape().to_string());
  }
  TFPORT_ASSIGN_OR_RETURN(auto v, read_int_values(ctx, op, t, what));
  return v[0];
}

StatusOr<int> normalize_axis(const KernelContext& ctx, std::string_view op, int64_t axis, int rank) {
  if (axis < -rank || axis >= rank) {
    return ctx.error(op, "axis " + std::to_string(axis) + " is out of range for a tensor of rank " +
                             std::to_string(rank));
  }
  return static_cast<int>(axis < 0 ? axis + rank : axis);
}

void parallel_for(const Eigen::ThreadPoolDevice* device, int64_t n, double cost_per_unit,
                  const std::function<void(int64_t, int64_t)>& fn) {
  if (n <= 0) return;
  // Below ~50k cycles of work a thread hand-off costs more than it saves.
  if (device == nullptr || device->numThreads() <= 1 || static_cast<double>(n) * cost_per_unit < 50000.0) {
    fn(0, n);
    return;
  }
  device->parallelFor(static_cast<Eigen::Index>(n), Eigen::TensorOpCost(0, 0, cost_per_unit),
                      [&fn](Eigen::Index b, Eigen::Index e) { fn(static_cast<int64_t>(b), static_cast<int64_t>(e)); });
}

Tensor reshaped_view(const Tensor& t, Shape shape) {
  if (t.dtype() == DType::kString) return Tensor::from_strings(std::move(shape), t.strings()).value();
  auto keep = std::make_shared<Tensor>(t);
  return Tensor::wrap(t.dtype(), std::move(shape), t.raw_data(), std::shared_ptr<const void>(keep, t.raw_data()));
}

std::vector<int64_t> row_major_strides(const Shape& shape) {
  std::vector<int64_t> s(static_cast<std::size_t>(shape.rank()));
  int64_t acc = 1;
  for (int i = shape.rank() - 1; i >= 0; --i) {
    s[static_cast<std::size_t>(i)] = acc;
    acc *= shape.dim(i);
  }
  return s;
}

// out[c] = in[base + sum_d c[d] * step[d]] (steps in elements, may be negative), the last
// dimension copied as one block when its step is 1.
Status fixed_size(const KernelContext& ctx, std::string_view op, const Tensor& t) {
  if (!is_fixed_size(t.dtype())) {
    return Status(StatusCode::kUnimplemented,
                  ctx.error(op, "type " + std::string(dtype_python_name(t.dtype())) + " is not supported").message());
  }
  return Status::OK();
}

namespace {

template <typename E>
void strided_gather_typed(const E* in, int64_t base, const std::vector<int64_t>& step, const Shape& out_shape, E* out) {
  const int rank = out_shape.rank();
  const int64_t total = out_shape.num_elements();
  if (total == 0) return;
  if (rank == 0) {
    out[0] = in[base];
    return;
  }
  const int64_t inner = out_shape.dim(rank - 1), inner_step = step[static_cast<std::size_t>(rank - 1)];
  std::vector<int64_t> coord(static_cast<std::size_t>(rank), 0);
  int64_t off = base;
  for (int64_t o = 0; o < total; o += inner) {
    if (inner_step == 1) {
      std::memcpy(out + o, in + off, static_cast<std::size_t>(inner) * sizeof(E));
    } else {
      for (int64_t i = 0; i < inner; ++i) out[o + i] = in[off + i * inner_step];
    }
    for (int d = rank - 2; d >= 0; --d) {
      auto& c = coord[static_cast<std::size_t>(d)];
      ++c;
      off += step[static_cast<std::size_t>(d)];
      if (c < out_shape.dim(d)) break;
      off -= c * step[static_cast<std::size_t>(d)];
      c = 0;
    }
  }
}

}  // namespace

void strided_gather(const Tensor& in, int64_t base, const std::vector<int64_t>& step, Tensor& out) {
  switch (element_storage_size(in.dtype())) {
    case 1: strided_gather_typed(in.data<uint8_t>(), base, step, out.shape(), out.mutable_data<uint8_t>()); break;
    case 2: strided_gather_typed(in.data<uint16_t>(), base, step, out.shape(), out.mutable_data<uint16_t>()); break;
    case 4: strided_gather_typed(in.data<uint32_t>(), base, step, out.shape(), out.mutable_data<uint32_t>()); break;
    case 8: strided_gather_typed(in.data<uint64_t>(), base, step, out.shape(), out.mutable_data<uint64_t>()); break;
    default: {  // 16-byte complex128: two 8-byte halves
      std::vector<int64_t> dims = out.shape().dims();
      dims.push_back(2);
      std::vector<int64_t> st;
      for (int64_t v : step) st.push_back(v * 2);
      st.push_back(1);
      strided_gather_typed(in.data<uint64_t>(), base * 2, st, Shape(dims), out.mutable_data<uint64_t>());
    }
  }
}

}  // namespace tfport::runtime::ops
