// Ops that move elements between positions without arithmetic, beyond transform.cc's:
// ReverseV2, DepthToSpace / SpaceToDepth (NHWC) and SpaceToBatchND / BatchToSpaceND (the way
// TF1 graphs run dilated convolutions).
#include <cstring>

#include "runtime/ops/op_util.h"

namespace tfport::runtime::ops {
namespace {

// ---- ReverseV2 ----
class ReverseKernel final : public Kernel {
 public:
  Status compute(KernelContext& ctx) const override {
    static constexpr std::string_view kOp = "ReverseV2";
    TFPORT_RETURN_IF_ERROR(expect_inputs(ctx, kOp, 2));
    const Tensor& x = ctx.inputs[0];
    TFPORT_RETURN_IF_ERROR(fixed_size(ctx, kOp, x));
    TFPORT_ASSIGN_OR_RETURN(auto axes, read_int_values(ctx, kOp, ctx.inputs[1], "axis"));
    const int rank = x.shape().rank();
    std::vector<int64_t> step = row_major_strides(x.shape());
    std::vector<bool> flipped(static_cast<size_t>(rank), false);
    int64_t base = 0;
    for (int64_t a : axes) {
      TFPORT_ASSIGN_OR_RETURN(int axis, normalize_axis(ctx, kOp, a, rank));
      if (flipped[static_cast<size_t>(axis)]) return ctx.error(kOp, "axis " + std::to_string(a) + " given twice");
      flipped[static_cast<size_t>(axis)] = true;
      const int64_t n = x.shape().dim(axis);
      if (n > 0) base += (n - 1) * step[static_cast<size_t>(axis)];
      step[static_cast<size_t>(axis)] = -step[static_cast<size_t>(axis)];
    }
    TFPORT_ASSIGN_OR_RETURN(Tensor * out, add_output_uninitialized(ctx, kOp, x.dtype(), x.shape()));
    if (x.num_elements() > 0) strided_gather(x, base, step, *out);
    return Status::OK();
  }
};

// ---- DepthToSpace / SpaceToDepth (NHWC) ----
// DepthToSpace: out[b, h * k + i, w * k + j, c] = in[b, h, w, (i * k + j) * C_out + c], written in
// the order [b, h, i, w, j, c]; SpaceToDepth is its inverse.
template <bool kToSpace>
class DepthSpaceKernel final : public Kernel {
 public:
  explicit DepthSpaceKernel(int64_t block) : block_(block) {}
  Status compute(KernelContext& ctx) const override {
    const std::string_view op = kToSpace ? "DepthToSpace" : "SpaceToDepth";
    TFPORT_RETURN_IF_ERROR(expect_inputs(ctx, op, 1));
    const Tensor& x = ctx.inputs[0];
    TFPORT_RETURN_IF_ERROR(fixed_size(ctx, op, x));
    if (x.shape().rank() != 4) return ctx.error(op, "input must have rank 4, got " + x.shape().to_string());
    const int64_t n = x.shape().dim(0), h = x.shape().dim(1), w = x.shape().dim(2), c = x.shape().dim(3), k = block_;
    Tensor* out;
    std::vector<int64_t> dims, step;
    if (kToSpace) {
      if (c % (k * k) != 0) return ctx.error(op, "depth " + std::to_string(c) + " is not a multiple of block_size^2");
      const int64_t co = c / (k * k);
      TFPORT_ASSIGN_OR_RETURN(out, add_output_uninitialized(ctx, op, x.dtype(), Shape{n, h * k, w * k, co}));
      dims = {n, h, k, w, k, co};
      step = {h * w * c, w * c, k * co, c, co, 1};
    } else {
      if (h % k != 0 || w % k != 0) return ctx.error(op, "height and width must be multiples of block_size");
      TFPORT_ASSIGN_OR_RETURN(out, add_output_uninitialized(ctx, op, x.dtype(), Shape{n, h / k, w / k, c * k * k}));
      dims = {n, h / k, w / k, k, k, c};
      step = {h * w * c, k * w * c, k * c, w * c, c, 1};
    }
    Tensor view = reshaped_view(*out, Shape(dims));
    strided_gather(x, 0, step, view);
    return Status::OK();
  }

 private:
  int64_t block_;
};

template <bool kToSpace>
StatusOr<std::unique_ptr<Kernel>> make_depth_space(const Attrs& attrs) {
  TFPORT_ASSIGN_OR_RETURN(int64_t block, attrs.get_int("block_size"));
  if (block < 2) return attrs.error("block_size must be at least 2");
  TFPORT_ASSIGN_OR_RETURN(std::string format, attrs.get_string_or("data_format", "NHWC"));
  if (format != "NHWC") return Status(StatusCode::kUnimplemented, attrs.error("data_format " + format + " is not supported").message());
  return std::unique_ptr<Kernel>(new DepthSpaceKernel<kToSpace>(block));
}

// ---- SpaceToBatchND / BatchToSpaceND ----
// With M block dims b and the rest R of each element row:
//   SpaceToBatchND out[o * B + n, s, r] = padded(in)[n, s * b + o, r]
//   BatchToSpaceND out[n, y, r] = in[o * B + n, (y + crop) / b, r] with o = (y + crop) % b
// where o is the block offset (flattened row-major over the M dims).
template <bool kToBatch>
class SpaceBatchKernel final : public Kernel {
 public:
  Status compute(KernelContext& ctx) const override {
    const std::string_view op = kToBatch ? "SpaceToBatchND" : "BatchToSpaceND";
    TFPORT_RETURN_IF_ERROR(expect_inputs(ctx, op, 3));
    const Tensor& x = ctx.inputs[0];
    TFPORT_RETURN_IF_ERROR(fixed_size(ctx, op, x));
    TFPORT_ASSIGN_OR_RETURN(auto block, read_int_values(ctx, op, ctx.inputs[1], "block_shape"));
    const Tensor& pad_tensor = ctx.inputs[2];  // [M, 2]
    TFPORT_ASSIGN_OR_RETURN(auto pads, read_int_values(ctx, op, reshaped_view(pad_tensor, Shape{pad_tensor.num_elements()}),
                                                       kToBatch ? "paddings" : "crops"));
    const int m = static_cast<int>(block.size());
    const int rank = x.shape().rank();
    if (m < 1 || rank < m + 1 || pads.size() != 2 * block.size()) {
      return ctx.error(op, "block_shape and " + std::string(kToBatch ? "paddings" : "crops") + " do not fit input " +
                               x.shape().to_string());
    }
    int64_t blocks = 1;
    for (int i = 0; i < m; ++i) {
      const int64_t b = block[static_cast<size_t>(i)], lo = pads[2 * static_cast<size_t>(i)],
                    hi = pads[2 * static_cast<size_t>(i) + 1];
      constexpr int64_t kLimit = int64_t{1} << 31;  // keeps every size below stays far from overflow
      if (b < 1 || lo < 0 || hi < 0 || b > kLimit || lo > kLimit || hi > kLimit || blocks > kLimit) {
        return ctx.error(op, "block sizes must be positive and paddings non-negative (and below 2^31)");
      }
      blocks *= b;
    }
    int64_t row = 1;  // elements per position of the leading 1 + M dims
    for (int d = m + 1; d < rank; ++d) row *= x.shape().dim(d);
    std::vector<int64_t> out_dims = x.shape().dims();
    const int64_t in_batch = x.shape().dim(0);
    if (!kToBatch && in_batch % blocks != 0) return ctx.error(op, "batch is not a multiple of the block count");
    const int64_t batch = kToBatch ? in_batch : in_batch / blocks;
    if (kToBatch && __builtin_mul_overflow(in_batch, blocks, &out_dims[0])) return ctx.error(op, "output batch too large");
    if (!kToBatch) out_dims[0] = batch;
    for (int i = 0; i < m; ++i) {
      const int64_t s = x.shape().dim(i + 1), b = block[static_cast<size_t>(i)];
      const int64_t lo = pads[2 * static_cast<size_t>(i)], hi = pads[2 * static_cast<size_t>(i) + 1];
      if (kToBatch) {
        if ((s + lo + hi) % b != 0) return ctx.error(op, "padded dim " + std::to_string(i + 1) + " is not a multiple of its block");
        out_dims[static_cast<size_t>(i) + 1] = (s + lo + hi) / b;
      } else {
        if (lo + hi > s * b) return ctx.error(op, "crops remove more than dim " + std::to_string(i + 1) + " holds");
        out_dims[static_cast<size_t>(i) + 1] = s * b - lo - hi;
      }
    }
    TFPORT_ASSIGN_OR_RETURN(Tensor * out, add_output(ctx, op, x.dtype(), Shape(out_dims)));  // zeros: the padding
    const size_t es = element_storage_size(x.dtype());
    const auto in_strides = row_major_strides(x.shape());
    const auto out_strides = row_major_strides(out->shape());
    const char* src = static_cast<const char*>(x.raw_data());
    char* dst = static_cast<char*>(out->mutable_raw_data());
    // Walk the positions of the space side (the larger one): n and M coordinates.
    const Shape& space = kToBatch ? x.shape() : out->shape();
    int64_t positions = batch;
    for (int i = 0; i < m; ++i) positions *= space.dim(i + 1);
    std::vector<int64_t> coord(static_cast<size_t>(m));
    for (int64_t p = 0; p < positions; ++p) {
      int64_t rest = p;
      for (int i = m - 1; i >= 0; --i) {
        coord[static_cast<size_t>(i)] = rest % space.dim(i + 1);
        rest /= space.dim(i + 1);
      }
      const int64_t n = rest;
      int64_t offset = 0, space_off = n * (kToBatch ? in_strides[0] : out_strides[0]);
      int64_t batch_pos = 0;
      for (int i = 0; i < m; ++i) {
        const int64_t b = block[static_cast<size_t>(i)], lo = pads[2 * static_cast<size_t>(i)];
        const int64_t y = coord[static_cast<size_t>(i)] + lo;  // in the padded / uncropped space
        offset = offset * b + y % b;
        batch_pos += (y / b) * (kToBatch ? out_strides : in_strides)[static_cast<size_t>(i) + 1];
        space_off += coord[static_cast<size_t>(i)] * (kToBatch ? in_strides : out_strides)[static_cast<size_t>(i) + 1];
      }
      batch_pos += (offset * batch + n) * (kToBatch ? out_strides : in_strides)[0];
      if (kToBatch) std::memcpy(dst + batch_pos * es, src + space_off * es, static_cast<size_t>(row) * es);
      else std::memcpy(dst + space_off * es, src + batch_pos * es, static_cast<size_t>(row) * es);
    }
    return Status::OK();
  }
};

template <typename K>
StatusOr<std::unique_ptr<Kernel>> make(const Attrs&) {
  return std::unique_ptr<Kernel>(new K());
}

TFPORT_REGISTER_OP({"ReverseV2", &make<ReverseKernel>});
TFPORT_REGISTER_OP({"DepthToSpace", &make_depth_space<true>});
TFPORT_REGISTER_OP({"SpaceToDepth", &make_depth_space<false>});
TFPORT_REGISTER_OP({"SpaceToBatchND", &make<SpaceBatchKernel<true>>});
TFPORT_REGISTER_OP({"BatchToSpaceND", &make<SpaceBatchKernel<false>>});

}  // namespace
}  // namespace tfport::runtime::ops
