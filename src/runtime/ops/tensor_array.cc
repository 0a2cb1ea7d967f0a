// TF1 TensorArray ops (what dynamic_rnn and tf.while_loop accumulators use): TensorArrayV3,
// TensorArrayWriteV3, TensorArrayReadV3, TensorArrayGatherV3, TensorArrayScatterV3,
// TensorArraySizeV3, TensorArrayCloseV3. A TensorArray is a per-run mutable object: the handle
// is a scalar variant Tensor pointing at it (so it dies with the run's last reference), and the
// float "flow" value only orders the ops, as in TensorFlow.
#include <cstring>
#include <memory>
#include <mutex>

#include "runtime/ops/op_util.h"

namespace tfport::runtime::ops {
namespace {

struct TensorArray {
  DType dtype = DType::kInvalid;
  bool dynamic_size = false;
  std::mutex mu;
  std::vector<Tensor> items;  // invalid = not written
};

StatusOr<TensorArray*> array_of(const KernelContext& ctx, std::string_view op, const Tensor& handle) {
  if (handle.dtype() != DType::kVariant || handle.shape().rank() != 0 || handle.raw_data() == nullptr) {
    return ctx.error(op, "input 0 is not a TensorArray handle");
  }
  // The array is created mutable by TensorArrayV3; handles only share it.
  return static_cast<TensorArray*>(const_cast<void*>(handle.raw_data()));
}

Status push_flow(KernelContext& ctx, std::string_view op) {
  TFPORT_ASSIGN_OR_RETURN(Tensor * flow, add_output(ctx, op, DType::kFloat, Shape{}));
  (void)flow;
  return Status::OK();
}

class CreateKernel final : public Kernel {
 public:
  CreateKernel(DType dtype, bool dynamic) : dtype_(dtype), dynamic_(dynamic) {}
  Status compute(KernelContext& ctx) const override {
    TFPORT_RETURN_IF_ERROR(expect_inputs(ctx, "TensorArrayV3", 1));
    TFPORT_ASSIGN_OR_RETURN(int64_t size, read_int_scalar(ctx, "TensorArrayV3", ctx.inputs[0], "size"));
    if (size < 0 || size > (int64_t{1} << 31)) return ctx.error("TensorArrayV3", "bad size " + std::to_string(size));
    auto ta = std::make_shared<TensorArray>();
    ta->dtype = dtype_;
    ta->dynamic_size = dynamic_;
    ta->items.resize(static_cast<size_t>(size));
    TensorArray* p = ta.get();
    ctx.outputs->push_back(Tensor::wrap(DType::kVariant, Shape{}, p, std::shared_ptr<const void>(std::move(ta), p)));
    return push_flow(ctx, "TensorArrayV3");
  }

 private:
  DType dtype_;
  bool dynamic_;
};

class WriteKernel final : public Kernel {
 public:
  Status compute(KernelContext& ctx) const override {
    static constexpr std::string_view kOp = "TensorArrayWriteV3";
    TFPORT_RETURN_IF_ERROR(expect_inputs(ctx, kOp, 4));
    TFPORT_ASSIGN_OR_RETURN(TensorArray * ta, array_of(ctx, kOp, ctx.inputs[0]));
    TFPORT_ASSIGN_OR_RETURN(int64_t i, read_int_scalar(ctx, kOp, ctx.inputs[1], "index"));
    if (ctx.inputs[2].dtype() != ta->dtype) return ctx.error(kOp, "value type does not match the TensorArray");
    std::lock_guard<std::mutex> lock(ta->mu);
    if (ta->dynamic_size && i >= static_cast<int64_t>(ta->items.size()) && i < (int64_t{1} << 31)) {
      ta->items.resize(static_cast<size_t>(i) + 1);
    }
    if (i < 0 || i >= static_cast<int64_t>(ta->items.size())) {
      return ctx.error(kOp, "index " + std::to_string(i) + " is out of range for a TensorArray of " +
                                std::to_string(ta->items.size()));
    }
    ta->items[static_cast<size_t>(i)] = ctx.inputs[2];
    return push_flow(ctx, kOp);
  }
};

class ReadKernel final : public Kernel {
 public:
  Status compute(KernelContext& ctx) const override {
    static constexpr std::string_view kOp = "TensorArrayReadV3";
    TFPORT_RETURN_IF_ERROR(expect_inputs(ctx, kOp, 3));
    TFPORT_ASSIGN_OR_RETURN(TensorArray * ta, array_of(ctx, kOp, ctx.inputs[0]));
    TFPORT_ASSIGN_OR_RETURN(int64_t i, read_int_scalar(ctx, kOp, ctx.inputs[1], "index"));
    std::lock_guard<std::mutex> lock(ta->mu);
    if (i < 0 || i >= static_cast<int64_t>(ta->items.size()) || !ta->items[static_cast<size_t>(i)].valid()) {
      return ctx.error(kOp, "element " + std::to_string(i) + " was never written");
    }
    ctx.outputs->push_back(ta->items[static_cast<size_t>(i)]);
    return Status::OK();
  }
};

class GatherKernel final : public Kernel {
 public:
  explicit GatherKernel(bool all) : all_(all) {}
  Status compute(KernelContext& ctx) const override {
    static constexpr std::string_view kOp = "TensorArrayGatherV3";
    TFPORT_RETURN_IF_ERROR(expect_min_inputs(ctx, kOp, 2));
    TFPORT_ASSIGN_OR_RETURN(TensorArray * ta, array_of(ctx, kOp, ctx.inputs[0]));
    std::lock_guard<std::mutex> lock(ta->mu);
    std::vector<int64_t> idx;
    if (all_) {
      for (size_t i = 0; i < ta->items.size(); ++i) idx.push_back(static_cast<int64_t>(i));
    } else {
      TFPORT_ASSIGN_OR_RETURN(idx, read_int_values(ctx, kOp, ctx.inputs[1], "indices"));
    }
    if (idx.empty()) return ctx.error(kOp, "gathering no elements: their shape is unknown");
    for (int64_t i : idx) {
      if (i < 0 || i >= static_cast<int64_t>(ta->items.size()) || !ta->items[static_cast<size_t>(i)].valid()) {
        return ctx.error(kOp, "element " + std::to_string(i) + " was never written");
      }
    }
    const std::vector<int64_t> elem = ta->items[static_cast<size_t>(idx[0])].shape().dims();
    for (int64_t i : idx) {
      if (ta->items[static_cast<size_t>(i)].shape().dims() != elem) return ctx.error(kOp, "elements have different shapes");
    }
    if (element_storage_size(ta->dtype) == 0) return unsupported_dtype(ctx, kOp, ta->dtype, kAllPlainTypes);
    std::vector<int64_t> dims{static_cast<int64_t>(idx.size())};
    dims.insert(dims.end(), elem.begin(), elem.end());
    TFPORT_ASSIGN_OR_RETURN(Tensor * out, add_output(ctx, kOp, ta->dtype, Shape(dims)));
    const size_t bytes = element_storage_size(ta->dtype) * static_cast<size_t>(Shape(elem).num_elements());
    for (size_t k = 0; k < idx.size(); ++k) {
      std::memcpy(static_cast<char*>(out->mutable_raw_data()) + k * bytes,
                  ta->items[static_cast<size_t>(idx[k])].raw_data(), bytes);
    }
    return Status::OK();
  }

 private:
  bool all_;
};

class ScatterKernel final : public Kernel {
 public:
  explicit ScatterKernel(bool all) : all_(all) {}
  Status compute(KernelContext& ctx) const override {
    static constexpr std::string_view kOp = "TensorArrayScatterV3";
    TFPORT_RETURN_IF_ERROR(expect_inputs(ctx, kOp, all_ ? 3 : 4));
    TFPORT_ASSIGN_OR_RETURN(TensorArray * ta, array_of(ctx, kOp, ctx.inputs[0]));
    const Tensor& value = ctx.inputs[all_ ? 1 : 2];
    if (value.dtype() != ta->dtype || value.shape().rank() < 1 || element_storage_size(value.dtype()) == 0) {
      return ctx.error(kOp, "value " + value.description() + " does not fit the TensorArray");
    }
    std::vector<int64_t> idx;
    if (all_) {
      for (int64_t i = 0; i < value.shape().dim(0); ++i) idx.push_back(i);
    } else {
      TFPORT_ASSIGN_OR_RETURN(idx, read_int_values(ctx, kOp, ctx.inputs[1], "indices"));
    }
    if (static_cast<int64_t>(idx.size()) != value.shape().dim(0)) return ctx.error(kOp, "one index per row expected");
    std::vector<int64_t> elem(value.shape().dims().begin() + 1, value.shape().dims().end());
    auto keep = std::make_shared<Tensor>(value);
    const size_t bytes = element_storage_size(value.dtype()) * static_cast<size_t>(Shape(elem).num_elements());
    std::lock_guard<std::mutex> lock(ta->mu);
    for (size_t k = 0; k < idx.size(); ++k) {
      const int64_t i = idx[k];
      if (ta->dynamic_size && i >= static_cast<int64_t>(ta->items.size()) && i < (int64_t{1} << 31)) {
        ta->items.resize(static_cast<size_t>(i) + 1);
      }
      if (i < 0 || i >= static_cast<int64_t>(ta->items.size())) return ctx.error(kOp, "index out of range");
      ta->items[static_cast<size_t>(i)] =
          Tensor::wrap(value.dtype(), Shape(elem), static_cast<const char*>(value.raw_data()) + k * bytes, keep);
    }
    return push_flow(ctx, kOp);
  }

 private:
  bool all_;
};

class SizeKernel final : public Kernel {
 public:
  Status compute(KernelContext& ctx) const override {
    TFPORT_RETURN_IF_ERROR(expect_inputs(ctx, "TensorArraySizeV3", 2));
    TFPORT_ASSIGN_OR_RETURN(TensorArray * ta, array_of(ctx, "TensorArraySizeV3", ctx.inputs[0]));
    TFPORT_ASSIGN_OR_RETURN(Tensor * out, add_output(ctx, "TensorArraySizeV3", DType::kInt32, Shape{}));
    std::lock_guard<std::mutex> lock(ta->mu);
    out->mutable_data<int32_t>()[0] = static_cast<int32_t>(ta->items.size());
    return Status::OK();
  }
};

class CloseKernel final : public Kernel {
 public:
  Status compute(KernelContext& ctx) const override {
    TFPORT_RETURN_IF_ERROR(expect_inputs(ctx, "TensorArrayCloseV3", 1));
    return array_of(ctx, "TensorArrayCloseV3", ctx.inputs[0]).status();
  }
};

StatusOr<std::unique_ptr<Kernel>> make_create(const Attrs& attrs) {
  TFPORT_ASSIGN_OR_RETURN(DType dtype, attrs.get_type("dtype"));
  TFPORT_ASSIGN_OR_RETURN(bool dynamic, attrs.get_bool_or("dynamic_size", false));
  return std::unique_ptr<Kernel>(std::make_unique<CreateKernel>(dtype, dynamic));
}
template <typename K>
StatusOr<std::unique_ptr<Kernel>> make(const Attrs&) {
  return std::unique_ptr<Kernel>(std::make_unique<K>());
}
StatusOr<std::unique_ptr<Kernel>> make_gather(const Attrs&) {
  return std::unique_ptr<Kernel>(std::make_unique<GatherKernel>(false));
}
StatusOr<std::unique_ptr<Kernel>> make_scatter(const Attrs&) {
  return std::unique_ptr<Kernel>(std::make_unique<ScatterKernel>(false));
}

}  // namespace

TFPORT_REGISTER_OP({"TensorArrayV3", &make_create});
TFPORT_REGISTER_OP({"TensorArrayWriteV3", &make<WriteKernel>});
TFPORT_REGISTER_OP({"TensorArrayReadV3", &make<ReadKernel>});
TFPORT_REGISTER_OP({"TensorArrayGatherV3", &make_gather});
TFPORT_REGISTER_OP({"TensorArrayScatterV3", &make_scatter});
TFPORT_REGISTER_OP({"TensorArraySizeV3", &make<SizeKernel>});
TFPORT_REGISTER_OP({"TensorArrayCloseV3", &make<CloseKernel>});

}  // namespace tfport::runtime::ops
