// ResourceGather: rows of a resource variable (the embedding lookup of TF2 Keras Embedding
// layers), gathered along axis 0 without copying the variable first.
#include <cstring>

#include "runtime/ops/op_util.h"
#include "runtime/resource_store.h"

namespace tfport::runtime::ops {
namespace {

constexpr std::string_view kOp = "ResourceGather";

class ResourceGatherKernel final : public Kernel {
 public:
  Status compute(KernelContext& ctx) const override {
    TFPORT_RETURN_IF_ERROR(expect_inputs(ctx, kOp, 2));
    const Tensor& handle = ctx.inputs[0];
    if (ctx.resources == nullptr) return ctx.error(kOp, "no resource store");
    if (handle.dtype() != DType::kResource || handle.strings().empty()) {
      return ctx.error(kOp, "input 0 is not a resource handle");
    }
    auto value = ctx.resources->read(handle.strings()[0]);
    if (!value.ok()) return ctx.error(kOp, value.status().message());
    const Tensor& params = *value;
    const Tensor& indices = ctx.inputs[1];
    if (params.shape().rank() < 1 || element_storage_size(params.dtype()) == 0) {
      return ctx.error(kOp, "cannot gather from variable " + params.description());
    }
    if (indices.dtype() != DType::kInt32 && indices.dtype() != DType::kInt64) {
      return ctx.error(kOp, "indices must be int32 or int64");
    }
    std::vector<int64_t> dims = indices.shape().dims();
    int64_t inner = 1;
    for (int d = 1; d < params.shape().rank(); ++d) {
      dims.push_back(params.shape().dim(d));
      inner *= params.shape().dim(d);
    }
    TFPORT_ASSIGN_OR_RETURN(Tensor * out, add_output(ctx, kOp, params.dtype(), Shape(dims)));
    const int64_t limit = params.shape().dim(0);
    const size_t row = static_cast<size_t>(inner) * element_storage_size(params.dtype());
    const auto* src = static_cast<const unsigned char*>(params.raw_data());
    auto* dst = static_cast<unsigned char*>(out->mutable_raw_data());
    for (int64_t i = 0; i < indices.num_elements(); ++i) {
      int64_t k = indices.dtype() == DType::kInt32 ? indices.data<int32_t>()[i] : indices.data<int64_t>()[i];
      if (k < 0 || k >= limit) {
        return ctx.error(kOp, "indices[" + std::to_string(i) + "] = " + std::to_string(k) + " is not in [0, " +
                                  std::to_string(limit) + ")");
      }
      std::memcpy(dst + static_cast<size_t>(i) * row, src + static_cast<size_t>(k) * row, row);
    }
    return Status::OK();
  }
};

StatusOr<std::unique_ptr<Kernel>> make_resource_gather(const Attrs& attrs) {
  TFPORT_ASSIGN_OR_RETURN(int64_t batch_dims, attrs.get_int_or("batch_dims", 0));
  if (batch_dims != 0) return Status(StatusCode::kUnimplemented, attrs.error("batch_dims != 0 is not supported").message());
  return std::unique_ptr<Kernel>(std::make_unique<ResourceGatherKernel>());
}

}  // namespace

TFPORT_REGISTER_OP({"ResourceGather", &make_resource_gather});

}  // namespace tfport::runtime::ops
