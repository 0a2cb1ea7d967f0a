// TF1 dataflow conditionals (what tf.cond leaves in TF1 graphs): Switch routes its input to the
// output its predicate selects and a dead (invalid) tensor to the other; Merge forwards the live
// one of its inputs with its index. The planner propagates deadness (Plan::is_dead).
#include "runtime/ops/op_util.h"

namespace tfport::runtime::ops {
namespace {

class SwitchKernel final : public Kernel {
 public:
  Status compute(KernelContext& ctx) const override {
    static constexpr std::string_view kOp = "Switch";
    TFPORT_RETURN_IF_ERROR(expect_inputs(ctx, kOp, 2));
    const Tensor& pred = ctx.inputs[1];
    if (pred.dtype() != DType::kBool || pred.num_elements() != 1) {
      return ctx.error(kOp, "the predicate must be a bool scalar, got " + pred.description());
    }
    const bool taken = pred.data<bool>()[0];
    ctx.outputs->push_back(taken ? Tensor() : ctx.inputs[0]);
    ctx.outputs->push_back(taken ? ctx.inputs[0] : Tensor());
    return Status::OK();
  }
};

class MergeKernel final : public Kernel {
 public:
  Status compute(KernelContext& ctx) const override {
    for (size_t i = 0; i < ctx.inputs.size(); ++i) {
      if (!ctx.inputs[i].valid()) continue;
      ctx.outputs->push_back(ctx.inputs[i]);
      TFPORT_ASSIGN_OR_RETURN(Tensor * index, add_output(ctx, "Merge", DType::kInt32, Shape{}));
      index->mutable_data<int32_t>()[0] = static_cast<int32_t>(i);
      return Status::OK();
    }
    return ctx.error("Merge", "every input is dead");
  }
};

template <typename K>
StatusOr<std::unique_ptr<Kernel>> make(const Attrs&) {
  return std::unique_ptr<Kernel>(std::make_unique<K>());
}

}  // namespace

TFPORT_REGISTER_OP({"Switch", &make<SwitchKernel>});
TFPORT_REGISTER_OP({"RefSwitch", &make<SwitchKernel>});
TFPORT_REGISTER_OP({"Merge", &make<MergeKernel>});
TFPORT_REGISTER_OP({"RefMerge", &make<MergeKernel>});

}  // namespace tfport::runtime::ops
