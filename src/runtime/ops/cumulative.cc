// Cumsum and Cumprod along one axis, with TF's `exclusive` (shifted by one, starting from the
// identity) and `reverse` (from the end) attributes.
#include "runtime/ops/op_util.h"

namespace tfport::runtime::ops {
namespace {

template <bool kProduct>
class CumulativeKernel final : public Kernel {
 public:
  CumulativeKernel(bool exclusive, bool reverse) : exclusive_(exclusive), reverse_(reverse) {}
  Status compute(KernelContext& ctx) const override {
    const std::string_view op = kProduct ? "Cumprod" : "Cumsum";
    TFPORT_RETURN_IF_ERROR(expect_inputs(ctx, op, 2));
    const Tensor& x = ctx.inputs[0];
    TFPORT_ASSIGN_OR_RETURN(int64_t a, read_int_scalar(ctx, op, ctx.inputs[1], "axis"));
    TFPORT_ASSIGN_OR_RETURN(int axis, normalize_axis(ctx, op, a, std::max(x.shape().rank(), 1)));
    if (x.shape().rank() == 0) return ctx.error(op, "input must have rank >= 1");
    int64_t outer = 1, inner = 1;
    const int64_t n = x.shape().dim(axis);
    for (int d = 0; d < axis; ++d) outer *= x.shape().dim(d);
    for (int d = axis + 1; d < x.shape().rank(); ++d) inner *= x.shape().dim(d);
    Status status;
    const bool handled = visit_dtype<kRealTypes>(x.dtype(), [&](auto tag) {
      using T = typename decltype(tag)::type;
      auto out = add_output_uninitialized(ctx, op, x.dtype(), x.shape());
      if (!out.ok()) {
        status = out.status();
        return;
      }
      const T* in = x.data<T>();
      T* o = (*out)->template mutable_data<T>();
      for (int64_t p = 0; p < outer; ++p) {
        for (int64_t q = 0; q < inner; ++q) {
          T acc = kProduct ? T(1) : T(0);
          for (int64_t s = 0; s < n; ++s) {
            const int64_t i = reverse_ ? n - 1 - s : s;
            const int64_t at = (p * n + i) * inner + q;
            if (exclusive_) o[at] = acc;
            acc = kProduct ? static_cast<T>(acc * in[at]) : static_cast<T>(acc + in[at]);
            if (!exclusive_) o[at] = acc;
          }
        }
      }
    });
    if (!handled) return unsupported_dtype(ctx, op, x.dtype(), kRealTypes);
    return status;
  }

 private:
  bool exclusive_, reverse_;
};

template <bool kProduct>
StatusOr<std::unique_ptr<Kernel>> make_cumulative(const Attrs& attrs) {
  TFPORT_RETURN_IF_ERROR(check_type_attr(attrs, "T", kRealTypes));
  TFPORT_ASSIGN_OR_RETURN(bool exclusive, attrs.get_bool_or("exclusive", false));
  TFPORT_ASSIGN_OR_RETURN(bool reverse, attrs.get_bool_or("reverse", false));
  return std::unique_ptr<Kernel>(new CumulativeKernel<kProduct>(exclusive, reverse));
}

TFPORT_REGISTER_OP({"Cumsum", &make_cumulative<false>});
TFPORT_REGISTER_OP({"Cumprod", &make_cumulative<true>});

}  // namespace
}  // namespace tfport::runtime::ops
