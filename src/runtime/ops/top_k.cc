// TopKV2: the k largest entries of each last-axis row, largest first, ties in index order (as
// TF's stable sort), with their int32 indices.
#include <algorithm>
#include <cmath>
#include <numeric>

#include "runtime/ops/op_util.h"

namespace tfport::runtime::ops {
namespace {

class TopKKernel final : public Kernel {
 public:
  Status compute(KernelContext& ctx) const override {
    static constexpr std::string_view kOp = "TopKV2";
    TFPORT_RETURN_IF_ERROR(expect_inputs(ctx, kOp, 2));
    const Tensor& x = ctx.inputs[0];
    TFPORT_ASSIGN_OR_RETURN(int64_t k, read_int_scalar(ctx, kOp, ctx.inputs[1], "k"));
    if (x.shape().rank() < 1) return ctx.error(kOp, "input must have rank >= 1");
    const int64_t n = x.shape().dim(x.shape().rank() - 1);
    if (k < 0 || k > n) return ctx.error(kOp, "k = " + std::to_string(k) + " is not in [0, " + std::to_string(n) + "]");
    std::vector<int64_t> dims = x.shape().dims();
    dims.back() = k;
    const int64_t rows = n == 0 ? 0 : x.num_elements() / n;
    Status status;
    const bool handled = visit_dtype<kRealTypes>(x.dtype(), [&](auto tag) {
      using T = typename decltype(tag)::type;
      auto values = add_output_uninitialized(ctx, kOp, x.dtype(), Shape(dims));
      if (!values.ok()) {
        status = values.status();
        return;
      }
      // The second output may move the first: keep its position, not its address.
      const size_t values_at = ctx.outputs->size() - 1;
      auto indices = add_output_uninitialized(ctx, kOp, DType::kInt32, Shape(dims));
      if (!indices.ok()) {
        status = indices.status();
        return;
      }
      T* pv = (*ctx.outputs)[values_at].template mutable_data<T>();
      int32_t* pi = (*indices)->template mutable_data<int32_t>();
      std::vector<int32_t> order(static_cast<size_t>(n));
      for (int64_t r = 0; r < rows; ++r) {
        const T* row = x.data<T>() + r * n;
        std::iota(order.begin(), order.end(), 0);
        auto before = [&](int32_t a, int32_t b) {
          const double va = static_cast<double>(row[a]), vb = static_cast<double>(row[b]);
          if (std::isnan(va) || std::isnan(vb)) return std::isnan(va) && (!std::isnan(vb) || a < b);  // NaN first
          return va > vb || (va == vb && a < b);
        };
        std::partial_sort(order.begin(), order.begin() + k, order.end(), before);
        for (int64_t j = 0; j < k; ++j) {
          pi[r * k + j] = order[static_cast<size_t>(j)];
          pv[r * k + j] = row[order[static_cast<size_t>(j)]];
        }
      }
    });
    if (!handled) return unsupported_dtype(ctx, kOp, x.dtype(), kRealTypes);
    return status;
  }
};

StatusOr<std::unique_ptr<Kernel>> make_top_k(const Attrs& attrs) {
  TFPORT_RETURN_IF_ERROR(check_type_attr(attrs, "T", kRealTypes));
  return std::unique_ptr<Kernel>(new TopKKernel());
}

TFPORT_REGISTER_OP({"TopKV2", &make_top_k});

}  // namespace
}  // namespace tfport::runtime::ops
