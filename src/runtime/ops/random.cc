// Random tensors: RandomUniform, RandomStandardNormal, TruncatedNormal. Inference graphs keep
// them on dropout branches that tf.cond switches off, so they must plan and run, but their
// values are never TensorFlow's own stream (Philox); seeds only make runs repeatable.
#include <atomic>
#include <random>

#include "runtime/ops/op_util.h"

namespace tfport::runtime::ops {
namespace {

enum class Dist { kUniform, kNormal, kTruncated };

class RandomKernel final : public Kernel {
 public:
  RandomKernel(std::string op, Dist dist, DType dtype, uint64_t seed)
      : op_(std::move(op)), dist_(dist), dtype_(dtype), seed_(seed) {}

  Status compute(KernelContext& ctx) const override {
    TFPORT_RETURN_IF_ERROR(expect_inputs(ctx, op_, 1));
    TFPORT_ASSIGN_OR_RETURN(std::vector<int64_t> dims, read_int_values(ctx, op_, ctx.inputs[0], "shape"));
    for (int64_t d : dims) {
      if (d < 0) return ctx.error(op_, "negative dimension in shape");
    }
    TFPORT_ASSIGN_OR_RETURN(Tensor * out, add_output(ctx, op_, dtype_, Shape(dims)));
    std::mt19937_64 rng(seed_ + counter_.fetch_add(1, std::memory_order_relaxed));
    std::uniform_real_distribution<double> uniform(0.0, 1.0);
    std::normal_distribution<double> normal(0.0, 1.0);
    auto draw = [&]() {
      if (dist_ == Dist::kUniform) return uniform(rng);
      double v = normal(rng);
      while (dist_ == Dist::kTruncated && (v < -2.0 || v > 2.0)) v = normal(rng);
      return v;
    };
    for (int64_t i = 0; i < out->num_elements(); ++i) {
      if (dtype_ == DType::kDouble) out->mutable_data<double>()[i] = draw();
      else out->mutable_data<float>()[i] = static_cast<float>(draw());
    }
    return Status::OK();
  }

 private:
  std::string op_;
  Dist dist_;
  DType dtype_;
  uint64_t seed_;
  mutable std::atomic<uint64_t> counter_{0};  // a fresh stream per run, still repeatable
};

StatusOr<std::unique_ptr<Kernel>> make_random(const Attrs& attrs) {
  TFPORT_ASSIGN_OR_RETURN(DType dtype, attrs.get_type("dtype"));
  if (dtype != DType::kFloat && dtype != DType::kDouble) return attrs.error("only float32 and float64 are supported");
  TFPORT_ASSIGN_OR_RETURN(int64_t seed, attrs.get_int_or("seed", 0));
  TFPORT_ASSIGN_OR_RETURN(int64_t seed2, attrs.get_int_or("seed2", 0));
  Dist d = attrs.op() == "RandomUniform" ? Dist::kUniform : attrs.op() == "TruncatedNormal" ? Dist::kTruncated : Dist::kNormal;
  return std::unique_ptr<Kernel>(std::make_unique<RandomKernel>(std::string(attrs.op()), d, dtype,
                                                                static_cast<uint64_t>(seed) * 1000003u + static_cast<uint64_t>(seed2)));
}

}  // namespace

TFPORT_REGISTER_OP({"RandomUniform", &make_random});
TFPORT_REGISTER_OP({"RandomStandardNormal", &make_random});
TFPORT_REGISTER_OP({"TruncatedNormal", &make_random});

}  // namespace tfport::runtime::ops
