// Elementwise unary ops and activations with TF's formulas (which matter at the edges: e.g.
// Softplus switches to x / exp(x) outside a threshold, Elu uses exp(x) - 1), Softmax and
// LogSoftmax over the last axis, and the identity family (outputs share the input buffer).
#include <cmath>
#include <limits>
#include <type_traits>

#include "runtime/ops/op_util.h"

namespace tfport::runtime::ops {
namespace {

template <typename T>
using ConstArray = Eigen::Map<const Eigen::Array<T, Eigen::Dynamic, 1>>;
template <typename T>
using MutArray = Eigen::Map<Eigen::Array<T, Eigen::Dynamic, 1>>;

// Each op: supported types, a rough cost per element in cycles, and apply(x, y) on a chunk.
#define TFPORT_UNARY_OP(Name, types, cost, body)                      \
  struct Name {                                                       \
    static constexpr uint32_t kTypes = types;                         \
    static constexpr double kCost = cost;                             \
    float alpha = 0;                                                  \
    template <typename T>                                             \
    void apply(const ConstArray<T>& x, MutArray<T>& y) const { body; } \
  };

constexpr uint32_t kSigned = kFloatTypes | kI8 | kI16 | kI32 | kI64;

TFPORT_UNARY_OP(ReluOp, kRealTypes, 1, y = x.cwiseMax(T(0)))
TFPORT_UNARY_OP(Relu6Op, kRealTypes, 1, y = x.cwiseMax(T(0)).cwiseMin(T(6)))
TFPORT_UNARY_OP(EluOp, kFloatTypes, 20, y = (x < T(0)).select(x.exp() - T(1), x))
TFPORT_UNARY_OP(SeluOp, kFloatTypes, 20,
                y = (x < T(0)).select(T(1.7580993408473768599402175208123) * (x.exp() - T(1)),
                                      T(1.0507009873554804934193349852946) * x))
TFPORT_UNARY_OP(LeakyReluOp, kFloatTypes, 2, y = (x > T(0)).select(x, x * T(alpha)))
TFPORT_UNARY_OP(SigmoidOp, kFloatTypes, 20, y = x.logistic())
TFPORT_UNARY_OP(TanhOp, kFloatTypes, 20, y = x.tanh())
TFPORT_UNARY_OP(SoftsignOp, kFloatTypes, 5, y = x / (x.abs() + T(1)))
TFPORT_UNARY_OP(ExpOp, kFloatTypes, 20, y = x.exp())
TFPORT_UNARY_OP(Expm1Op, kFloatTypes, 20, y = x.expm1())
TFPORT_UNARY_OP(LogOp, kFloatTypes, 20, y = x.log())
TFPORT_UNARY_OP(Log1pOp, kFloatTypes, 20, y = x.log1p())
TFPORT_UNARY_OP(SqrtOp, kFloatTypes, 10, y = x.sqrt())
TFPORT_UNARY_OP(RsqrtOp, kFloatTypes, 10, y = x.rsqrt())
TFPORT_UNARY_OP(ReciprocalOp, kFloatTypes, 5, y = x.inverse())
TFPORT_UNARY_OP(FloorOp, kFloatTypes, 2, y = x.floor())
TFPORT_UNARY_OP(CeilOp, kFloatTypes, 2, y = x.ceil())
TFPORT_UNARY_OP(SinOp, kFloatTypes, 20, y = x.sin())
TFPORT_UNARY_OP(CosOp, kFloatTypes, 20, y = x.cos())

// Trigonometric and hyperbolic functions through the C library in float (double for float64).
template <typename T>
using Wide = std::conditional_t<std::is_same_v<T, double>, double, float>;
#define TFPORT_LIBM_OP(Name, fn) \
  TFPORT_UNARY_OP(Name, kFloatTypes, 30, y = x.unaryExpr([](T v) { return static_cast<T>(fn(static_cast<Wide<T>>(v))); }))
TFPORT_LIBM_OP(TanOp, std::tan)
TFPORT_LIBM_OP(AsinOp, std::asin)
TFPORT_LIBM_OP(AcosOp, std::acos)
TFPORT_LIBM_OP(AtanOp, std::atan)
TFPORT_LIBM_OP(SinhOp, std::sinh)
TFPORT_LIBM_OP(CoshOp, std::cosh)
TFPORT_LIBM_OP(AsinhOp, std::asinh)
TFPORT_LIBM_OP(AcoshOp, std::acosh)
TFPORT_LIBM_OP(AtanhOp, std::atanh)
#undef TFPORT_LIBM_OP

// Round half to even (TF's Round); integers unchanged.
struct RoundOp {
  static constexpr uint32_t kTypes = kFloatTypes | kI32 | kI64;
  static constexpr double kCost = 2;
  float alpha = 0;
  template <typename T>
  void apply(const ConstArray<T>& x, MutArray<T>& y) const {
    if constexpr (std::is_integral_v<T>) {
      y = x;
    } else {
      for (Eigen::Index i = 0; i < x.size(); ++i) y[i] = std::nearbyint(x[i]);  // default mode: to even
    }
  }
};

struct ErfOp {
  static constexpr uint32_t kTypes = kFloatTypes;
  static constexpr double kCost = 20;
  float alpha = 0;
  template <typename T>
  void apply(const ConstArray<T>& x, MutArray<T>& y) const {
    for (Eigen::Index i = 0; i < x.size(); ++i) y[i] = std::erf(x[i]);
  }
};

// TF: x if x > -threshold, exp(x) if x < threshold, else log(exp(x) + 1), with threshold =
// log(epsilon) + 2.
struct SoftplusOp {
  static constexpr uint32_t kTypes = kFloatTypes;
  static constexpr double kCost = 30;
  float alpha = 0;
  template <typename T>
  void apply(const ConstArray<T>& x, MutArray<T>& y) const {
    const T threshold = std::log(std::numeric_limits<T>::epsilon()) + T(2);
    for (Eigen::Index i = 0; i < x.size(); ++i) {
      const T v = x[i];
      y[i] = v > -threshold ? v : (v < threshold ? std::exp(v) : std::log(std::exp(v) + T(1)));
    }
  }
};

template <typename T>
T wrap_neg(T v) {
  if constexpr (std::is_integral_v<T>) {
    using U = std::make_unsigned_t<T>;
    return static_cast<T>(static_cast<U>(U(0) - static_cast<U>(v)));
  } else {
    return -v;
  }
}

struct NegOp {
  static constexpr uint32_t kTypes = kSigned;
  static constexpr double kCost = 1;
  float alpha = 0;
  template <typename T>
  void apply(const ConstArray<T>& x, MutArray<T>& y) const {
    for (Eigen::Index i = 0; i < x.size(); ++i) y[i] = wrap_neg(x[i]);
  }
};
struct AbsOp {
  static constexpr uint32_t kTypes = kSigned;
  static constexpr double kCost = 1;
  float alpha = 0;
  template <typename T>
  void apply(const ConstArray<T>& x, MutArray<T>& y) const {
    for (Eigen::Index i = 0; i < x.size(); ++i) y[i] = x[i] < T(0) ? wrap_neg(x[i]) : x[i];
  }
};
struct SignOp {
  static constexpr uint32_t kTypes = kSigned;
  static constexpr double kCost = 1;
  float alpha = 0;
  template <typename T>
  void apply(const ConstArray<T>& x, MutArray<T>& y) const {
    for (Eigen::Index i = 0; i < x.size(); ++i) {
      const T v = x[i];
      if constexpr (std::is_floating_point_v<T>) {
        y[i] = std::isnan(v) ? v : static_cast<T>((T(0) < v) - (v < T(0)));
      } else {
        y[i] = static_cast<T>((T(0) < v) - (v < T(0)));
      }
    }
  }
};
struct SquareOp {
  static constexpr uint32_t kTypes = kSigned;
  static constexpr double kCost = 1;
  float alpha = 0;
  template <typename T>
  void apply(const ConstArray<T>& x, MutArray<T>& y) const {
    if constexpr (std::is_integral_v<T>) {
      using U = std::make_unsigned_t<T>;
      for (Eigen::Index i = 0; i < x.size(); ++i) {
        y[i] = static_cast<T>(static_cast<U>(static_cast<U>(x[i]) * static_cast<U>(x[i])));
      }
    } else {
      y = x.square();
    }
  }
};

template <typename Op>
class UnaryKernel final : public Kernel {
 public:
  UnaryKernel(std::string op, Op fn) : op_(std::move(op)), fn_(fn) {}
  Status compute(KernelContext& ctx) const override {
    TFPORT_RETURN_IF_ERROR(expect_inputs(ctx, op_, 1));
    const Tensor& x = ctx.inputs[0];
    Status status;
    const bool handled = visit_dtype<Op::kTypes>(x.dtype(), [&](auto tag) {
      using T = typename decltype(tag)::type;
      auto out = add_output_uninitialized(ctx, op_, x.dtype(), x.shape());
      if (!out.ok()) {
        status = out.status();
        return;
      }
      const T* in = x.data<T>();
      T* o = (*out)->template mutable_data<T>();
      parallel_for(ctx.device, x.num_elements(), Op::kCost, [&](int64_t b, int64_t e) {
        ConstArray<T> src(in + b, e - b);
        MutArray<T> dst(o + b, e - b);
        fn_.apply(src, dst);
      });
    });
    if (!handled) return unsupported_dtype(ctx, op_, x.dtype(), Op::kTypes);
    return status;
  }

 private:
  std::string op_;
  Op fn_;
};

template <typename Op>
StatusOr<std::unique_ptr<Kernel>> make_unary(const Attrs& attrs) {
  TFPORT_RETURN_IF_ERROR(check_type_attr(attrs, "T", Op::kTypes));
  Op fn;
  if constexpr (std::is_same_v<Op, LeakyReluOp>) {
    TFPORT_ASSIGN_OR_RETURN(fn.alpha, attrs.get_float_or("alpha", 0.2f));
  }
  return std::unique_ptr<Kernel>(new UnaryKernel<Op>(std::string(attrs.op()), fn));
}

StatusOr<std::vector<PartialShape>> same_shape(std::span<const PartialShape> in, const Attrs& attrs) {
  if (in.empty()) return attrs.error("expected an input");
  return std::vector<PartialShape>{in[0]};
}

TFPORT_REGISTER_OP({"Relu", &make_unary<ReluOp>, &same_shape});
TFPORT_REGISTER_OP({"Relu6", &make_unary<Relu6Op>, &same_shape});
TFPORT_REGISTER_OP({"Elu", &make_unary<EluOp>, &same_shape});
TFPORT_REGISTER_OP({"Selu", &make_unary<SeluOp>, &same_shape});
TFPORT_REGISTER_OP({"LeakyRelu", &make_unary<LeakyReluOp>, &same_shape});
TFPORT_REGISTER_OP({"Sigmoid", &make_unary<SigmoidOp>, &same_shape});
TFPORT_REGISTER_OP({"Tanh", &make_unary<TanhOp>, &same_shape});
TFPORT_REGISTER_OP({"Softplus", &make_unary<SoftplusOp>, &same_shape});
TFPORT_REGISTER_OP({"Softsign", &make_unary<SoftsignOp>, &same_shape});
TFPORT_REGISTER_OP({"Exp", &make_unary<ExpOp>, &same_shape});
TFPORT_REGISTER_OP({"Expm1", &make_unary<Expm1Op>, &same_shape});
TFPORT_REGISTER_OP({"Log", &make_unary<LogOp>, &same_shape});
TFPORT_REGISTER_OP({"Log1p", &make_unary<Log1pOp>, &same_shape});
TFPORT_REGISTER_OP({"Sqrt", &make_unary<SqrtOp>, &same_shape});
TFPORT_REGISTER_OP({"Rsqrt", &make_unary<RsqrtOp>, &same_shape});
TFPORT_REGISTER_OP({"Square", &make_unary<SquareOp>, &same_shape});
TFPORT_REGISTER_OP({"Neg", &make_unary<NegOp>, &same_shape});
TFPORT_REGISTER_OP({"Abs", &make_unary<AbsOp>, &same_shape});
TFPORT_REGISTER_OP({"Sign", &make_unary<SignOp>, &same_shape});
TFPORT_REGISTER_OP({"Reciprocal", &make_unary<ReciprocalOp>, &same_shape});
TFPORT_REGISTER_OP({"Inv", &make_unary<ReciprocalOp>, &same_shape});
TFPORT_REGISTER_OP({"Floor", &make_unary<FloorOp>, &same_shape});
TFPORT_REGISTER_OP({"Ceil", &make_unary<CeilOp>, &same_shape});
TFPORT_REGISTER_OP({"Round", &make_unary<RoundOp>, &same_shape});
TFPORT_REGISTER_OP({"Rint", &make_unary<RoundOp>, &same_shape});
TFPORT_REGISTER_OP({"Erf", &make_unary<ErfOp>, &same_shape});
TFPORT_REGISTER_OP({"Sin", &make_unary<SinOp>, &same_shape});
TFPORT_REGISTER_OP({"Cos", &make_unary<CosOp>, &same_shape});
TFPORT_REGISTER_OP({"Tan", &make_unary<TanOp>, &same_shape});
TFPORT_REGISTER_OP({"Asin", &make_unary<AsinOp>, &same_shape});
TFPORT_REGISTER_OP({"Acos", &make_unary<AcosOp>, &same_shape});
TFPORT_REGISTER_OP({"Atan", &make_unary<AtanOp>, &same_shape});
TFPORT_REGISTER_OP({"Sinh", &make_unary<SinhOp>, &same_shape});
TFPORT_REGISTER_OP({"Cosh", &make_unary<CoshOp>, &same_shape});
TFPORT_REGISTER_OP({"Asinh", &make_unary<AsinhOp>, &same_shape});
TFPORT_REGISTER_OP({"Acosh", &make_unary<AcoshOp>, &same_shape});
TFPORT_REGISTER_OP({"Atanh", &make_unary<AtanhOp>, &same_shape});

// IsNan, IsInf, IsFinite: a float tensor to bools.
template <int kTest>
class FloatClassKernel final : public Kernel {
 public:
  explicit FloatClassKernel(std::string op) : op_(std::move(op)) {}
  Status compute(KernelContext& ctx) const override {
    TFPORT_RETURN_IF_ERROR(expect_inputs(ctx, op_, 1));
    const Tensor& x = ctx.inputs[0];
    Status status;
    const bool handled = visit_dtype<kFloatTypes>(x.dtype(), [&](auto tag) {
      using T = typename decltype(tag)::type;
      auto out = add_output(ctx, op_, DType::kBool, x.shape());
      if (!out.ok()) {
        status = out.status();
        return;
      }
      const T* in = x.data<T>();
      bool* o = (*out)->template mutable_data<bool>();
      for (int64_t i = 0; i < x.num_elements(); ++i) {
        const double v = static_cast<double>(in[i]);
        o[i] = kTest == 0 ? std::isnan(v) : kTest == 1 ? std::isinf(v) : std::isfinite(v);
      }
    });
    if (!handled) return unsupported_dtype(ctx, op_, x.dtype(), kFloatTypes);
    return status;
  }

 private:
  std::string op_;
};
template <int kTest>
StatusOr<std::unique_ptr<Kernel>> make_float_class(const Attrs& attrs) {
  TFPORT_RETURN_IF_ERROR(check_type_attr(attrs, "T", kFloatTypes));
  return std::unique_ptr<Kernel>(new FloatClassKernel<kTest>(std::string(attrs.op())));
}
TFPORT_REGISTER_OP({"IsNan", &make_float_class<0>, &same_shape});
TFPORT_REGISTER_OP({"IsInf", &make_float_class<1>, &same_shape});
TFPORT_REGISTER_OP({"IsFinite", &make_float_class<2>, &same_shape});

// LogicalNot on bool.
class LogicalNotKernel final : public Kernel {
 public:
  Status compute(KernelContext& ctx) const override {
    static constexpr std::string_view kOp = "LogicalNot";
    TFPORT_RETURN_IF_ERROR(expect_inputs(ctx, kOp, 1));
    const Tensor& x = ctx.inputs[0];
    if (x.dtype() != DType::kBool) return unsupported_dtype(ctx, kOp, x.dtype(), kBoolBit);
    TFPORT_ASSIGN_OR_RETURN(Tensor * out, add_output(ctx, kOp, DType::kBool, x.shape()));
    const bool* in = x.data<bool>();
    bool* o = out->mutable_data<bool>();
    for (int64_t i = 0; i < x.num_elements(); ++i) o[i] = !in[i];
    return Status::OK();
  }
};
StatusOr<std::unique_ptr<Kernel>> make_logical_not(const Attrs&) { return std::unique_ptr<Kernel>(new LogicalNotKernel()); }
TFPORT_REGISTER_OP({"LogicalNot", &make_logical_not, &same_shape});

// Softmax / LogSoftmax over the last axis: shifted = x - max; exp(shifted) / sum, or
// shifted - log(sum(exp(shifted))).
class SoftmaxKernel final : public Kernel {
 public:
  SoftmaxKernel(std::string op, bool log) : op_(std::move(op)), log_(log) {}
  Status compute(KernelContext& ctx) const override {
    TFPORT_RETURN_IF_ERROR(expect_inputs(ctx, op_, 1));
    const Tensor& x = ctx.inputs[0];
    if (x.shape().rank() < 1) return ctx.error(op_, "logits must have rank >= 1, got a scalar");
    Status status;
    const bool handled = visit_dtype<kFloatTypes>(x.dtype(), [&](auto tag) {
      using T = typename decltype(tag)::type;
      auto out = add_output(ctx, op_, x.dtype(), x.shape());
      if (!out.ok()) {
        status = out.status();
        return;
      }
      const int64_t depth = x.shape().dim(x.shape().rank() - 1);
      if (depth == 0) return;
      const int64_t rows = x.num_elements() / depth;
      const T* in = x.data<T>();
      T* o = (*out)->template mutable_data<T>();
      parallel_for(ctx.device, rows, 30.0 * static_cast<double>(depth), [&](int64_t b, int64_t e) {
        for (int64_t r = b; r < e; ++r) {
          ConstArray<T> row(in + r * depth, depth);
          MutArray<T> dst(o + r * depth, depth);
          dst = row - row.maxCoeff();
          if (log_) {
            dst -= std::log(dst.exp().sum());
          } else {
            dst = dst.exp();
            dst /= dst.sum();
          }
        }
      });
    });
    if (!handled) return unsupported_dtype(ctx, op_, x.dtype(), kFloatTypes);
    return status;
  }

 private:
  std::string op_;
  bool log_;
};

template <bool kLog>
StatusOr<std::unique_ptr<Kernel>> make_softmax(const Attrs& attrs) {
  TFPORT_RETURN_IF_ERROR(check_type_attr(attrs, "T", kFloatTypes));
  return std::unique_ptr<Kernel>(new SoftmaxKernel(std::string(attrs.op()), kLog));
}
TFPORT_REGISTER_OP({"Softmax", &make_softmax<false>, &same_shape});
TFPORT_REGISTER_OP({"LogSoftmax", &make_softmax<true>, &same_shape});

// Identity and friends: the output is the input tensor (shared buffer, no copy).
class IdentityKernel final : public Kernel {
 public:
  IdentityKernel(std::string op, bool all) : op_(std::move(op)), all_(all) {}
  Status compute(KernelContext& ctx) const override {
    if (all_) {
      for (const Tensor& t : ctx.inputs) ctx.outputs->push_back(t);
      return Status::OK();
    }
    if (ctx.inputs.empty()) return ctx.error(op_, "expected 1 input, got 0");
    ctx.outputs->push_back(ctx.inputs[0]);
    return Status::OK();
  }

 private:
  std::string op_;
  bool all_;
};

template <bool kAll>
StatusOr<std::unique_ptr<Kernel>> make_identity(const Attrs& attrs) {
  return std::unique_ptr<Kernel>(new IdentityKernel(std::string(attrs.op()), kAll));
}
StatusOr<std::vector<PartialShape>> all_same_shapes(std::span<const PartialShape> in, const Attrs&) {
  return std::vector<PartialShape>(in.begin(), in.end());
}
TFPORT_REGISTER_OP({"Identity", &make_identity<false>, &same_shape});
TFPORT_REGISTER_OP({"Snapshot", &make_identity<false>, &same_shape});
TFPORT_REGISTER_OP({"StopGradient", &make_identity<false>, &same_shape});
TFPORT_REGISTER_OP({"PreventGradient", &make_identity<false>, &same_shape});
TFPORT_REGISTER_OP({"IdentityN", &make_identity<true>, &all_same_shapes});

}  // namespace
}  // namespace tfport::runtime::ops
