// MatMul and BatchMatMul{,V2,V3}: float32 through oneDNN's sgemm; float64/int32/int64 through
// Eigen's matrix product. BatchMatMulV2/V3 broadcast the batch dimensions.
#include <Eigen/Core>

#include "runtime/ops/matmul.h"

#include "runtime/ops/broadcast.h"
#include "runtime/ops/onednn_util.h"

namespace tfport::runtime::ops {
namespace {

template <typename T>
Status eigen_gemm(bool ta, bool tb, int64_t m, int64_t n, int64_t k, const T* a, const T* b, T* c) {
  using Mat = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  Eigen::Map<const Mat> A(a, ta ? k : m, ta ? m : k);
  Eigen::Map<const Mat> B(b, tb ? n : k, tb ? k : n);
  Eigen::Map<Mat> C(c, m, n);
  if (ta && tb) C.noalias() = A.transpose() * B.transpose();
  else if (ta) C.noalias() = A.transpose() * B;
  else if (tb) C.noalias() = A * B.transpose();
  else C.noalias() = A * B;
  return Status::OK();
}

class MatMulKernel final : public Kernel {
 public:
  MatMulKernel(bool ta, bool tb) : ta_(ta), tb_(tb) {}
  Status compute(KernelContext& ctx) const override {
    static constexpr std::string_view kOp = "MatMul";
    TFPORT_RETURN_IF_ERROR(expect_inputs(ctx, kOp, 2));
    const Tensor& a = ctx.inputs[0];
    const Tensor& b = ctx.inputs[1];
    if (a.shape().rank() != 2 || b.shape().rank() != 2) {
      return ctx.error(kOp, "inputs must be matrices, got shapes " + a.shape().to_string() + " and " +
                                b.shape().to_string());
    }
    if (a.dtype() != b.dtype()) return ctx.error(kOp, "inputs have different types");
    const int64_t m = a.shape().dim(ta_ ? 1 : 0), k = a.shape().dim(ta_ ? 0 : 1);
    const int64_t k2 = b.shape().dim(tb_ ? 1 : 0), n = b.shape().dim(tb_ ? 0 : 1);
    if (k != k2) {
      return ctx.error(kOp, "inner dimensions differ: " + a.shape().to_string() + (ta_ ? "^T" : "") + " x " +
                                b.shape().to_string() + (tb_ ? "^T" : ""));
    }
    Status status;
    const bool handled = visit_dtype<kMatMulTypes>(a.dtype(), [&](auto tag) {
      using T = typename decltype(tag)::type;
      auto out = add_output_uninitialized(ctx, kOp, a.dtype(), Shape{m, n});
      if (!out.ok()) {
        status = out.status();
        return;
      }
      status = gemm<T>(ta_, tb_, m, n, k, a.data<T>(), b.data<T>(), (*out)->template mutable_data<T>());
      if (!status.ok()) status = ctx.error(kOp, status.message());
    });
    if (!handled) return unsupported_dtype(ctx, kOp, a.dtype(), kMatMulTypes);
    return status;
  }

 private:
  bool ta_, tb_;
};

StatusOr<std::unique_ptr<Kernel>> make_matmul(const Attrs& attrs) {
  TFPORT_RETURN_IF_ERROR(check_type_attr(attrs, "T", kMatMulTypes));
  TFPORT_ASSIGN_OR_RETURN(bool ta, attrs.get_bool_or("transpose_a", false));
  TFPORT_ASSIGN_OR_RETURN(bool tb, attrs.get_bool_or("transpose_b", false));
  return std::unique_ptr<Kernel>(new MatMulKernel(ta, tb));
}

StatusOr<std::vector<PartialShape>> matmul_shapes(std::span<const PartialShape> in, const Attrs& attrs) {
  if (in.size() != 2) return attrs.error("expected 2 inputs");
  TFPORT_ASSIGN_OR_RETURN(bool ta, attrs.get_bool_or("transpose_a", false));
  TFPORT_ASSIGN_OR_RETURN(bool tb, attrs.get_bool_or("transpose_b", false));
  if (in[0].unknown_rank() || in[1].unknown_rank()) return std::vector<PartialShape>{PartialShape({-1, -1})};
  if (in[0].rank() != 2 || in[1].rank() != 2) return attrs.error("inputs must be matrices");
  const int64_t k1 = in[0].dims()[ta ? 0 : 1], k2 = in[1].dims()[tb ? 1 : 0];
  if (k1 >= 0 && k2 >= 0 && k1 != k2) {
    return attrs.error("inner dimensions differ: " + in[0].to_string() + " x " + in[1].to_string());
  }
  return std::vector<PartialShape>{PartialShape({in[0].dims()[ta ? 1 : 0], in[1].dims()[tb ? 0 : 1]})};
}

class BatchMatMulKernel final : public Kernel {
 public:
  BatchMatMulKernel(std::string op, bool adj_x, bool adj_y, bool broadcast)
      : op_(std::move(op)), adj_x_(adj_x), adj_y_(adj_y), broadcast_(broadcast) {}

  Status compute(KernelContext& ctx) const override {
    TFPORT_RETURN_IF_ERROR(expect_inputs(ctx, op_, 2));
    const Tensor& x = ctx.inputs[0];
    const Tensor& y = ctx.inputs[1];
    if (x.shape().rank() < 2 || y.shape().rank() < 2) {
      return ctx.error(op_, "inputs must have rank >= 2, got " + x.shape().to_string() + " and " + y.shape().to_string());
    }
    if (x.dtype() != y.dtype()) return ctx.error(op_, "inputs have different types");
    const int rx = x.shape().rank(), ry = y.shape().rank();
    const int64_t m = x.shape().dim(adj_x_ ? rx - 1 : rx - 2), k = x.shape().dim(adj_x_ ? rx - 2 : rx - 1);
    const int64_t k2 = y.shape().dim(adj_y_ ? ry - 1 : ry - 2), n = y.shape().dim(adj_y_ ? ry - 2 : ry - 1);
    if (k != k2) {
      return ctx.error(op_, "inner dimensions differ: " + x.shape().to_string() + " and " + y.shape().to_string());
    }
    const Shape bx(std::vector<int64_t>(x.shape().dims().begin(), x.shape().dims().end() - 2));
    const Shape by(std::vector<int64_t>(y.shape().dims().begin(), y.shape().dims().end() - 2));
    std::optional<Shape> batch;
    if (broadcast_) {
      batch = broadcast_shapes(bx, by);
    } else if (bx == by) {
      batch = bx;
    }
    if (!batch) {
      return ctx.error(op_, "batch dimensions do not match: " + x.shape().to_string() + " and " + y.shape().to_string());
    }
    std::vector<int64_t> out_dims = batch->dims();
    out_dims.push_back(m);
    out_dims.push_back(n);
    Status status;
    const bool handled = visit_dtype<kMatMulTypes>(x.dtype(), [&](auto tag) {
      using T = typename decltype(tag)::type;
      auto out = add_output(ctx, op_, x.dtype(), Shape(out_dims));
      if (!out.ok()) {
        status = out.status();
        return;
      }
      const int64_t batches = batch->num_elements();
      T* po = (*out)->template mutable_data<T>();
      for (int64_t i = 0; i < batches && status.ok(); ++i) {
        const int64_t ix = broadcast_offset(i, *batch, bx), iy = broadcast_offset(i, *batch, by);
        status = gemm<T>(adj_x_, adj_y_, m, n, k, x.data<T>() + ix * m * k, y.data<T>() + iy * k * n, po + i * m * n);
      }
      if (!status.ok()) status = ctx.error(op_, status.message());
    });
    if (!handled) return unsupported_dtype(ctx, op_, x.dtype(), kMatMulTypes);
    return status;
  }

 private:
  // Flat index into `in` (aligned right, size-1 dims broadcast) of flat output index `i`.
  static int64_t broadcast_offset(int64_t i, const Shape& out, const Shape& in) {
    int64_t idx = 0, mul = 1;
    for (int d = out.rank() - 1, id = in.rank() - 1; d >= 0; --d, --id) {
      const int64_t c = i % out.dim(d);
      i /= out.dim(d);
      if (id < 0) continue;
      if (in.dim(id) != 1) idx += c * mul;
      mul *= in.dim(id);
    }
    return idx;
  }

  std::string op_;
  bool adj_x_, adj_y_, broadcast_;
};

template <bool kBroadcast>
StatusOr<std::unique_ptr<Kernel>> make_batch_matmul(const Attrs& attrs) {
  TFPORT_RETURN_IF_ERROR(check_type_attr(attrs, "T", kMatMulTypes));
  TFPORT_RETURN_IF_ERROR(check_type_attr(attrs, "Ta", kMatMulTypes));
  if (attrs.has("Ta") && attrs.has("Tb") && attrs.has("Tout")) {
    TFPORT_ASSIGN_OR_RETURN(DType ta, attrs.get_type("Ta"));
    TFPORT_ASSIGN_OR_RETURN(DType tb, attrs.get_type("Tb"));
    TFPORT_ASSIGN_OR_RETURN(DType tout, attrs.get_type("Tout"));
    if (ta != tb || ta != tout) {
      return Status(StatusCode::kUnimplemented, attrs.error("mixed input/output types are not supported").message());
    }
  }
  TFPORT_ASSIGN_OR_RETURN(bool adj_x, attrs.get_bool_or("adj_x", false));
  TFPORT_ASSIGN_OR_RETURN(bool adj_y, attrs.get_bool_or("adj_y", false));
  return std::unique_ptr<Kernel>(new BatchMatMulKernel(std::string(attrs.op()), adj_x, adj_y, kBroadcast));
}

TFPORT_REGISTER_OP({"MatMul", &make_matmul, &matmul_shapes});
TFPORT_REGISTER_OP({"BatchMatMul", &make_batch_matmul<false>});
TFPORT_REGISTER_OP({"BatchMatMulV2", &make_batch_matmul<true>});
TFPORT_REGISTER_OP({"BatchMatMulV3", &make_batch_matmul<true>});

}  // namespace

template <typename T>
Status gemm(bool ta, bool tb, int64_t m, int64_t n, int64_t k, const T* a, const T* b, T* c) {
  if (m == 0 || n == 0) return Status::OK();
  if (k == 0) {
    std::fill(c, c + m * n, T(0));
    return Status::OK();
  }
  // Small products (RNN steps inside While loops, batch-1 heads) run faster single-threaded in
  // Eigen than through oneDNN's threaded sgemm, whose thread wake-up costs more than the math.
  constexpr int64_t kSmallGemm = int64_t{1} << 18;
  if constexpr (std::is_same_v<T, float>) {
    if (m * n * k <= kSmallGemm || (m <= 16 && n * k <= 4 * kSmallGemm)) return eigen_gemm(ta, tb, m, n, k, a, b, c);
    const dnnl_status_t st = dnnl_sgemm(ta ? 'T' : 'N', tb ? 'T' : 'N', m, n, k, 1.0f, a, ta ? m : k, b,
                                        tb ? k : n, 0.0f, c, n);
    if (st != dnnl_success) return internal_error("oneDNN sgemm failed with status " + std::to_string(st));
    return Status::OK();
  } else {
    return eigen_gemm(ta, tb, m, n, k, a, b, c);
  }
}

template Status gemm<float>(bool, bool, int64_t, int64_t, int64_t, const float*, const float*, float*);
template Status gemm<double>(bool, bool, int64_t, int64_t, int64_t, const double*, const double*, double*);
template Status gemm<int32_t>(bool, bool, int64_t, int64_t, int64_t, const int32_t*, const int32_t*, int32_t*);
template Status gemm<int64_t>(bool, bool, int64_t, int64_t, int64_t, const int64_t*, const int64_t*, int64_t*);

}  // namespace tfport::runtime::ops
