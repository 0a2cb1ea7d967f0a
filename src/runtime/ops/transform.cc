// Data movement without arithmetic, for every fixed-size dtype (moved as raw elements):
// Transpose, ConcatV2/Concat, Pack, Unpack, Split, SplitV, Tile, Pad/PadV2, MirrorPad,
// Slice, StridedSlice, GatherV2.
#include <cstring>

#include "runtime/ops/op_util.h"

namespace tfport::runtime::ops {
namespace {

template <typename K>
StatusOr<std::unique_ptr<Kernel>> make_simple(const Attrs&) {
  return std::unique_ptr<Kernel>(new K());
}


// ---- Transpose ----
class TransposeKernel final : public Kernel {
 public:
  Status compute(KernelContext& ctx) const override {
    static constexpr std::string_view kOp = "Transpose";
    TFPORT_RETURN_IF_ERROR(expect_inputs(ctx, kOp, 2));
    const Tensor& x = ctx.inputs[0];
    TFPORT_RETURN_IF_ERROR(fixed_size(ctx, kOp, x));
    TFPORT_ASSIGN_OR_RETURN(auto perm, read_int_values(ctx, kOp, ctx.inputs[1], "perm"));
    const int rank = x.shape().rank();
    if (static_cast<int>(perm.size()) != rank) {
      return ctx.error(kOp, "perm has " + std::to_string(perm.size()) + " values for a tensor of rank " + std::to_string(rank));
    }
    std::vector<bool> seen(static_cast<std::size_t>(rank), false);
    const auto strides = row_major_strides(x.shape());
    std::vector<int64_t> dims, step;
    for (int64_t p : perm) {
      if (p < 0 || p >= rank || seen[static_cast<std::size_t>(p)]) return ctx.error(kOp, "perm is not a permutation");
      seen[static_cast<std::size_t>(p)] = true;
      dims.push_back(x.shape().dim(static_cast<int>(p)));
      step.push_back(strides[static_cast<std::size_t>(p)]);
    }
    TFPORT_ASSIGN_OR_RETURN(Tensor * out, add_output(ctx, kOp, x.dtype(), Shape(dims)));
    strided_gather(x, 0, step, *out);
    return Status::OK();
  }
};
TFPORT_REGISTER_OP({"Transpose", &make_simple<TransposeKernel>});

// ---- Concat / Pack ----
// Joins `parts` along `axis` of their shapes (all equal elsewhere) into `out`.
void concat_into(const std::vector<const Tensor*>& parts, int axis, Tensor& out) {
  const std::size_t elem = element_storage_size(out.dtype());
  int64_t outer = 1;
  for (int d = 0; d < axis; ++d) outer *= out.shape().dim(d);
  const int64_t out_row = out.num_elements() / std::max<int64_t>(outer, 1);
  auto* dst = static_cast<unsigned char*>(out.mutable_raw_data());
  int64_t col = 0;
  for (const Tensor* p : parts) {
    const int64_t row = outer == 0 ? 0 : p->num_elements() / outer;
    const auto* src = static_cast<const unsigned char*>(p->raw_data());
    for (int64_t o = 0; o < outer && row > 0; ++o) {
      std::memcpy(dst + (o * out_row + col) * elem, src + o * row * elem, static_cast<std::size_t>(row) * elem);
    }
    col += row;
  }
}

class ConcatKernel final : public Kernel {
 public:
  ConcatKernel(std::string op, bool axis_first) : op_(std::move(op)), axis_first_(axis_first) {}
  Status compute(KernelContext& ctx) const override {
    TFPORT_RETURN_IF_ERROR(expect_min_inputs(ctx, op_, 2));
    const Tensor& axis_t = axis_first_ ? ctx.inputs[0] : ctx.inputs[ctx.inputs.size() - 1];
    std::vector<const Tensor*> parts;
    for (std::size_t i = 0; i < ctx.inputs.size(); ++i) {
      if (axis_first_ ? i == 0 : i + 1 == ctx.inputs.size()) continue;
      parts.push_back(&ctx.inputs[i]);
    }
    const Tensor& first = *parts[0];
    TFPORT_RETURN_IF_ERROR(fixed_size(ctx, op_, first));
    const int rank = first.shape().rank();
    if (rank == 0) return ctx.error(op_, "cannot concatenate scalars");
    TFPORT_ASSIGN_OR_RETURN(int64_t a, read_int_scalar(ctx, op_, axis_t, "axis"));
    TFPORT_ASSIGN_OR_RETURN(int axis, normalize_axis(ctx, op_, a, rank));
    std::vector<int64_t> dims = first.shape().dims();
    dims[static_cast<std::size_t>(axis)] = 0;
    for (std::size_t i = 0; i < parts.size(); ++i) {
      const Tensor& p = *parts[i];
      bool ok = p.dtype() == first.dtype() && p.shape().rank() == rank;
      for (int d = 0; ok && d < rank; ++d) ok = d == axis || p.shape().dim(d) == first.shape().dim(d);
      if (!ok) {
        return ctx.error(op_, "input " + std::to_string(i) + " is " + p.description() + ", incompatible with " +
                                  first.description() + " along axis " + std::to_string(axis));
      }
      dims[static_cast<std::size_t>(axis)] += p.shape().dim(axis);
    }
    TFPORT_ASSIGN_OR_RETURN(Tensor * out, add_output(ctx, op_, first.dtype(), Shape(dims)));
    concat_into(parts, axis, *out);
    return Status::OK();
  }

 private:
  std::string op_;
  bool axis_first_;
};
template <bool kAxisFirst>
StatusOr<std::unique_ptr<Kernel>> make_concat(const Attrs& attrs) {
  return std::unique_ptr<Kernel>(new ConcatKernel(std::string(attrs.op()), kAxisFirst));
}
TFPORT_REGISTER_OP({"ConcatV2", &make_concat<false>});
TFPORT_REGISTER_OP({"Concat", &make_concat<true>});

class PackKernel final : public Kernel {
 public:
  explicit PackKernel(int64_t axis) : axis_(axis) {}
  Status compute(KernelContext& ctx) const override {
    static constexpr std::string_view kOp = "Pack";
    TFPORT_RETURN_IF_ERROR(expect_min_inputs(ctx, kOp, 1));
    const Tensor& first = ctx.inputs[0];
    TFPORT_RETURN_IF_ERROR(fixed_size(ctx, kOp, first));
    TFPORT_ASSIGN_OR_RETURN(int axis, normalize_axis(ctx, kOp, axis_, first.shape().rank() + 1));
    std::vector<const Tensor*> parts;
    std::vector<int64_t> one = first.shape().dims();
    one.insert(one.begin() + axis, 1);
    std::vector<Tensor> views;
    views.reserve(ctx.inputs.size());
    for (std::size_t i = 0; i < ctx.inputs.size(); ++i) {
      if (ctx.inputs[i].dtype() != first.dtype() || ctx.inputs[i].shape() != first.shape()) {
        return ctx.error(kOp, "input " + std::to_string(i) + " is " + ctx.inputs[i].description() + ", input 0 is " +
                                  first.description());
      }
      views.push_back(reshaped_view(ctx.inputs[i], Shape(one)));
      parts.push_back(&views.back());
    }
    std::vector<int64_t> dims = one;
    dims[static_cast<std::size_t>(axis)] = static_cast<int64_t>(ctx.inputs.size());
    TFPORT_ASSIGN_OR_RETURN(Tensor * out, add_output(ctx, kOp, first.dtype(), Shape(dims)));
    concat_into(parts, axis, *out);
    return Status::OK();
  }

 private:
  int64_t axis_;
};
StatusOr<std::unique_ptr<Kernel>> make_pack(const Attrs& attrs) {
  TFPORT_ASSIGN_OR_RETURN(int64_t axis, attrs.get_int_or("axis", 0));
  return std::unique_ptr<Kernel>(new PackKernel(axis));
}
TFPORT_REGISTER_OP({"Pack", &make_pack});

// ---- Split family: outputs are slices along one axis ----
Status split_along(KernelContext& ctx, std::string_view op, const Tensor& x, int axis, const std::vector<int64_t>& sizes,
                   bool squeeze) {
  TFPORT_RETURN_IF_ERROR(fixed_size(ctx, op, x));
  const auto strides = row_major_strides(x.shape());
  int64_t start = 0;
  for (int64_t size : sizes) {
    std::vector<int64_t> dims = x.shape().dims();
    dims[static_cast<std::size_t>(axis)] = size;
    TFPORT_ASSIGN_OR_RETURN(Tensor * out, add_output(ctx, op, x.dtype(), Shape(dims)));
    strided_gather(x, start * strides[static_cast<std::size_t>(axis)], strides, *out);
    if (squeeze) {
      dims.erase(dims.begin() + axis);
      *out = reshaped_view(*out, Shape(dims));
    }
    start += size;
  }
  return Status::OK();
}

class SplitKernel final : public Kernel {
 public:
  explicit SplitKernel(int64_t num) : num_(num) {}
  Status compute(KernelContext& ctx) const override {
    static constexpr std::string_view kOp = "Split";
    TFPORT_RETURN_IF_ERROR(expect_inputs(ctx, kOp, 2));
    const Tensor& x = ctx.inputs[1];
    TFPORT_ASSIGN_OR_RETURN(int64_t a, read_int_scalar(ctx, kOp, ctx.inputs[0], "axis"));
    TFPORT_ASSIGN_OR_RETURN(int axis, normalize_axis(ctx, kOp, a, x.shape().rank()));
    if (x.shape().dim(axis) % num_ != 0) {
      return ctx.error(kOp, "dimension " + std::to_string(axis) + " of " + x.shape().to_string() +
                                " is not divisible by num_split " + std::to_string(num_));
    }
    return split_along(ctx, kOp, x, axis, std::vector<int64_t>(static_cast<std::size_t>(num_), x.shape().dim(axis) / num_), false);
  }

 private:
  int64_t num_;
};
StatusOr<std::unique_ptr<Kernel>> make_split(const Attrs& attrs) {
  TFPORT_ASSIGN_OR_RETURN(int64_t num, attrs.get_int("num_split"));
  if (num <= 0 || num > (1 << 20)) return attrs.error("num_split must be positive");
  return std::unique_ptr<Kernel>(new SplitKernel(num));
}
TFPORT_REGISTER_OP({"Split", &make_split});

class SplitVKernel final : public Kernel {
 public:
  Status compute(KernelContext& ctx) const override {
    static constexpr std::string_view kOp = "SplitV";
    TFPORT_RETURN_IF_ERROR(expect_inputs(ctx, kOp, 3));
    const Tensor& x = ctx.inputs[0];
    TFPORT_ASSIGN_OR_RETURN(auto sizes, read_int_values(ctx, kOp, ctx.inputs[1], "size_splits"));
    TFPORT_ASSIGN_OR_RETURN(int64_t a, read_int_scalar(ctx, kOp, ctx.inputs[2], "axis"));
    TFPORT_ASSIGN_OR_RETURN(int axis, normalize_axis(ctx, kOp, a, x.shape().rank()));
    const int64_t total = x.shape().dim(axis);
    int64_t known = 0;
    int unknown = -1;
    for (std::size_t i = 0; i < sizes.size(); ++i) {
      if (sizes[i] == -1) {
        if (unknown >= 0) return ctx.error(kOp, "only one size_splits value can be -1");
        unknown = static_cast<int>(i);
      } else if (sizes[i] < 0) {
        return ctx.error(kOp, "negative size_splits value");
      } else {
        known += sizes[i];
      }
    }
    if (unknown >= 0 && known <= total) sizes[static_cast<std::size_t>(unknown)] = total - known;
    else if (known != total) {
      return ctx.error(kOp, "size_splits sum to " + std::to_string(known) + ", dimension is " + std::to_string(total));
    }
    return split_along(ctx, kOp, x, axis, sizes, false);
  }
};
TFPORT_REGISTER_OP({"SplitV", &make_simple<SplitVKernel>});

class UnpackKernel final : public Kernel {
 public:
  UnpackKernel(int64_t num, int64_t axis) : num_(num), axis_(axis) {}
  Status compute(KernelContext& ctx) const override {
    static constexpr std::string_view kOp = "Unpack";
    TFPORT_RETURN_IF_ERROR(expect_inputs(ctx, kOp, 1));
    const Tensor& x = ctx.inputs[0];
    TFPORT_ASSIGN_OR_RETURN(int axis, normalize_axis(ctx, kOp, axis_, x.shape().rank()));
    if (x.shape().dim(axis) != num_) {
      return ctx.error(kOp, "dimension " + std::to_string(axis) + " of " + x.shape().to_string() + " is not num=" +
                                std::to_string(num_));
    }
    return split_along(ctx, kOp, x, axis, std::vector<int64_t>(static_cast<std::size_t>(num_), 1), true);
  }

 private:
  int64_t num_, axis_;
};
StatusOr<std::unique_ptr<Kernel>> make_unpack(const Attrs& attrs) {
  TFPORT_ASSIGN_OR_RETURN(int64_t num, attrs.get_int("num"));
  TFPORT_ASSIGN_OR_RETURN(int64_t axis, attrs.get_int_or("axis", 0));
  if (num < 0 || num > (1 << 20)) return attrs.error("bad num");
  return std::unique_ptr<Kernel>(new UnpackKernel(num, axis));
}
TFPORT_REGISTER_OP({"Unpack", &make_unpack});

// ---- Tile ----
class TileKernel final : public Kernel {
 public:
  Status compute(KernelContext& ctx) const override {
    static constexpr std::string_view kOp = "Tile";
    TFPORT_RETURN_IF_ERROR(expect_inputs(ctx, kOp, 2));
    const Tensor& x = ctx.inputs[0];
    TFPORT_RETURN_IF_ERROR(fixed_size(ctx, kOp, x));
    TFPORT_ASSIGN_OR_RETURN(auto mult, read_int_values(ctx, kOp, ctx.inputs[1], "multiples"));
    const int rank = x.shape().rank();
    if (static_cast<int>(mult.size()) != rank) return ctx.error(kOp, "multiples must have one value per dimension");
    std::vector<int64_t> dims;
    for (int d = 0; d < rank; ++d) {
      if (mult[static_cast<std::size_t>(d)] < 0) return ctx.error(kOp, "negative multiple");
      const int64_t dim = x.shape().dim(d), m = mult[static_cast<std::size_t>(d)];
      if (dim != 0 && m > std::numeric_limits<int64_t>::max() / dim) return ctx.error(kOp, "output too large");
      dims.push_back(dim * m);
    }
    auto shape = Shape::make(dims);
    if (!shape.ok()) return ctx.error(kOp, shape.status().message());
    TFPORT_ASSIGN_OR_RETURN(Tensor * out, add_output(ctx, kOp, x.dtype(), *shape));
    const std::size_t elem = element_storage_size(x.dtype());
    const auto in_strides = row_major_strides(x.shape());
    const auto* src = static_cast<const unsigned char*>(x.raw_data());
    auto* dst = static_cast<unsigned char*>(out->mutable_raw_data());
    for (int64_t i = 0; i < out->num_elements(); ++i) {
      int64_t rest = i, off = 0;
      for (int d = rank - 1; d >= 0; --d) {
        const int64_t c = rest % dims[static_cast<std::size_t>(d)];
        rest /= dims[static_cast<std::size_t>(d)];
        off += (c % x.shape().dim(d)) * in_strides[static_cast<std::size_t>(d)];
      }
      std::memcpy(dst + i * elem, src + off * elem, elem);
    }
    return Status::OK();
  }
};
TFPORT_REGISTER_OP({"Tile", &make_simple<TileKernel>});

// ---- Pad, PadV2, MirrorPad ----
enum class PadMode { kConstant, kReflect, kSymmetric };
class PadKernel final : public Kernel {
 public:
  PadKernel(std::string op, PadMode mode) : op_(std::move(op)), mode_(mode) {}
  Status compute(KernelContext& ctx) const override {
    TFPORT_RETURN_IF_ERROR(expect_inputs(ctx, op_, op_ == "PadV2" ? 3 : 2));
    const Tensor& x = ctx.inputs[0];
    TFPORT_RETURN_IF_ERROR(fixed_size(ctx, op_, x));
    const Tensor& pads_t = ctx.inputs[1];
    const int rank = x.shape().rank();
    if (pads_t.shape() != Shape{rank, 2}) {
      return ctx.error(op_, "paddings must have shape [" + std::to_string(rank) + ", 2], got " + pads_t.shape().to_string());
    }
    TFPORT_ASSIGN_OR_RETURN(auto pads, read_int_values(ctx, op_, reshaped_view(pads_t, Shape{2 * rank}), "paddings"));
    std::vector<int64_t> dims;
    for (int d = 0; d < rank; ++d) {
      const int64_t b = pads[2 * static_cast<std::size_t>(d)], a = pads[2 * static_cast<std::size_t>(d) + 1], n = x.shape().dim(d);
      if (b < 0 || a < 0 || b > (int64_t{1} << 40) || a > (int64_t{1} << 40)) return ctx.error(op_, "paddings must be non-negative");
      if (mode_ != PadMode::kConstant) {
        const int64_t limit = mode_ == PadMode::kReflect ? n - 1 : n;
        if (b > limit || a > limit) {
          return ctx.error(op_, "paddings too large for dimension " + std::to_string(d) + " of size " + std::to_string(n));
        }
      }
      dims.push_back(n + b + a);
    }
    auto shape = Shape::make(dims);
    if (!shape.ok()) return ctx.error(op_, shape.status().message());
    TFPORT_ASSIGN_OR_RETURN(Tensor * out, add_output(ctx, op_, x.dtype(), *shape));
    const std::size_t elem = element_storage_size(x.dtype());
    auto* dst = static_cast<unsigned char*>(out->mutable_raw_data());
    const auto* src = static_cast<const unsigned char*>(x.raw_data());
    if (op_ == "PadV2") {
      const Tensor& cv = ctx.inputs[2];
      if (cv.dtype() != x.dtype() || cv.num_elements() != 1) return ctx.error(op_, "constant_values must be a scalar of the input's type");
      for (int64_t i = 0; i < out->num_elements(); ++i) std::memcpy(dst + i * elem, cv.raw_data(), elem);
    }
    const auto in_strides = row_major_strides(x.shape());
    for (int64_t i = 0; i < out->num_elements(); ++i) {
      int64_t rest = i, off = 0;
      bool inside = true;
      for (int d = rank - 1; d >= 0; --d) {
        const int64_t c = rest % dims[static_cast<std::size_t>(d)];
        rest /= dims[static_cast<std::size_t>(d)];
        int64_t s = c - pads[2 * static_cast<std::size_t>(d)];
        const int64_t n = x.shape().dim(d);
        if (s < 0 || s >= n) {
          if (mode_ == PadMode::kConstant) {
            inside = false;
            break;
          }
          const int64_t shift = mode_ == PadMode::kReflect ? 0 : 1;
          if (s < 0) s = -s - shift;
          else s = 2 * n - s - 2 + shift;
        }
        off += s * in_strides[static_cast<std::size_t>(d)];
      }
      if (inside) std::memcpy(dst + i * elem, src + off * elem, elem);
    }
    return Status::OK();
  }

 private:
  std::string op_;
  PadMode mode_;
};
StatusOr<std::unique_ptr<Kernel>> make_pad(const Attrs& attrs) {
  PadMode mode = PadMode::kConstant;
  if (attrs.op() == "MirrorPad") {
    TFPORT_ASSIGN_OR_RETURN(std::string m, attrs.get_string("mode"));
    if (m == "REFLECT") mode = PadMode::kReflect;
    else if (m == "SYMMETRIC") mode = PadMode::kSymmetric;
    else return attrs.error("unsupported mode " + m);
  }
  return std::unique_ptr<Kernel>(new PadKernel(std::string(attrs.op()), mode));
}
TFPORT_REGISTER_OP({"Pad", &make_pad});
TFPORT_REGISTER_OP({"PadV2", &make_pad});
TFPORT_REGISTER_OP({"MirrorPad", &make_pad});

// ---- Slice ----
class SliceKernel final : public Kernel {
 public:
  Status compute(KernelContext& ctx) const override {
    static constexpr std::string_view kOp = "Slice";
    TFPORT_RETURN_IF_ERROR(expect_inputs(ctx, kOp, 3));
    const Tensor& x = ctx.inputs[0];
    TFPORT_RETURN_IF_ERROR(fixed_size(ctx, kOp, x));
    TFPORT_ASSIGN_OR_RETURN(auto begin, read_int_values(ctx, kOp, ctx.inputs[1], "begin"));
    TFPORT_ASSIGN_OR_RETURN(auto size, read_int_values(ctx, kOp, ctx.inputs[2], "size"));
    const int rank = x.shape().rank();
    if (static_cast<int>(begin.size()) != rank || static_cast<int>(size.size()) != rank) {
      return ctx.error(kOp, "begin and size must have one value per dimension of " + x.shape().to_string());
    }
    const auto strides = row_major_strides(x.shape());
    int64_t base = 0;
    std::vector<int64_t> dims;
    for (int d = 0; d < rank; ++d) {
      const int64_t n = x.shape().dim(d), b = begin[static_cast<std::size_t>(d)];
      int64_t s = size[static_cast<std::size_t>(d)];
      if (s == -1) s = n - b;
      if (b < 0 || s < 0 || b > n || s > n - b) {
        return ctx.error(kOp, "slice [" + std::to_string(b) + ", +" + std::to_string(size[static_cast<std::size_t>(d)]) +
                                  ") out of bounds for dimension " + std::to_string(d) + " of " + x.shape().to_string());
      }
      base += b * strides[static_cast<std::size_t>(d)];
      dims.push_back(s);
    }
    TFPORT_ASSIGN_OR_RETURN(Tensor * out, add_output(ctx, kOp, x.dtype(), Shape(dims)));
    strided_gather(x, base, strides, *out);
    return Status::OK();
  }
};
TFPORT_REGISTER_OP({"Slice", &make_simple<SliceKernel>});

// ---- StridedSlice ----
// TF semantics: the sparse spec (begin/end/strides with ellipsis, new_axis and shrink_axis
// masks) is expanded to one dense range per input dimension; begin/end are clamped like
// Python slicing, masked bounds mean "from the start/to the end" in the stride's direction.
struct StridedSliceMasks {
  int64_t begin = 0, end = 0, ellipsis = 0, new_axis = 0, shrink = 0;
};

class StridedSliceKernel final : public Kernel {
 public:
  explicit StridedSliceKernel(StridedSliceMasks m) : m_(m) {}
  Status compute(KernelContext& ctx) const override {
    static constexpr std::string_view kOp = "StridedSlice";
    TFPORT_RETURN_IF_ERROR(expect_inputs(ctx, kOp, 4));
    const Tensor& x = ctx.inputs[0];
    TFPORT_RETURN_IF_ERROR(fixed_size(ctx, kOp, x));
    TFPORT_ASSIGN_OR_RETURN(auto begin, read_int_values(ctx, kOp, ctx.inputs[1], "begin"));
    TFPORT_ASSIGN_OR_RETURN(auto end, read_int_values(ctx, kOp, ctx.inputs[2], "end"));
    TFPORT_ASSIGN_OR_RETURN(auto strides, read_int_values(ctx, kOp, ctx.inputs[3], "strides"));
    const std::size_t sparse = begin.size();
    if (end.size() != sparse || strides.size() != sparse) return ctx.error(kOp, "begin, end and strides must have equal lengths");
    if (sparse > 64) return ctx.error(kOp, "too many slice dimensions");
    const int rank = x.shape().rank();
    // Dense expansion.
    struct Dim {
      int64_t begin, end, stride;
      bool begin_masked, end_masked, shrink;
    };
    std::vector<Dim> dense(static_cast<std::size_t>(rank));
    std::vector<int64_t> final_dims;  // output dims incl. new axes, -1 placeholder for dense dims
    std::vector<int> final_src;      // dense dim index per final entry, or -1 for a new axis
    int num_specified = 0;  // sparse entries that consume an input dimension
    bool has_ellipsis = false;
    for (std::size_t i = 0; i < sparse; ++i) {
      if ((m_.ellipsis >> i) & 1) {
        if (has_ellipsis) return ctx.error(kOp, "multiple ellipses");
        has_ellipsis = true;
      } else if (!((m_.new_axis >> i) & 1)) {
        ++num_specified;
      }
    }
    if (num_specified > rank) {
      return ctx.error(kOp, "slice spec has " + std::to_string(num_specified) + " dimensions, input " + x.shape().to_string());
    }
    int d = 0;  // dense position
    std::vector<bool> dense_shrink(static_cast<std::size_t>(rank), false);
    std::vector<std::pair<bool, int>> order;  // (is_new_axis, dense index)
    for (std::size_t i = 0; i < sparse || (!has_ellipsis && d < rank); ++i) {
      if (i >= sparse) {  // implicit trailing full dims
        dense[static_cast<std::size_t>(d)] = {0, 0, 1, true, true, false};
        order.push_back({false, d});
        ++d;
        continue;
      }
      if ((m_.ellipsis >> i) & 1) {
        // Everything not covered by the remaining specified dims.
        int remaining = 0;
        for (std::size_t j = i + 1; j < sparse; ++j) {
          if (!((m_.new_axis >> j) & 1) && !((m_.ellipsis >> j) & 1)) ++remaining;
        }
        while (d < rank - remaining) {
          dense[static_cast<std::size_t>(d)] = {0, 0, 1, true, true, false};
          order.push_back({false, d});
          ++d;
        }
        continue;
      }
      if ((m_.new_axis >> i) & 1) {
        order.push_back({true, -1});
        continue;
      }
      if (d >= rank) return ctx.error(kOp, "slice spec has more dimensions than the input");
      if (strides[i] == 0) return ctx.error(kOp, "strides must be non-zero");
      dense[static_cast<std::size_t>(d)] = {begin[i], end[i], strides[i], ((m_.begin >> i) & 1) != 0,
                                            ((m_.end >> i) & 1) != 0, ((m_.shrink >> i) & 1) != 0};
      order.push_back({false, d});
      ++d;
    }
    // Resolve each dense dim.
    const auto in_strides = row_major_strides(x.shape());
    int64_t base = 0;
    std::vector<int64_t> out_dims_dense(static_cast<std::size_t>(rank)), steps_dense(static_cast<std::size_t>(rank));
    for (int k = 0; k < rank; ++k) {
      Dim& dm = dense[static_cast<std::size_t>(k)];
      const int64_t n = x.shape().dim(k);
      if (dm.shrink) {
        int64_t b = dm.begin < 0 ? dm.begin + n : dm.begin;
        if (b < 0 || b >= n) {
          return ctx.error(kOp, "index " + std::to_string(dm.begin) + " out of bounds for dimension " + std::to_string(k) +
                                    " of size " + std::to_string(n));
        }
        base += b * in_strides[static_cast<std::size_t>(k)];
        out_dims_dense[static_cast<std::size_t>(k)] = 1;
        steps_dense[static_cast<std::size_t>(k)] = 0;
        continue;
      }
      const int64_t s = dm.stride;
      const int64_t lo = s > 0 ? 0 : -1, hi = s > 0 ? n : n - 1;
      auto canon = [&](int64_t v, bool masked, bool is_begin) {
        if (masked) return (s > 0) == is_begin ? lo : hi;
        const int64_t x2 = v < 0 ? v + n : v;
        return std::clamp(x2, lo, hi);
      };
      const int64_t b = canon(dm.begin, dm.begin_masked, true), e = canon(dm.end, dm.end_masked, false);
      int64_t len = 0;
      if (s > 0 && e > b) len = (e - b + s - 1) / s;
      if (s < 0 && e < b) len = (b - e + (-s) - 1) / (-s);
      out_dims_dense[static_cast<std::size_t>(k)] = len;
      steps_dense[static_cast<std::size_t>(k)] = s * in_strides[static_cast<std::size_t>(k)];
      if (len > 0) base += b * in_strides[static_cast<std::size_t>(k)];
    }
    // Gather over the dense dims (shrunk ones have size 1), then reshape to the final shape.
    std::vector<int64_t> final_shape;
    for (const auto& [is_new, k] : order) {
      if (is_new) final_shape.push_back(1);
      else if (!dense[static_cast<std::size_t>(k)].shrink) final_shape.push_back(out_dims_dense[static_cast<std::size_t>(k)]);
    }
    TFPORT_ASSIGN_OR_RETURN(Tensor * out, add_output(ctx, kOp, x.dtype(), Shape(out_dims_dense)));
    strided_gather(x, base, steps_dense, *out);
    *out = reshaped_view(*out, Shape(final_shape));
    return Status::OK();
  }

 private:
  StridedSliceMasks m_;
};
StatusOr<std::unique_ptr<Kernel>> make_strided_slice(const Attrs& attrs) {
  StridedSliceMasks m;
  TFPORT_ASSIGN_OR_RETURN(m.begin, attrs.get_int_or("begin_mask", 0));
  TFPORT_ASSIGN_OR_RETURN(m.end, attrs.get_int_or("end_mask", 0));
  TFPORT_ASSIGN_OR_RETURN(m.ellipsis, attrs.get_int_or("ellipsis_mask", 0));
  TFPORT_ASSIGN_OR_RETURN(m.new_axis, attrs.get_int_or("new_axis_mask", 0));
  TFPORT_ASSIGN_OR_RETURN(m.shrink, attrs.get_int_or("shrink_axis_mask", 0));
  return std::unique_ptr<Kernel>(new StridedSliceKernel(m));
}
TFPORT_REGISTER_OP({"StridedSlice", &make_strided_slice});

// ---- GatherV2 (batch_dims = 0) ----
class GatherKernel final : public Kernel {
 public:
  explicit GatherKernel(bool v2) : v2_(v2) {}
  Status compute(KernelContext& ctx) const override {
    static constexpr std::string_view kOp = "GatherV2";
    TFPORT_RETURN_IF_ERROR(expect_inputs(ctx, kOp, v2_ ? 3 : 2));
    const Tensor& params = ctx.inputs[0];
    const Tensor& indices = ctx.inputs[1];
    TFPORT_RETURN_IF_ERROR(fixed_size(ctx, kOp, params));
    int axis = 0;
    if (v2_) {
      TFPORT_ASSIGN_OR_RETURN(int64_t a, read_int_scalar(ctx, kOp, ctx.inputs[2], "axis"));
      TFPORT_ASSIGN_OR_RETURN(axis, normalize_axis(ctx, kOp, a, params.shape().rank()));
    } else if (params.shape().rank() == 0) {
      return ctx.error(kOp, "params must have rank >= 1");
    }
    if (indices.dtype() != DType::kInt32 && indices.dtype() != DType::kInt64) {
      return ctx.error(kOp, "indices must be int32 or int64");
    }
    std::vector<int64_t> dims;
    int64_t outer = 1, inner = 1;
    for (int d = 0; d < axis; ++d) {
      dims.push_back(params.shape().dim(d));
      outer *= params.shape().dim(d);
    }
    for (int64_t v : indices.shape().dims()) dims.push_back(v);
    for (int d = axis + 1; d < params.shape().rank(); ++d) {
      dims.push_back(params.shape().dim(d));
      inner *= params.shape().dim(d);
    }
    const int64_t limit = params.shape().dim(axis), n_idx = indices.num_elements();
    std::vector<int64_t> idx(static_cast<std::size_t>(n_idx));
    for (int64_t i = 0; i < n_idx; ++i) {
      idx[static_cast<std::size_t>(i)] = indices.dtype() == DType::kInt32 ? indices.data<int32_t>()[i] : indices.data<int64_t>()[i];
      if (idx[static_cast<std::size_t>(i)] < 0 || idx[static_cast<std::size_t>(i)] >= limit) {
        return ctx.error(kOp, "indices[" + std::to_string(i) + "] = " + std::to_string(idx[static_cast<std::size_t>(i)]) +
                                  " is not in [0, " + std::to_string(limit) + ")");
      }
    }
    TFPORT_ASSIGN_OR_RETURN(Tensor * out, add_output(ctx, kOp, params.dtype(), Shape(dims)));
    const std::size_t row = static_cast<std::size_t>(inner) * element_storage_size(params.dtype());
    const auto* src = static_cast<const unsigned char*>(params.raw_data());
    auto* dst = static_cast<unsigned char*>(out->mutable_raw_data());
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t i = 0; i < n_idx; ++i) {
        std::memcpy(dst + (o * n_idx + i) * row, src + (o * limit + idx[static_cast<std::size_t>(i)]) * row, row);
      }
    return Status::OK();
  }

 private:
  bool v2_;
};
StatusOr<std::unique_ptr<Kernel>> make_gather(const Attrs& attrs) {
  TFPORT_ASSIGN_OR_RETURN(int64_t batch_dims, attrs.get_int_or("batch_dims", 0));
  if (batch_dims != 0) {
    return Status(StatusCode::kUnimplemented, attrs.error("batch_dims != 0 is not supported").message());
  }
  return std::unique_ptr<Kernel>(new GatherKernel(attrs.op() != "Gather"));
}
TFPORT_REGISTER_OP({"GatherV2", &make_gather});
TFPORT_REGISTER_OP({"Gather", &make_gather});

}  // namespace
}  // namespace tfport::runtime::ops
