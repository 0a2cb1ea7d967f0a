// Encodings of ids and numbers: OneHot and Bucketize (feature columns' indicator and bucketized
// columns, Keras CategoryEncoding/Discretization).
#include <algorithm>
#include <cstring>

#include "runtime/ops/op_util.h"

namespace tfport::runtime::ops {
namespace {

class OneHotKernel final : public Kernel {
 public:
  explicit OneHotKernel(int64_t axis) : axis_(axis) {}
  Status compute(KernelContext& ctx) const override {
    static constexpr std::string_view kOp = "OneHot";
    TFPORT_RETURN_IF_ERROR(expect_inputs(ctx, kOp, 4));
    const Tensor& idx = ctx.inputs[0];
    const Tensor& on = ctx.inputs[2];
    const Tensor& off = ctx.inputs[3];
    if (idx.dtype() != DType::kInt32 && idx.dtype() != DType::kInt64 && idx.dtype() != DType::kUInt8) {
      return unsupported_dtype(ctx, kOp, idx.dtype(), kI32 | kI64 | kU8, "indices");
    }
    TFPORT_ASSIGN_OR_RETURN(int64_t depth, read_int_scalar(ctx, kOp, ctx.inputs[1], "depth"));
    if (depth < 0) return ctx.error(kOp, "depth must be non-negative");
    if (on.dtype() != off.dtype() || on.num_elements() != 1 || off.num_elements() != 1 || on.dtype() == DType::kString ||
        element_storage_size(on.dtype()) == 0) {
      return ctx.error(kOp, "on_value and off_value must be scalars of one numeric type");
    }
    const int rank = idx.shape().rank();
    const int axis = axis_ < 0 ? rank : static_cast<int>(axis_);
    if (axis > rank) return ctx.error(kOp, "axis " + std::to_string(axis_) + " is out of range");
    std::vector<int64_t> dims = idx.shape().dims();
    dims.insert(dims.begin() + axis, depth);
    TFPORT_ASSIGN_OR_RETURN(Tensor * out, add_output(ctx, kOp, on.dtype(), Shape(dims)));
    int64_t outer = 1, inner = 1;
    for (int d = 0; d < axis; ++d) outer *= idx.shape().dim(d);
    for (int d = axis; d < rank; ++d) inner *= idx.shape().dim(d);
    const size_t e = element_storage_size(on.dtype());
    char* dst = static_cast<char*>(out->mutable_raw_data());
    for (int64_t i = 0; i < out->num_elements(); ++i) std::memcpy(dst + static_cast<size_t>(i) * e, off.raw_data(), e);
    for (int64_t o = 0; o < outer; ++o) {
      for (int64_t in = 0; in < inner; ++in) {
        const int64_t flat = o * inner + in;
        int64_t v = idx.dtype() == DType::kInt32   ? idx.data<int32_t>()[flat]
                    : idx.dtype() == DType::kInt64 ? idx.data<int64_t>()[flat]
                                                   : idx.data<uint8_t>()[flat];
        if (v < 0 || v >= depth) continue;  // out-of-range ids give an all-off vector, as in TF
        std::memcpy(dst + static_cast<size_t>((o * depth + v) * inner + in) * e, on.raw_data(), e);
      }
    }
    return Status::OK();
  }

 private:
  int64_t axis_;
};

StatusOr<std::unique_ptr<Kernel>> make_one_hot(const Attrs& attrs) {
  TFPORT_ASSIGN_OR_RETURN(int64_t axis, attrs.get_int_or("axis", -1));
  if (axis < -1) return attrs.error("axis must be >= -1");
  return std::unique_ptr<Kernel>(std::make_unique<OneHotKernel>(axis));
}

class BucketizeKernel final : public Kernel {
 public:
  explicit BucketizeKernel(std::vector<float> boundaries) : boundaries_(std::move(boundaries)) {}
  Status compute(KernelContext& ctx) const override {
    static constexpr std::string_view kOp = "Bucketize";
    TFPORT_RETURN_IF_ERROR(expect_inputs(ctx, kOp, 1));
    const Tensor& x = ctx.inputs[0];
    TFPORT_ASSIGN_OR_RETURN(Tensor * out, add_output(ctx, kOp, DType::kInt32, x.shape()));
    int32_t* o = out->mutable_data<int32_t>();
    bool ok = visit_dtype<kF32 | kF64 | kI32 | kI64>(x.dtype(), [&](auto tag) {
      using T = typename decltype(tag)::type;
      const T* p = x.data<T>();
      for (int64_t i = 0; i < x.num_elements(); ++i) {
        // Bucket i holds boundaries[i-1] <= x < boundaries[i].
        const double v = static_cast<double>(p[i]);
        auto it = std::upper_bound(boundaries_.begin(), boundaries_.end(), v,
                                   [](double a, float b) { return a < static_cast<double>(b); });
        o[i] = static_cast<int32_t>(it - boundaries_.begin());
      }
    });
    if (!ok) return unsupported_dtype(ctx, kOp, x.dtype(), kF32 | kF64 | kI32 | kI64);
    return Status::OK();
  }

 private:
  std::vector<float> boundaries_;
};

StatusOr<std::unique_ptr<Kernel>> make_bucketize(const Attrs& attrs) {
  TFPORT_ASSIGN_OR_RETURN(std::vector<float> b, attrs.get_float_list("boundaries"));
  if (!std::is_sorted(b.begin(), b.end())) return attrs.error("boundaries must be sorted");
  return std::unique_ptr<Kernel>(std::make_unique<BucketizeKernel>(std::move(b)));
}

}  // namespace

TFPORT_REGISTER_OP({"OneHot", &make_one_hot});
TFPORT_REGISTER_OP({"Bucketize", &make_bucketize});

}  // namespace tfport::runtime::ops
