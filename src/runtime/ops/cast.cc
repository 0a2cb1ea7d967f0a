// Cast between every numeric type and bool. Float -> integer truncates toward zero; NaN and
// out-of-range values give the integer minimum (what TF produces on x86) instead of C++ UB.
// Float -> bool is x != 0; bool -> number is 0/1.
#include <cmath>
#include <limits>

#include "runtime/ops/op_util.h"

namespace tfport::runtime::ops {
namespace {

template <typename To, typename From>
To convert(From v) {
  if constexpr (std::is_same_v<To, bool>) {
    return static_cast<float>(v) != 0.0f || (std::is_integral_v<From> && v != From(0));
  } else if constexpr (std::is_integral_v<To> &&
                       (std::is_floating_point_v<From> || std::is_same_v<From, Eigen::half> ||
                        std::is_same_v<From, Eigen::bfloat16>)) {
    const double d = static_cast<double>(static_cast<float>(v));
    if constexpr (sizeof(To) >= 4) {
      // Exactly representable bounds: [min, max + 1).
      const double lo = static_cast<double>(std::numeric_limits<To>::min());
      const double hi = std::ldexp(1.0, std::numeric_limits<To>::digits);
      if (std::isnan(d) || d < lo || d >= hi) return std::is_signed_v<To> ? std::numeric_limits<To>::min() : To(0);
      return static_cast<To>(d);
    } else {
      // Narrow types: through int32 then wrap, like the hardware path.
      if (std::isnan(d) || d <= -2147483649.0 || d >= 2147483648.0) return To(0);
      return static_cast<To>(static_cast<int32_t>(d));
    }
  } else if constexpr (std::is_same_v<From, bool>) {
    return static_cast<To>(v ? 1 : 0);
  } else if constexpr (std::is_same_v<To, Eigen::half> || std::is_same_v<To, Eigen::bfloat16>) {
    return static_cast<To>(static_cast<float>(v));
  } else if constexpr (std::is_same_v<From, Eigen::half> || std::is_same_v<From, Eigen::bfloat16>) {
    return static_cast<To>(static_cast<float>(v));
  } else {
    return static_cast<To>(v);
  }
}

class CastKernel final : public Kernel {
 public:
  explicit CastKernel(DType dst) : dst_(dst) {}
  Status compute(KernelContext& ctx) const override {
    static constexpr std::string_view kOp = "Cast";
    TFPORT_RETURN_IF_ERROR(expect_inputs(ctx, kOp, 1));
    const Tensor& x = ctx.inputs[0];
    if (x.dtype() == dst_) {
      ctx.outputs->push_back(x);
      return Status::OK();
    }
    TFPORT_ASSIGN_OR_RETURN(Tensor * out, add_output(ctx, kOp, dst_, x.shape()));
    Tensor* o = out;
    bool inner_ok = false;
    const bool handled = visit_dtype<kAllPlainTypes>(x.dtype(), [&](auto from_tag) {
      using From = typename decltype(from_tag)::type;
      inner_ok = visit_dtype<kAllPlainTypes>(dst_, [&](auto to_tag) {
        using To = typename decltype(to_tag)::type;
        const From* in = x.data<From>();
        To* dst = o->mutable_data<To>();
        parallel_for(ctx.device, x.num_elements(), 2.0, [&](int64_t b, int64_t e) {
          for (int64_t i = b; i < e; ++i) dst[i] = convert<To, From>(in[i]);
        });
      });
    });
    if (!handled) return unsupported_dtype(ctx, kOp, x.dtype(), kAllPlainTypes);
    if (!inner_ok) return unsupported_dtype(ctx, kOp, dst_, kAllPlainTypes, "DstT");
    return Status::OK();
  }

 private:
  DType dst_;
};

StatusOr<std::unique_ptr<Kernel>> make_cast(const Attrs& attrs) {
  TFPORT_ASSIGN_OR_RETURN(DType dst, attrs.get_type("DstT"));
  TFPORT_RETURN_IF_ERROR(check_type_attr(attrs, "DstT", kAllPlainTypes));
  TFPORT_RETURN_IF_ERROR(check_type_attr(attrs, "SrcT", kAllPlainTypes));
  return std::unique_ptr<Kernel>(new CastKernel(dst));
}
TFPORT_REGISTER_OP({"Cast", &make_cast});

}  // namespace
}  // namespace tfport::runtime::ops
