// FusedBatchNorm / V2 / V3 in inference mode (is_training = false):
//   factor = rsqrt(variance + epsilon) * scale;  y = x * factor + (offset - mean * factor)
// the way TF's CPU kernel evaluates it. The extra outputs (batch mean/variance and the
// reserve spaces) echo the population statistics, as TF does at inference. Also LRN (local
// response normalization across channels, as AlexNet-era graphs use it).
#include <algorithm>
#include <cmath>

#include "runtime/ops/op_util.h"

namespace tfport::runtime::ops {
namespace {

class FusedBatchNormKernel final : public Kernel {
 public:
  FusedBatchNormKernel(std::string op, float epsilon, bool nchw, int outputs)
      : op_(std::move(op)), epsilon_(epsilon), nchw_(nchw), outputs_(outputs) {}

  Status compute(KernelContext& ctx) const override {
    TFPORT_RETURN_IF_ERROR(expect_inputs(ctx, op_, 5));
    const Tensor& x = ctx.inputs[0];
    if (x.dtype() != DType::kFloat) return unsupported_dtype(ctx, op_, x.dtype(), kF32);
    if (x.shape().rank() != 4 && x.shape().rank() != 5) {
      return ctx.error(op_, "input must have rank 4 or 5, got shape " + x.shape().to_string());
    }
    const int rank = x.shape().rank();
    const int64_t c = x.shape().dim(nchw_ ? 1 : rank - 1);
    for (int i = 1; i < 5; ++i) {
      const Tensor& p = ctx.inputs[static_cast<std::size_t>(i)];
      if (p.dtype() != DType::kFloat) return unsupported_dtype(ctx, op_, p.dtype(), kF32, "input " + std::to_string(i));
      if (p.shape().rank() != 1 || p.shape().dim(0) != c) {
        return ctx.error(op_, "input " + std::to_string(i) + " must have shape [" + std::to_string(c) + "], got " +
                                  p.shape().to_string());
      }
    }
    std::vector<float> factor(static_cast<std::size_t>(c)), shift(static_cast<std::size_t>(c));
    const float* scale = ctx.inputs[1].data<float>();
    const float* offset = ctx.inputs[2].data<float>();
    const float* mean = ctx.inputs[3].data<float>();
    const float* var = ctx.inputs[4].data<float>();
    for (int64_t j = 0; j < c; ++j) {
      factor[static_cast<std::size_t>(j)] = (1.0f / std::sqrt(var[j] + epsilon_)) * scale[j];
      shift[static_cast<std::size_t>(j)] = offset[j] - mean[j] * factor[static_cast<std::size_t>(j)];
    }
    const std::size_t first = ctx.outputs->size();
    TFPORT_ASSIGN_OR_RETURN(Tensor * y_ptr, add_output_uninitialized(ctx, op_, DType::kFloat, x.shape()));
    (void)y_ptr;
    ctx.outputs->push_back(ctx.inputs[3]);
    ctx.outputs->push_back(ctx.inputs[4]);
    ctx.outputs->push_back(ctx.inputs[3]);
    ctx.outputs->push_back(ctx.inputs[4]);
    if (outputs_ == 6) {
      TFPORT_RETURN_IF_ERROR(add_output(ctx, op_, DType::kFloat, Shape{0}).status());
    }
    Tensor& y = (*ctx.outputs)[first];
    if (x.num_elements() == 0 || c == 0) return Status::OK();
    const float* in = x.data<float>();
    float* out = y.mutable_data<float>();
    int64_t inner = 1;
    if (nchw_) {
      for (int d = 2; d < rank; ++d) inner *= x.shape().dim(d);
    }
    const int64_t rows = x.num_elements() / (c * inner);
    parallel_for(ctx.device, rows, static_cast<double>(c * inner) * 2, [&](int64_t r0, int64_t r1) {
      for (int64_t r = r0; r < r1; ++r) {
        const float* src = in + r * c * inner;
        float* dst = out + r * c * inner;
        for (int64_t j = 0; j < c; ++j) {
          const float f = factor[static_cast<std::size_t>(j)], s = shift[static_cast<std::size_t>(j)];
          for (int64_t i = 0; i < inner; ++i) dst[j * inner + i] = src[j * inner + i] * f + s;
        }
      }
    });
    return Status::OK();
  }

 private:
  std::string op_;
  float epsilon_;
  bool nchw_;
  int outputs_;
};

template <int kOutputs>
StatusOr<std::unique_ptr<Kernel>> make_fused_batch_norm(const Attrs& attrs) {
  TFPORT_RETURN_IF_ERROR(check_type_attr(attrs, "T", kF32));
  TFPORT_RETURN_IF_ERROR(check_type_attr(attrs, "U", kF32));
  TFPORT_ASSIGN_OR_RETURN(float epsilon, attrs.get_float_or("epsilon", 0.0001f));
  TFPORT_ASSIGN_OR_RETURN(bool training, attrs.get_bool_or("is_training", true));
  if (training) {
    return Status(StatusCode::kUnimplemented,
                  attrs.error("is_training=true (batch statistics) is not supported; tfport runs inference").message());
  }
  TFPORT_ASSIGN_OR_RETURN(std::string fmt, attrs.get_string_or("data_format", "NHWC"));
  if (fmt != "NHWC" && fmt != "NCHW" && fmt != "NDHWC" && fmt != "NCDHW") {
    return attrs.error("unsupported data_format " + fmt);
  }
  if (epsilon < 0 || !std::isfinite(epsilon)) return attrs.error("epsilon must be a non-negative number");
  return std::unique_ptr<Kernel>(
      new FusedBatchNormKernel(std::string(attrs.op()), epsilon, fmt == "NCHW" || fmt == "NCDHW", kOutputs));
}

StatusOr<std::vector<PartialShape>> batch_norm_shapes(std::span<const PartialShape> in, const Attrs& attrs) {
  if (in.size() != 5) return attrs.error("expected 5 inputs");
  std::vector<PartialShape> out{in[0], in[3], in[4], in[3], in[4]};
  if (attrs.op() == "FusedBatchNormV3") out.push_back(PartialShape({0}));
  return out;
}

TFPORT_REGISTER_OP({"FusedBatchNorm", &make_fused_batch_norm<5>, &batch_norm_shapes});
TFPORT_REGISTER_OP({"FusedBatchNormV2", &make_fused_batch_norm<5>, &batch_norm_shapes});
TFPORT_REGISTER_OP({"FusedBatchNormV3", &make_fused_batch_norm<6>, &batch_norm_shapes});

// LRN: out = x / (bias + alpha * sum of x^2 over channels d - r .. d + r) ^ beta, last axis.
class LrnKernel final : public Kernel {
 public:
  LrnKernel(int64_t radius, float bias, float alpha, float beta) : radius_(radius), bias_(bias), alpha_(alpha), beta_(beta) {}
  Status compute(KernelContext& ctx) const override {
    static constexpr std::string_view kOp = "LRN";
    TFPORT_RETURN_IF_ERROR(expect_inputs(ctx, kOp, 1));
    const Tensor& x = ctx.inputs[0];
    if (x.dtype() != DType::kFloat) return unsupported_dtype(ctx, kOp, x.dtype(), kF32);
    if (x.shape().rank() != 4) return ctx.error(kOp, "input must have rank 4, got " + x.shape().to_string());
    const int64_t depth = x.shape().dim(3);
    TFPORT_ASSIGN_OR_RETURN(Tensor * out, add_output_uninitialized(ctx, kOp, DType::kFloat, x.shape()));
    const float* in = x.data<float>();
    float* o = out->mutable_data<float>();
    const int64_t rows = depth == 0 ? 0 : x.num_elements() / depth;
    parallel_for(ctx.device, rows, static_cast<double>(depth) * 20, [&](int64_t begin, int64_t end) {
      for (int64_t r = begin; r < end; ++r) {
        const float* row = in + r * depth;
        for (int64_t d = 0; d < depth; ++d) {
          float sum = 0;
          for (int64_t j = std::max<int64_t>(0, d - radius_); j <= std::min<int64_t>(depth - 1, d + radius_); ++j) {
            sum += row[j] * row[j];
          }
          o[r * depth + d] = row[d] / std::pow(bias_ + alpha_ * sum, beta_);
        }
      }
    });
    return Status::OK();
  }

 private:
  int64_t radius_;
  float bias_, alpha_, beta_;
};

StatusOr<std::unique_ptr<Kernel>> make_lrn(const Attrs& attrs) {
  TFPORT_RETURN_IF_ERROR(check_type_attr(attrs, "T", kF32));
  TFPORT_ASSIGN_OR_RETURN(int64_t radius, attrs.get_int_or("depth_radius", 5));
  TFPORT_ASSIGN_OR_RETURN(float bias, attrs.get_float_or("bias", 1.f));
  TFPORT_ASSIGN_OR_RETURN(float alpha, attrs.get_float_or("alpha", 1.f));
  TFPORT_ASSIGN_OR_RETURN(float beta, attrs.get_float_or("beta", 0.5f));
  if (radius < 0 || radius > (int64_t{1} << 20)) return attrs.error("depth_radius out of range");
  return std::unique_ptr<Kernel>(new LrnKernel(radius, bias, alpha, beta));
}

TFPORT_REGISTER_OP({"LRN", &make_lrn});

}  // namespace
}  // namespace tfport::runtime::ops
