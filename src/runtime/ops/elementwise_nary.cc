// BiasAdd (NHWC / NCHW), AddN, Select, SelectV2 and ClipByValue.
#include "runtime/ops/broadcast.h"
#include "runtime/ops/op_util.h"

namespace tfport::runtime::ops {
namespace {


class BiasAddKernel final : public Kernel {
 public:
  BiasAddKernel(std::string op, bool nchw) : op_(std::move(op)), nchw_(nchw) {}
  Status compute(KernelContext& ctx) const override {
    TFPORT_RETURN_IF_ERROR(expect_inputs(ctx, op_, 2));
    const Tensor& x = ctx.inputs[0];
    const Tensor& bias = ctx.inputs[1];
    const int rank = x.shape().rank();
    if (rank < 2) return ctx.error(op_, "input must have rank >= 2, got shape " + x.shape().to_string());
    if (bias.shape().rank() != 1) return ctx.error(op_, "bias must be a vector, got shape " + bias.shape().to_string());
    if (x.dtype() != bias.dtype()) return ctx.error(op_, "input and bias have different types");
    const int channel_dim = nchw_ ? 1 : rank - 1;
    const int64_t c = x.shape().dim(channel_dim);
    if (bias.shape().dim(0) != c) {
      return ctx.error(op_, "bias has " + std::to_string(bias.shape().dim(0)) + " values, input has " +
                                std::to_string(c) + " channels (shape " + x.shape().to_string() + ")");
    }
    Status status;
    const bool handled = visit_dtype<kRealTypes>(x.dtype(), [&](auto tag) {
      using T = typename decltype(tag)::type;
      auto out = add_output(ctx, op_, x.dtype(), x.shape());
      if (!out.ok()) {
        status = out.status();
        return;
      }
      const T* in = x.data<T>();
      const T* b = bias.data<T>();
      T* o = (*out)->template mutable_data<T>();
      if (c == 0 || x.num_elements() == 0) return;
      // inner = elements per channel run (1 for NHWC), rows of channel-major blocks.
      int64_t inner = 1;
      for (int d = channel_dim + 1; d < rank; ++d) inner *= x.shape().dim(d);
      const int64_t rows = x.num_elements() / (c * inner);
      parallel_for(ctx.device, rows, static_cast<double>(c * inner), [&](int64_t r0, int64_t r1) {
        for (int64_t r = r0; r < r1; ++r) {
          const T* src = in + r * c * inner;
          T* dst = o + r * c * inner;
          if (inner == 1) {
            for (int64_t j = 0; j < c; ++j) dst[j] = static_cast<T>(src[j] + b[j]);
          } else {
            for (int64_t j = 0; j < c; ++j)
              for (int64_t i = 0; i < inner; ++i) dst[j * inner + i] = static_cast<T>(src[j * inner + i] + b[j]);
          }
        }
      });
    });
    if (!handled) return unsupported_dtype(ctx, op_, x.dtype(), kRealTypes);
    return status;
  }

 private:
  std::string op_;
  bool nchw_;
};

StatusOr<std::unique_ptr<Kernel>> make_bias_add(const Attrs& attrs) {
  TFPORT_RETURN_IF_ERROR(check_type_attr(attrs, "T", kRealTypes));
  TFPORT_ASSIGN_OR_RETURN(std::string fmt, attrs.get_string_or("data_format", "NHWC"));
  if (fmt != "NHWC" && fmt != "NCHW") return attrs.error("unsupported data_format " + fmt);
  return std::unique_ptr<Kernel>(new BiasAddKernel(std::string(attrs.op()), fmt == "NCHW"));
}

StatusOr<std::vector<PartialShape>> first_shape(std::span<const PartialShape> in, const Attrs& attrs) {
  if (in.empty()) return attrs.error("expected an input");
  return std::vector<PartialShape>{in[0]};
}

TFPORT_REGISTER_OP({"BiasAdd", &make_bias_add, &first_shape});
TFPORT_REGISTER_OP({"BiasAddV1", &make_bias_add, &first_shape});

class AddNKernel final : public Kernel {
 public:
  Status compute(KernelContext& ctx) const override {
    static constexpr std::string_view kOp = "AddN";
    TFPORT_RETURN_IF_ERROR(expect_min_inputs(ctx, kOp, 1));
    const Tensor& first = ctx.inputs[0];
    for (std::size_t i = 1; i < ctx.inputs.size(); ++i) {
      if (ctx.inputs[i].dtype() != first.dtype() || ctx.inputs[i].shape() != first.shape()) {
        return ctx.error(kOp, "input " + std::to_string(i) + " is " + ctx.inputs[i].description() + ", input 0 is " +
                                  first.description());
      }
    }
    Status status;
    const bool handled = visit_dtype<kRealTypes>(first.dtype(), [&](auto tag) {
      using T = typename decltype(tag)::type;
      auto out = add_output(ctx, kOp, first.dtype(), first.shape());
      if (!out.ok()) {
        status = out.status();
        return;
      }
      T* o = (*out)->template mutable_data<T>();
      const auto n_inputs = ctx.inputs.size();
      parallel_for(ctx.device, first.num_elements(), static_cast<double>(n_inputs), [&](int64_t b, int64_t e) {
        for (int64_t j = b; j < e; ++j) o[j] = first.data<T>()[j];
        for (std::size_t i = 1; i < n_inputs; ++i) {
          const T* p = ctx.inputs[i].data<T>();
          for (int64_t j = b; j < e; ++j) o[j] = static_cast<T>(o[j] + p[j]);
        }
      });
    });
    if (!handled) return unsupported_dtype(ctx, kOp, first.dtype(), kRealTypes);
    return status;
  }
};

StatusOr<std::unique_ptr<Kernel>> make_add_n(const Attrs& attrs) {
  TFPORT_RETURN_IF_ERROR(check_type_attr(attrs, "T", kRealTypes));
  return std::unique_ptr<Kernel>(new AddNKernel());
}
TFPORT_REGISTER_OP({"AddN", &make_add_n, &first_shape});

// Select (v1): cond has the shape of t/e, or is a vector over their first dimension, or a
// scalar. SelectV2: cond, t and e broadcast together.
class SelectKernel final : public Kernel {
 public:
  SelectKernel(std::string op, bool v2) : op_(std::move(op)), v2_(v2) {}
  Status compute(KernelContext& ctx) const override {
    TFPORT_RETURN_IF_ERROR(expect_inputs(ctx, op_, 3));
    const Tensor& cond = ctx.inputs[0];
    const Tensor& t = ctx.inputs[1];
    const Tensor& e = ctx.inputs[2];
    if (cond.dtype() != DType::kBool) return unsupported_dtype(ctx, op_, cond.dtype(), kBoolBit, "condition");
    if (t.dtype() != e.dtype()) return ctx.error(op_, "then and else have different types");
    Shape out_shape;
    Shape cond_view = cond.shape();
    if (v2_) {
      const Shape all[] = {cond.shape(), t.shape(), e.shape()};
      auto s = broadcast_shapes(std::span<const Shape>(all));
      if (!s) {
        return ctx.error(op_, "shapes do not broadcast: " + cond.shape().to_string() + ", " + t.shape().to_string() +
                                  ", " + e.shape().to_string());
      }
      out_shape = *s;
    } else {
      if (t.shape() != e.shape()) {
        return ctx.error(op_, "then and else must have the same shape, got " + t.shape().to_string() + " and " +
                                  e.shape().to_string());
      }
      out_shape = t.shape();
      if (cond.shape() == t.shape() || cond.shape().rank() == 0) {
        // elementwise or scalar: broadcasting covers both
      } else if (cond.shape().rank() == 1 && t.shape().rank() >= 1 && cond.shape().dim(0) == t.shape().dim(0)) {
        std::vector<int64_t> dims(static_cast<std::size_t>(t.shape().rank()), 1);
        dims[0] = cond.shape().dim(0);
        cond_view = Shape(dims);
      } else {
        return ctx.error(op_, "condition shape " + cond.shape().to_string() + " does not fit " + t.shape().to_string());
      }
    }
    Status status;
    const bool handled = visit_dtype<kAllPlainTypes>(t.dtype(), [&](auto tag) {
      using T = typename decltype(tag)::type;
      auto out = add_output(ctx, op_, t.dtype(), out_shape);
      if (!out.ok()) {
        status = out.status();
        return;
      }
      BroadcastWalk<3> walk(out_shape, {&cond_view, &t.shape(), &e.shape()});
      const bool* pc = cond.data<bool>();
      const T* pt = t.data<T>();
      const T* pe = e.data<T>();
      T* po = (*out)->template mutable_data<T>();
      const int64_t s0 = walk.inner_stride(0), s1 = walk.inner_stride(1), s2 = walk.inner_stride(2);
      parallel_for(ctx.device, out_shape.num_elements(), 2.0, [&](int64_t b, int64_t en) {
        walk.for_each_run(b, en, [&](int64_t o, const std::array<int64_t, 3>& off, int64_t len) {
          for (int64_t i = 0; i < len; ++i) {
            po[o + i] = pc[off[0] + i * s0] ? pt[off[1] + i * s1] : pe[off[2] + i * s2];
          }
        });
      });
    });
    if (!handled) return unsupported_dtype(ctx, op_, t.dtype(), kAllPlainTypes);
    return status;
  }

 private:
  std::string op_;
  bool v2_;
};

template <bool kV2>
StatusOr<std::unique_ptr<Kernel>> make_select(const Attrs& attrs) {
  return std::unique_ptr<Kernel>(new SelectKernel(std::string(attrs.op()), kV2));
}
TFPORT_REGISTER_OP({"Select", &make_select<false>});
TFPORT_REGISTER_OP({"SelectV2", &make_select<true>});

// ClipByValue: max(min(t, hi), lo), lo and hi broadcasting against t (TF takes scalars or t's
// shape; any broadcast that keeps t's shape is accepted here).
class ClipKernel final : public Kernel {
 public:
  Status compute(KernelContext& ctx) const override {
    static constexpr std::string_view kOp = "ClipByValue";
    TFPORT_RETURN_IF_ERROR(expect_inputs(ctx, kOp, 3));
    const Tensor& t = ctx.inputs[0];
    const Tensor& lo = ctx.inputs[1];
    const Tensor& hi = ctx.inputs[2];
    if (lo.dtype() != t.dtype() || hi.dtype() != t.dtype()) return ctx.error(kOp, "bounds of another type than the input");
    auto shape = broadcast_shapes(std::array<Shape, 3>{t.shape(), lo.shape(), hi.shape()});
    if (!shape || *shape != t.shape()) {
      return ctx.error(kOp, "bounds " + lo.shape().to_string() + " and " + hi.shape().to_string() +
                                " do not broadcast to the input " + t.shape().to_string());
    }
    Status status;
    const bool handled = visit_dtype<kRealTypes>(t.dtype(), [&](auto tag) {
      using T = typename decltype(tag)::type;
      auto out = add_output_uninitialized(ctx, kOp, t.dtype(), t.shape());
      if (!out.ok()) {
        status = out.status();
        return;
      }
      BroadcastWalk<3> walk(t.shape(), {&t.shape(), &lo.shape(), &hi.shape()});
      const T* pt = t.data<T>();
      const T* pl = lo.data<T>();
      const T* ph = hi.data<T>();
      T* po = (*out)->template mutable_data<T>();
      const int64_t s0 = walk.inner_stride(0), s1 = walk.inner_stride(1), s2 = walk.inner_stride(2);
      walk.for_each_run(0, walk.num_elements(), [&](int64_t o, const std::array<int64_t, 3>& off, int64_t len) {
        for (int64_t i = 0; i < len; ++i) {
          const T v = pt[off[0] + i * s0], l = pl[off[1] + i * s1], h = ph[off[2] + i * s2];
          const T upper = h < v ? h : v;  // TF's order: min with the upper bound, then max
          po[o + i] = upper < l ? l : upper;
        }
      });
    });
    if (!handled) return unsupported_dtype(ctx, kOp, t.dtype(), kRealTypes);
    return status;
  }
};
StatusOr<std::unique_ptr<Kernel>> make_clip(const Attrs& attrs) {
  TFPORT_RETURN_IF_ERROR(check_type_attr(attrs, "T", kRealTypes));
  return std::unique_ptr<Kernel>(new ClipKernel());
}
TFPORT_REGISTER_OP({"ClipByValue", &make_clip});

}  // namespace
}  // namespace tfport::runtime::ops
