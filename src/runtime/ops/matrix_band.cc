// MatrixBandPart: keeps the band of each innermost matrix (num_lower diagonals below the main
// one, num_upper above; negative = all) and zeroes the rest, as causal attention masks use it.
#include <cstring>

#include "runtime/ops/op_util.h"

namespace tfport::runtime::ops {
namespace {

class BandPartKernel final : public Kernel {
 public:
  Status compute(KernelContext& ctx) const override {
    static constexpr std::string_view kOp = "MatrixBandPart";
    TFPORT_RETURN_IF_ERROR(expect_inputs(ctx, kOp, 3));
    const Tensor& x = ctx.inputs[0];
    TFPORT_RETURN_IF_ERROR(fixed_size(ctx, kOp, x));
    if (x.shape().rank() < 2) return ctx.error(kOp, "input must have rank >= 2, got " + x.shape().to_string());
    TFPORT_ASSIGN_OR_RETURN(int64_t lower, read_int_scalar(ctx, kOp, ctx.inputs[1], "num_lower"));
    TFPORT_ASSIGN_OR_RETURN(int64_t upper, read_int_scalar(ctx, kOp, ctx.inputs[2], "num_upper"));
    const int r = x.shape().rank();
    const int64_t m = x.shape().dim(r - 2), n = x.shape().dim(r - 1);
    if (lower > m || upper > n) return ctx.error(kOp, "band wider than the matrix");
    TFPORT_ASSIGN_OR_RETURN(Tensor * out, add_output(ctx, kOp, x.dtype(), x.shape()));  // zeros outside the band
    const size_t es = element_storage_size(x.dtype());
    const char* src = static_cast<const char*>(x.raw_data());
    char* dst = static_cast<char*>(out->mutable_raw_data());
    const int64_t matrices = m * n == 0 ? 0 : x.num_elements() / (m * n);
    for (int64_t b = 0; b < matrices; ++b) {
      for (int64_t i = 0; i < m; ++i) {
        const int64_t first = lower < 0 ? 0 : std::max<int64_t>(0, i - lower);
        const int64_t last = upper < 0 ? n : std::min<int64_t>(n, i + upper + 1);
        if (first >= last) continue;
        const int64_t at = (b * m + i) * n + first;
        std::memcpy(dst + at * es, src + at * es, static_cast<size_t>(last - first) * es);
      }
    }
    return Status::OK();
  }
};

StatusOr<std::unique_ptr<Kernel>> make_band_part(const Attrs&) { return std::unique_ptr<Kernel>(new BandPartKernel()); }

TFPORT_REGISTER_OP({"MatrixBandPart", &make_band_part});

}  // namespace
}  // namespace tfport::runtime::ops
