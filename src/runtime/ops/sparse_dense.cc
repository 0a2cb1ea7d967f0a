// Coordinates and sparse <-> dense conversion: Where (coordinates of true elements), GatherNd,
// SparseToDense. Feature columns turn lookup ids into indicator vectors with exactly these.
#include <cstring>

#include "runtime/ops/op_util.h"

namespace tfport::runtime::ops {
namespace {

// Row-major strides of a shape.
std::vector<int64_t> strides_of(const Shape& s) {
  std::vector<int64_t> st(static_cast<size_t>(s.rank()), 1);
  for (int d = s.rank() - 2; d >= 0; --d) st[static_cast<size_t>(d)] = st[static_cast<size_t>(d) + 1] * s.dim(d + 1);
  return st;
}

bool is_nonzero(const Tensor& t, int64_t i) {
  if (t.dtype() == DType::kString) return !t.strings()[static_cast<size_t>(i)].empty();
  bool nz = false;
  visit_dtype<kAllPlainTypes>(t.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    nz = t.data<T>()[i] != T(0);
  });
  return nz;
}

class WhereKernel final : public Kernel {
 public:
  Status compute(KernelContext& ctx) const override {
    static constexpr std::string_view kOp = "Where";
    TFPORT_RETURN_IF_ERROR(expect_inputs(ctx, kOp, 1));
    const Tensor& x = ctx.inputs[0];
    if (x.dtype() != DType::kString && dtype_bit(x.dtype()) == 0) return unsupported_dtype(ctx, kOp, x.dtype(), kAllPlainTypes);
    std::vector<int64_t> hits;
    for (int64_t i = 0; i < x.num_elements(); ++i) {
      if (is_nonzero(x, i)) hits.push_back(i);
    }
    const int rank = x.shape().rank();
    TFPORT_ASSIGN_OR_RETURN(Tensor * out, add_output(ctx, kOp, DType::kInt64,
                                                     Shape{static_cast<int64_t>(hits.size()), rank}));
    const std::vector<int64_t> st = strides_of(x.shape());
    int64_t* o = out->mutable_data<int64_t>();
    for (int64_t flat : hits) {
      for (int d = 0; d < rank; ++d) {
        *o++ = flat / st[static_cast<size_t>(d)];
        flat %= st[static_cast<size_t>(d)];
      }
    }
    return Status::OK();
  }
};

int64_t index_at(const Tensor& t, int64_t i) {
  return t.dtype() == DType::kInt32 ? t.data<int32_t>()[i] : t.data<int64_t>()[i];
}

void copy_element(const Tensor& src, int64_t si, Tensor* dst, int64_t di, int64_t count) {
  if (src.dtype() == DType::kString) {
    for (int64_t k = 0; k < count; ++k) dst->mutable_strings()[static_cast<size_t>(di + k)] = src.strings()[static_cast<size_t>(si + k)];
    return;
  }
  const size_t e = element_storage_size(src.dtype());
  std::memcpy(static_cast<char*>(dst->mutable_raw_data()) + static_cast<size_t>(di) * e,
              static_cast<const char*>(src.raw_data()) + static_cast<size_t>(si) * e, static_cast<size_t>(count) * e);
}

class GatherNdKernel final : public Kernel {
 public:
  Status compute(KernelContext& ctx) const override {
    static constexpr std::string_view kOp = "GatherNd";
    TFPORT_RETURN_IF_ERROR(expect_inputs(ctx, kOp, 2));
    const Tensor& params = ctx.inputs[0];
    const Tensor& indices = ctx.inputs[1];
    if (indices.dtype() != DType::kInt32 && indices.dtype() != DType::kInt64) return ctx.error(kOp, "indices must be int32 or int64");
    if (params.dtype() != DType::kString && element_storage_size(params.dtype()) == 0) {
      return unsupported_dtype(ctx, kOp, params.dtype(), kAllPlainTypes, "params");
    }
    if (indices.shape().rank() < 1) return ctx.error(kOp, "indices must have rank >= 1");
    const int64_t k = indices.shape().dim(indices.shape().rank() - 1);
    if (k > params.shape().rank()) {
      return ctx.error(kOp, "index depth " + std::to_string(k) + " exceeds the rank of params " + params.description());
    }
    std::vector<int64_t> dims(indices.shape().dims().begin(), indices.shape().dims().end() - 1);
    int64_t slice = 1;
    for (int d = static_cast<int>(k); d < params.shape().rank(); ++d) {
      dims.push_back(params.shape().dim(d));
      slice *= params.shape().dim(d);
    }
    TFPORT_ASSIGN_OR_RETURN(Tensor * out, add_output(ctx, kOp, params.dtype(), Shape(dims)));
    const std::vector<int64_t> st = strides_of(params.shape());
    const int64_t n = k == 0 ? indices.num_elements() : indices.num_elements() / k;
    for (int64_t i = 0; i < n; ++i) {
      int64_t flat = 0;
      for (int64_t j = 0; j < k; ++j) {
        int64_t v = index_at(indices, i * k + j);
        if (v < 0 || v >= params.shape().dim(static_cast<int>(j))) {
          return ctx.error(kOp, "index " + std::to_string(v) + " at position " + std::to_string(i) +
                                    " is out of range for params " + params.description());
        }
        flat += v * st[static_cast<size_t>(j)];
      }
      copy_element(params, flat, out, i * slice, slice);
    }
    return Status::OK();
  }
};

class SparseToDenseKernel final : public Kernel {
 public:
  Status compute(KernelContext& ctx) const override {
    static constexpr std::string_view kOp = "SparseToDense";
    TFPORT_RETURN_IF_ERROR(expect_inputs(ctx, kOp, 4));
    const Tensor& idx = ctx.inputs[0];
    const Tensor& values = ctx.inputs[2];
    const Tensor& dflt = ctx.inputs[3];
    if (idx.dtype() != DType::kInt32 && idx.dtype() != DType::kInt64) return ctx.error(kOp, "indices must be int32 or int64");
    TFPORT_ASSIGN_OR_RETURN(std::vector<int64_t> shape, read_int_values(ctx, kOp, ctx.inputs[1], "output_shape"));
    if (values.dtype() != dflt.dtype() || dflt.num_elements() != 1) return ctx.error(kOp, "default_value must be a scalar of the values' type");
    if (values.dtype() != DType::kString && element_storage_size(values.dtype()) == 0) {
      return unsupported_dtype(ctx, kOp, values.dtype(), kAllPlainTypes, "values");
    }
    const int rank = static_cast<int>(shape.size());
    const int64_t n = idx.shape().rank() == 0 ? 1 : idx.shape().dim(0);
    const int64_t r = idx.shape().rank() < 2 ? 1 : idx.shape().dim(1);
    if (r != rank && !(rank == 1 && r == 1)) return ctx.error(kOp, "indices do not match the rank of output_shape");
    if (values.num_elements() != 1 && values.num_elements() != n) return ctx.error(kOp, "values must be a scalar or one per index");
    TFPORT_ASSIGN_OR_RETURN(Tensor * out, add_output(ctx, kOp, values.dtype(), Shape(shape)));
    for (int64_t i = 0; i < out->num_elements(); ++i) copy_element(dflt, 0, out, i, 1);
    const std::vector<int64_t> st = strides_of(out->shape());
    for (int64_t i = 0; i < n; ++i) {
      int64_t flat = 0;
      for (int64_t j = 0; j < r; ++j) {
        int64_t v = index_at(idx, i * r + j);
        if (v < 0 || v >= shape[static_cast<size_t>(j)]) {
          return ctx.error(kOp, "index " + std::to_string(v) + " of entry " + std::to_string(i) + " is out of bounds");
        }
        flat += v * st[static_cast<size_t>(j)];
      }
      copy_element(values, values.num_elements() == 1 ? 0 : i, out, flat, 1);
    }
    return Status::OK();
  }
};

template <typename K>
StatusOr<std::unique_ptr<Kernel>> make(const Attrs&) {
  return std::unique_ptr<Kernel>(std::make_unique<K>());
}

}  // namespace

TFPORT_REGISTER_OP({"Where", &make<WhereKernel>});
TFPORT_REGISTER_OP({"GatherNd", &make<GatherNdKernel>});
TFPORT_REGISTER_OP({"SparseToDense", &make<SparseToDenseKernel>});

}  // namespace tfport::runtime::ops
