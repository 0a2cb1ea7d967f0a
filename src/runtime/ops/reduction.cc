// Reductions over axes given by an int32/int64 tensor input (negative axes allowed,
// duplicates ignored, keep_dims attr): Sum, Mean, Prod, Max, Min, Any, All; and ArgMax/ArgMin.
// Floating sums accumulate in double; integer sums and products wrap like TF's.
#include <algorithm>
#include <limits>

#include "runtime/ops/broadcast.h"
#include "runtime/ops/op_util.h"

namespace tfport::runtime::ops {
namespace {

enum class Reduce { kSum, kMean, kProd, kMax, kMin, kAny, kAll };

struct ReducedShapes {
  Shape out;         // final output shape (keep_dims applied)
  Shape kept;        // input rank, reduced dims set to 1
  int64_t count = 1; // elements folded into each output
};

StatusOr<ReducedShapes> reduced_shapes(const KernelContext& ctx, std::string_view op, const Shape& in,
                                       const Tensor& axes_tensor, bool keep_dims) {
  TFPORT_ASSIGN_OR_RETURN(auto axes, read_int_values(ctx, op, axes_tensor, "reduction axes"));
  std::vector<bool> reduce(static_cast<std::size_t>(in.rank()), false);
  for (int64_t a : axes) {
    TFPORT_ASSIGN_OR_RETURN(int axis, normalize_axis(ctx, op, a, in.rank()));
    reduce[static_cast<std::size_t>(axis)] = true;
  }
  ReducedShapes r;
  std::vector<int64_t> out, kept;
  for (int d = 0; d < in.rank(); ++d) {
    if (reduce[static_cast<std::size_t>(d)]) {
      r.count *= in.dim(d);
      kept.push_back(1);
      if (keep_dims) out.push_back(1);
    } else {
      kept.push_back(in.dim(d));
      out.push_back(in.dim(d));
    }
  }
  r.out = Shape(out);
  r.kept = Shape(kept);
  return r;
}

template <typename T>
using Acc = std::conditional_t<std::is_floating_point_v<T>, double,
                               std::conditional_t<std::is_same_v<T, bool>, unsigned char, uint64_t>>;

template <typename T>
void reduce_into(Reduce kind, const Tensor& x, const ReducedShapes& rs, T* out) {
  using A = Acc<T>;
  const int64_t n_out = rs.kept.num_elements();
  std::vector<A> acc(static_cast<std::size_t>(n_out));
  A init{};
  switch (kind) {
    case Reduce::kSum: case Reduce::kMean: case Reduce::kAny: init = A(0); break;
    case Reduce::kProd: case Reduce::kAll: init = A(1); break;
    case Reduce::kMax: init = static_cast<A>(std::numeric_limits<T>::lowest()); break;
    case Reduce::kMin: init = static_cast<A>(std::numeric_limits<T>::max()); break;
  }
  if constexpr (std::is_floating_point_v<T>) {
    if (kind == Reduce::kMax) init = -std::numeric_limits<double>::infinity();
    if (kind == Reduce::kMin) init = std::numeric_limits<double>::infinity();
  }
  std::fill(acc.begin(), acc.end(), init);
  const T* in = x.data<T>();
  if (x.num_elements() > 0) {
    BroadcastWalk<1> walk(x.shape(), {&rs.kept});
    const int64_t s = walk.inner_stride(0);
    walk.for_each_run(0, x.num_elements(), [&](int64_t o, const std::array<int64_t, 1>& off, int64_t len) {
      A* a = acc.data() + off[0];
      const T* src = in + o;
      for (int64_t i = 0; i < len; ++i) {
        A& dst = a[i * s];
        const A v = static_cast<A>(src[i]);
        switch (kind) {
          case Reduce::kSum: case Reduce::kMean: dst = static_cast<A>(dst + v); break;
          case Reduce::kProd: dst = static_cast<A>(dst * v); break;
          case Reduce::kMax: dst = v > dst ? v : dst; break;
          case Reduce::kMin: dst = v < dst ? v : dst; break;
          case Reduce::kAny: dst = static_cast<A>(dst || v); break;
          case Reduce::kAll: dst = static_cast<A>(dst && v); break;
        }
      }
    });
  }
  for (int64_t i = 0; i < n_out; ++i) {
    A v = acc[static_cast<std::size_t>(i)];
    if (kind == Reduce::kMean) {
      if constexpr (std::is_floating_point_v<T>) {
        v = v / static_cast<double>(rs.count);
      } else if constexpr (!std::is_same_v<T, bool>) {
        // Integer mean: the wrapped sum divided by the count (truncating), like TF.
        const T sum = static_cast<T>(v);
        out[i] = rs.count == 0 ? T(0) : static_cast<T>(sum / static_cast<T>(rs.count));
        continue;
      }
    }
    out[i] = static_cast<T>(v);
  }
}

class ReduceKernel final : public Kernel {
 public:
  ReduceKernel(std::string op, Reduce kind, bool keep_dims, uint32_t types)
      : op_(std::move(op)), kind_(kind), keep_dims_(keep_dims), types_(types) {}
  Status compute(KernelContext& ctx) const override {
    TFPORT_RETURN_IF_ERROR(expect_inputs(ctx, op_, 2));
    const Tensor& x = ctx.inputs[0];
    TFPORT_ASSIGN_OR_RETURN(ReducedShapes rs, reduced_shapes(ctx, op_, x.shape(), ctx.inputs[1], keep_dims_));
    if ((dtype_bit(x.dtype()) & types_) == 0) return unsupported_dtype(ctx, op_, x.dtype(), types_);
    Status status;
    visit_dtype<kRealTypes | kBoolBit>(x.dtype(), [&](auto tag) {
      using T = typename decltype(tag)::type;
      auto out = add_output(ctx, op_, x.dtype(), rs.out);
      if (!out.ok()) {
        status = out.status();
        return;
      }
      reduce_into<T>(kind_, x, rs, (*out)->template mutable_data<T>());
    });
    return status;
  }

 private:
  std::string op_;
  Reduce kind_;
  bool keep_dims_;
  uint32_t types_;
};

template <Reduce kKind>
StatusOr<std::unique_ptr<Kernel>> make_reduce(const Attrs& attrs) {
  constexpr uint32_t types = (kKind == Reduce::kAny || kKind == Reduce::kAll) ? kBoolBit : kRealTypes;
  TFPORT_RETURN_IF_ERROR(check_type_attr(attrs, "T", types));
  TFPORT_ASSIGN_OR_RETURN(bool keep, attrs.get_bool_or("keep_dims", false));
  return std::unique_ptr<Kernel>(new ReduceKernel(std::string(attrs.op()), kKind, keep, types));
}

TFPORT_REGISTER_OP({"Sum", &make_reduce<Reduce::kSum>});
TFPORT_REGISTER_OP({"Mean", &make_reduce<Reduce::kMean>});
TFPORT_REGISTER_OP({"Prod", &make_reduce<Reduce::kProd>});
TFPORT_REGISTER_OP({"Max", &make_reduce<Reduce::kMax>});
TFPORT_REGISTER_OP({"Min", &make_reduce<Reduce::kMin>});
TFPORT_REGISTER_OP({"Any", &make_reduce<Reduce::kAny>});
TFPORT_REGISTER_OP({"All", &make_reduce<Reduce::kAll>});

// ArgMax / ArgMin: index of the first extreme value along `dimension`.
class ArgKernel final : public Kernel {
 public:
  ArgKernel(std::string op, bool max, DType out_type) : op_(std::move(op)), max_(max), out_type_(out_type) {}
  Status compute(KernelContext& ctx) const override {
    TFPORT_RETURN_IF_ERROR(expect_inputs(ctx, op_, 2));
    const Tensor& x = ctx.inputs[0];
    if (x.shape().rank() == 0) return ctx.error(op_, "input must have rank >= 1");
    TFPORT_ASSIGN_OR_RETURN(int64_t a, read_int_scalar(ctx, op_, ctx.inputs[1], "dimension"));
    TFPORT_ASSIGN_OR_RETURN(int axis, normalize_axis(ctx, op_, a, x.shape().rank()));
    const int64_t len = x.shape().dim(axis);
    if (len == 0) return ctx.error(op_, "reduction dimension is empty");
    std::vector<int64_t> out_dims;
    int64_t outer = 1, inner = 1;
    for (int d = 0; d < x.shape().rank(); ++d) {
      if (d == axis) continue;
      out_dims.push_back(x.shape().dim(d));
      (d < axis ? outer : inner) *= x.shape().dim(d);
    }
    TFPORT_ASSIGN_OR_RETURN(Tensor * out, add_output(ctx, op_, out_type_, Shape(out_dims)));
    Tensor* o = out;
    const bool handled = visit_dtype<kRealTypes>(x.dtype(), [&](auto tag) {
      using T = typename decltype(tag)::type;
      const T* in = x.data<T>();
      for (int64_t i = 0; i < outer; ++i)
        for (int64_t k = 0; k < inner; ++k) {
          int64_t best = 0;
          T bv = in[i * len * inner + k];
          for (int64_t j = 1; j < len; ++j) {
            const T v = in[(i * len + j) * inner + k];
            if (max_ ? v > bv : v < bv) {
              bv = v;
              best = j;
            }
          }
          if (out_type_ == DType::kInt32) o->mutable_data<int32_t>()[i * inner + k] = static_cast<int32_t>(best);
          else o->mutable_data<int64_t>()[i * inner + k] = best;
        }
    });
    if (!handled) return unsupported_dtype(ctx, op_, x.dtype(), kRealTypes);
    return Status::OK();
  }

 private:
  std::string op_;
  bool max_;
  DType out_type_;
};

template <bool kMax>
StatusOr<std::unique_ptr<Kernel>> make_arg(const Attrs& attrs) {
  TFPORT_RETURN_IF_ERROR(check_type_attr(attrs, "T", kRealTypes));
  DType out = DType::kInt64;
  if (attrs.has("output_type")) {
    TFPORT_ASSIGN_OR_RETURN(out, attrs.get_type("output_type"));
  }
  if (out != DType::kInt32 && out != DType::kInt64) return attrs.error("output_type must be int32 or int64");
  return std::unique_ptr<Kernel>(new ArgKernel(std::string(attrs.op()), kMax, out));
}
TFPORT_REGISTER_OP({"ArgMax", &make_arg<true>});
TFPORT_REGISTER_OP({"ArgMin", &make_arg<false>});

}  // namespace
}  // namespace tfport::runtime::ops
