// Ops that only look at or change shapes: Reshape (one -1 inferred), Shape, ShapeN, Size, Rank,
// Squeeze, ExpandDims (these share the input buffer), and tensor creation: Fill, ZerosLike,
// OnesLike, Range, BroadcastTo.
#include <cmath>

#include "runtime/ops/broadcast.h"
#include "runtime/ops/op_util.h"

namespace tfport::runtime::ops {
namespace {

class ReshapeKernel final : public Kernel {
 public:
  Status compute(KernelContext& ctx) const override {
    static constexpr std::string_view kOp = "Reshape";
    TFPORT_RETURN_IF_ERROR(expect_inputs(ctx, kOp, 2));
    const Tensor& x = ctx.inputs[0];
    TFPORT_ASSIGN_OR_RETURN(auto dims, read_int_values(ctx, kOp, ctx.inputs[1], "shape"));
    if (ctx.inputs[1].shape().rank() != 1) return ctx.error(kOp, "shape must be a vector, got " + ctx.inputs[1].shape().to_string());
    int unknown = -1;
    int64_t known = 1;
    for (std::size_t i = 0; i < dims.size(); ++i) {
      if (dims[i] == -1) {
        if (unknown >= 0) return ctx.error(kOp, "only one dimension can be -1");
        unknown = static_cast<int>(i);
      } else if (dims[i] < 0) {
        return ctx.error(kOp, "dimension " + std::to_string(i) + " is " + std::to_string(dims[i]));
      } else {
        if (dims[i] != 0 && known > std::numeric_limits<int64_t>::max() / dims[i]) return ctx.error(kOp, "shape too large");
        known *= dims[i];
      }
    }
    const int64_t n = x.num_elements();
    if (unknown >= 0) {
      if (known == 0 || n % known != 0) {
        return ctx.error(kOp, "cannot reshape a tensor of " + std::to_string(n) + " elements (shape " +
                                  x.shape().to_string() + ") into a shape with known product " + std::to_string(known));
      }
      dims[static_cast<std::size_t>(unknown)] = n / known;
    } else if (known != n) {
      return ctx.error(kOp, "cannot reshape a tensor of " + std::to_string(n) + " elements (shape " + x.shape().to_string() +
                                ") into shape " + Shape(dims).to_string());
    }
    ctx.outputs->push_back(reshaped_view(x, Shape(dims)));
    return Status::OK();
  }
};

template <typename K>
StatusOr<std::unique_ptr<Kernel>> make_simple(const Attrs&) {
  return std::unique_ptr<Kernel>(new K());
}
TFPORT_REGISTER_OP({"Reshape", &make_simple<ReshapeKernel>});

Status write_ints(KernelContext& ctx, std::string_view op, DType type, const std::vector<int64_t>& values, Shape shape) {
  TFPORT_ASSIGN_OR_RETURN(Tensor * out, add_output(ctx, op, type, std::move(shape)));
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (type == DType::kInt32) {
      if (values[i] > std::numeric_limits<int32_t>::max()) {
        return ctx.error(op, "value " + std::to_string(values[i]) + " does not fit int32; use out_type int64");
      }
      out->mutable_data<int32_t>()[i] = static_cast<int32_t>(values[i]);
    } else {
      out->mutable_data<int64_t>()[i] = values[i];
    }
  }
  return Status::OK();
}

StatusOr<DType> out_type_attr(const Attrs& attrs) {
  DType t = DType::kInt32;
  if (attrs.has("out_type")) {
    TFPORT_ASSIGN_OR_RETURN(t, attrs.get_type("out_type"));
  }
  if (t != DType::kInt32 && t != DType::kInt64) return attrs.error("out_type must be int32 or int64");
  return t;
}

// Shape, ShapeN, Size, Rank.
enum class ShapeQuery { kShape, kShapeN, kSize, kRank };
class ShapeKernel final : public Kernel {
 public:
  ShapeKernel(std::string op, ShapeQuery q, DType type) : op_(std::move(op)), q_(q), type_(type) {}
  Status compute(KernelContext& ctx) const override {
    if (ctx.inputs.empty()) return ctx.error(op_, "expected at least 1 input");
    switch (q_) {
      case ShapeQuery::kShape:
      case ShapeQuery::kShapeN: {
        const std::size_t n = q_ == ShapeQuery::kShape ? 1 : ctx.inputs.size();
        for (std::size_t i = 0; i < n; ++i) {
          const Shape& s = ctx.inputs[i].shape();
          TFPORT_RETURN_IF_ERROR(write_ints(ctx, op_, type_, s.dims(), Shape{s.rank()}));
        }
        return Status::OK();
      }
      case ShapeQuery::kSize:
        return write_ints(ctx, op_, type_, {ctx.inputs[0].num_elements()}, Shape{});
      case ShapeQuery::kRank:
        return write_ints(ctx, op_, DType::kInt32, {ctx.inputs[0].shape().rank()}, Shape{});
    }
    return Status::OK();
  }

 private:
  std::string op_;
  ShapeQuery q_;
  DType type_;
};

template <ShapeQuery kQ>
StatusOr<std::unique_ptr<Kernel>> make_shape(const Attrs& attrs) {
  TFPORT_ASSIGN_OR_RETURN(DType t, out_type_attr(attrs));
  return std::unique_ptr<Kernel>(new ShapeKernel(std::string(attrs.op()), kQ, t));
}
TFPORT_REGISTER_OP({"Shape", &make_shape<ShapeQuery::kShape>});
TFPORT_REGISTER_OP({"ShapeN", &make_shape<ShapeQuery::kShapeN>});
TFPORT_REGISTER_OP({"Size", &make_shape<ShapeQuery::kSize>});
TFPORT_REGISTER_OP({"Rank", &make_shape<ShapeQuery::kRank>});

class SqueezeKernel final : public Kernel {
 public:
  explicit SqueezeKernel(std::vector<int64_t> axes) : axes_(std::move(axes)) {}
  Status compute(KernelContext& ctx) const override {
    static constexpr std::string_view kOp = "Squeeze";
    TFPORT_RETURN_IF_ERROR(expect_inputs(ctx, kOp, 1));
    const Tensor& x = ctx.inputs[0];
    const int rank = x.shape().rank();
    std::vector<bool> drop(static_cast<std::size_t>(rank), false);
    if (axes_.empty()) {
      for (int d = 0; d < rank; ++d) drop[static_cast<std::size_t>(d)] = x.shape().dim(d) == 1;
    } else {
      for (int64_t a : axes_) {
        TFPORT_ASSIGN_OR_RETURN(int axis, normalize_axis(ctx, kOp, a, rank));
        if (x.shape().dim(axis) != 1) {
          return ctx.error(kOp, "cannot squeeze dimension " + std::to_string(a) + " of size " +
                                    std::to_string(x.shape().dim(axis)) + " (shape " + x.shape().to_string() + ")");
        }
        drop[static_cast<std::size_t>(axis)] = true;
      }
    }
    std::vector<int64_t> dims;
    for (int d = 0; d < rank; ++d) {
      if (!drop[static_cast<std::size_t>(d)]) dims.push_back(x.shape().dim(d));
    }
    ctx.outputs->push_back(reshaped_view(x, Shape(dims)));
    return Status::OK();
  }

 private:
  std::vector<int64_t> axes_;
};

StatusOr<std::unique_ptr<Kernel>> make_squeeze(const Attrs& attrs) {
  std::vector<int64_t> axes;
  if (attrs.has("squeeze_dims")) {
    TFPORT_ASSIGN_OR_RETURN(axes, attrs.get_int_list("squeeze_dims"));
  } else if (attrs.has("axis")) {
    TFPORT_ASSIGN_OR_RETURN(axes, attrs.get_int_list("axis"));
  }
  return std::unique_ptr<Kernel>(new SqueezeKernel(std::move(axes)));
}
TFPORT_REGISTER_OP({"Squeeze", &make_squeeze});

class ExpandDimsKernel final : public Kernel {
 public:
  Status compute(KernelContext& ctx) const override {
    static constexpr std::string_view kOp = "ExpandDims";
    TFPORT_RETURN_IF_ERROR(expect_inputs(ctx, kOp, 2));
    const Tensor& x = ctx.inputs[0];
    TFPORT_ASSIGN_OR_RETURN(int64_t a, read_int_scalar(ctx, kOp, ctx.inputs[1], "dim"));
    TFPORT_ASSIGN_OR_RETURN(int axis, normalize_axis(ctx, kOp, a, x.shape().rank() + 1));
    std::vector<int64_t> dims = x.shape().dims();
    dims.insert(dims.begin() + axis, 1);
    ctx.outputs->push_back(reshaped_view(x, Shape(dims)));
    return Status::OK();
  }
};
TFPORT_REGISTER_OP({"ExpandDims", &make_simple<ExpandDimsKernel>});

// Fill(dims, value); ZerosLike / OnesLike(x).
template <typename T>
void fill_value(Tensor& t, T v) {
  T* p = t.mutable_data<T>();
  std::fill(p, p + t.num_elements(), v);
}

class FillKernel final : public Kernel {
 public:
  Status compute(KernelContext& ctx) const override {
    static constexpr std::string_view kOp = "Fill";
    TFPORT_RETURN_IF_ERROR(expect_inputs(ctx, kOp, 2));
    TFPORT_ASSIGN_OR_RETURN(auto dims, read_int_values(ctx, kOp, ctx.inputs[0], "dims"));
    const Tensor& value = ctx.inputs[1];
    if (value.shape().rank() != 0) return ctx.error(kOp, "value must be a scalar, got shape " + value.shape().to_string());
    auto shape = Shape::make(dims);
    if (!shape.ok()) return ctx.error(kOp, "dims: " + shape.status().message());
    if (value.dtype() == DType::kString) {
      auto t = Tensor::from_strings(*shape, std::vector<std::string>(static_cast<std::size_t>(shape->num_elements()),
                                                                     value.strings()[0]));
      if (!t.ok()) return ctx.error(kOp, t.status().message());
      ctx.outputs->push_back(*t);
      return Status::OK();
    }
    TFPORT_ASSIGN_OR_RETURN(Tensor * out, add_output(ctx, kOp, value.dtype(), *shape));
    Tensor* o = out;
    if (!visit_dtype<kAllPlainTypes>(value.dtype(), [&](auto tag) {
          using T = typename decltype(tag)::type;
          fill_value<T>(*o, value.data<T>()[0]);
        })) {
      return unsupported_dtype(ctx, kOp, value.dtype(), kAllPlainTypes);
    }
    return Status::OK();
  }
};
TFPORT_REGISTER_OP({"Fill", &make_simple<FillKernel>});

class LikeKernel final : public Kernel {
 public:
  LikeKernel(std::string op, bool ones) : op_(std::move(op)), ones_(ones) {}
  Status compute(KernelContext& ctx) const override {
    TFPORT_RETURN_IF_ERROR(expect_inputs(ctx, op_, 1));
    const Tensor& x = ctx.inputs[0];
    if (x.dtype() == DType::kString && !ones_) {
      auto t = Tensor::allocate(DType::kString, x.shape());
      if (!t.ok()) return ctx.error(op_, t.status().message());
      ctx.outputs->push_back(*t);
      return Status::OK();
    }
    TFPORT_ASSIGN_OR_RETURN(Tensor * out, add_output(ctx, op_, x.dtype(), x.shape()));
    if (!ones_) return Status::OK();  // allocate zeroes
    Tensor* o = out;
    if (!visit_dtype<kAllPlainTypes>(x.dtype(), [&](auto tag) {
          using T = typename decltype(tag)::type;
          fill_value<T>(*o, T(1));
        })) {
      return unsupported_dtype(ctx, op_, x.dtype(), kAllPlainTypes);
    }
    return Status::OK();
  }

 private:
  std::string op_;
  bool ones_;
};
template <bool kOnes>
StatusOr<std::unique_ptr<Kernel>> make_like(const Attrs& attrs) {
  return std::unique_ptr<Kernel>(new LikeKernel(std::string(attrs.op()), kOnes));
}
TFPORT_REGISTER_OP({"ZerosLike", &make_like<false>});
TFPORT_REGISTER_OP({"OnesLike", &make_like<true>});

// Range(start, limit, delta): size = ceil((limit - start) / delta) (integer form for ints).
class RangeKernel final : public Kernel {
 public:
  Status compute(KernelContext& ctx) const override {
    static constexpr std::string_view kOp = "Range";
    TFPORT_RETURN_IF_ERROR(expect_inputs(ctx, kOp, 3));
    const DType t = ctx.inputs[0].dtype();
    for (int i = 0; i < 3; ++i) {
      if (ctx.inputs[static_cast<std::size_t>(i)].dtype() != t || ctx.inputs[static_cast<std::size_t>(i)].num_elements() != 1) {
        return ctx.error(kOp, "start, limit and delta must be scalars of one type");
      }
    }
    Status status;
    const bool handled = visit_dtype<kF32 | kF64 | kI32 | kI64>(t, [&](auto tag) {
      using T = typename decltype(tag)::type;
      const T start = ctx.inputs[0].data<T>()[0], limit = ctx.inputs[1].data<T>()[0], delta = ctx.inputs[2].data<T>()[0];
      if (delta == T(0)) {
        status = ctx.error(kOp, "delta must not be 0");
        return;
      }
      if ((delta > 0 && start > limit) || (delta < 0 && start < limit)) {
        status = ctx.error(kOp, "start and limit are not consistent with delta's sign");
        return;
      }
      int64_t size;
      if constexpr (std::is_integral_v<T>) {
        const int64_t span = static_cast<int64_t>(limit) - static_cast<int64_t>(start);
        const int64_t d = static_cast<int64_t>(delta);
        size = (std::abs(span) + std::abs(d) - 1) / std::abs(d);
      } else {
        const double s = std::ceil(std::abs((static_cast<double>(limit) - start) / delta));
        if (!(s < 9e18)) {
          status = ctx.error(kOp, "range is too large");
          return;
        }
        size = static_cast<int64_t>(s);
      }
      auto out = add_output(ctx, kOp, t, Shape{size});
      if (!out.ok()) {
        status = out.status();
        return;
      }
      T* o = (*out)->template mutable_data<T>();
      T v = start;
      for (int64_t i = 0; i < size; ++i, v = static_cast<T>(v + delta)) o[i] = v;
    });
    if (!handled) return unsupported_dtype(ctx, kOp, t, kF32 | kF64 | kI32 | kI64);
    return status;
  }
};
TFPORT_REGISTER_OP({"Range", &make_simple<RangeKernel>});

class BroadcastToKernel final : public Kernel {
 public:
  Status compute(KernelContext& ctx) const override {
    static constexpr std::string_view kOp = "BroadcastTo";
    TFPORT_RETURN_IF_ERROR(expect_inputs(ctx, kOp, 2));
    const Tensor& x = ctx.inputs[0];
    TFPORT_ASSIGN_OR_RETURN(auto dims, read_int_values(ctx, kOp, ctx.inputs[1], "shape"));
    auto target = Shape::make(dims);
    if (!target.ok()) return ctx.error(kOp, "shape: " + target.status().message());
    auto both = broadcast_shapes(x.shape(), *target);
    if (!both || *both != *target) {
      return ctx.error(kOp, "cannot broadcast " + x.shape().to_string() + " to " + target->to_string());
    }
    Status status;
    const bool handled = visit_dtype<kAllPlainTypes>(x.dtype(), [&](auto tag) {
      using T = typename decltype(tag)::type;
      auto out = add_output(ctx, kOp, x.dtype(), *target);
      if (!out.ok()) {
        status = out.status();
        return;
      }
      BroadcastWalk<1> walk(*target, {&x.shape()});
      const int64_t s = walk.inner_stride(0);
      const T* in = x.data<T>();
      T* o = (*out)->template mutable_data<T>();
      walk.for_each_run(0, target->num_elements(), [&](int64_t off_out, const std::array<int64_t, 1>& off, int64_t len) {
        for (int64_t i = 0; i < len; ++i) o[off_out + i] = in[off[0] + i * s];
      });
    });
    if (!handled) return unsupported_dtype(ctx, kOp, x.dtype(), kAllPlainTypes);
    return status;
  }
};
TFPORT_REGISTER_OP({"BroadcastTo", &make_simple<BroadcastToKernel>});

}  // namespace
}  // namespace tfport::runtime::ops
