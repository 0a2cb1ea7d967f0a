// Graph plumbing and state: constants, feeds, variables (TF1 ref variables and TF2 resource
// variables) and restoring them from a checkpoint. Variables live in the model's ResourceStore.
#include <memory>

#include "runtime/kernel.h"
#include "runtime/resource_store.h"
#include "runtime/tensor_proto.h"
#include "tfport/checkpoint.h"

namespace tfport::runtime {
namespace {

Status need_store(const KernelContext& ctx, std::string_view op) {
  if (ctx.resources == nullptr) return ctx.error(op, "needs a resource store (run through a loaded model)");
  return Status::OK();
}

// ---- Const, NoOp, Placeholder ----------------------------------------------------------

class ConstKernel final : public Kernel {
 public:
  explicit ConstKernel(Tensor value) : value_(std::move(value)) {}
  Status compute(KernelContext& ctx) const override {
    ctx.outputs->push_back(value_);
    return Status::OK();
  }

 private:
  Tensor value_;
};

StatusOr<std::unique_ptr<Kernel>> make_const(const Attrs& attrs) {
  const tensorflow::AttrValue* value = attrs.find("value");
  if (value == nullptr || value->value_case() != tensorflow::AttrValue::kTensor) {
    // Lowered and folded constants carry their value as a tensor (graph::Node::value).
    auto held = attrs.get_tensor("value");
    if (held.ok()) return std::unique_ptr<Kernel>(new ConstKernel(std::move(*held)));
    return attrs.error("has no 'value' tensor attribute");
  }
  auto t = tensor_from_proto(value->tensor());
  if (!t.ok()) return attrs.error(t.status().message());
  return std::unique_ptr<Kernel>(new ConstKernel(std::move(*t)));
}

class NoOpKernel final : public Kernel {
 public:
  Status compute(KernelContext&) const override { return Status::OK(); }
};
StatusOr<std::unique_ptr<Kernel>> make_noop(const Attrs&) { return std::unique_ptr<Kernel>(new NoOpKernel()); }

// Runs only when the placeholder was not fed: the planner feeds placeholders directly.
class PlaceholderKernel final : public Kernel {
 public:
  Status compute(KernelContext& ctx) const override {
    return invalid_argument_error("input '" + std::string(ctx.node_name) + "' must be fed a value");
  }
};
StatusOr<std::unique_ptr<Kernel>> make_placeholder(const Attrs&) {
  return std::unique_ptr<Kernel>(new PlaceholderKernel());
}

class ForwardKernel final : public Kernel {
 public:
  Status compute(KernelContext& ctx) const override {
    if (ctx.inputs.empty()) return ctx.error("PlaceholderWithDefault", "has no default input");
    ctx.outputs->push_back(ctx.inputs[0]);
    return Status::OK();
  }
};
StatusOr<std::unique_ptr<Kernel>> make_forward(const Attrs&) { return std::unique_ptr<Kernel>(new ForwardKernel()); }

// ---- Resource variables (VarHandleOp & co) --------------------------------------------------

std::string key_from_attrs(const Attrs& attrs) {
  auto container = attrs.get_string_or("container", "");
  auto shared = attrs.get_string_or("shared_name", "");
  return variable_key(container.ok() ? *container : "", shared.ok() ? *shared : "", std::string(attrs.node_name()));
}

class VarHandleKernel final : public Kernel {
 public:
  explicit VarHandleKernel(std::string key) : key_(std::move(key)) {}
  Status compute(KernelContext& ctx) const override {
    ctx.outputs->push_back(Tensor::resource_handle(key_));
    return Status::OK();
  }

 private:
  std::string key_;
};
StatusOr<std::unique_ptr<Kernel>> make_var_handle(const Attrs& attrs) {
  return std::unique_ptr<Kernel>(new VarHandleKernel(key_from_attrs(attrs)));
}

StatusOr<std::string> handle_key(const KernelContext& ctx, std::string_view op, size_t input) {
  if (ctx.inputs.size() <= input || ctx.inputs[input].dtype() != DType::kResource) {
    return ctx.error(op, "input " + std::to_string(input) + " must be a resource handle");
  }
  return ctx.inputs[input].strings()[0];
}

class ReadVariableKernel final : public Kernel {
 public:
  Status compute(KernelContext& ctx) const override {
    TFPORT_RETURN_IF_ERROR(need_store(ctx, "ReadVariableOp"));
    TFPORT_ASSIGN_OR_RETURN(std::string key, handle_key(ctx, "ReadVariableOp", 0));
    auto value = ctx.resources->read(key);
    if (!value.ok()) return ctx.error("ReadVariableOp", value.status().message());
    ctx.outputs->push_back(std::move(*value));
    return Status::OK();
  }
};
StatusOr<std::unique_ptr<Kernel>> make_read_variable(const Attrs&) {
  return std::unique_ptr<Kernel>(new ReadVariableKernel());
}

// Element-wise update of a float/int variable: Assign (replace), Add, Sub.
enum class Update { kAssign, kAdd, kSub };

template <typename T>
void apply_update(Update u, const T* a, const T* b, T* out, int64_t n) {
  for (int64_t i = 0; i < n; ++i) out[i] = u == Update::kAdd ? a[i] + b[i] : a[i] - b[i];
}

StatusOr<Tensor> updated_value(const KernelContext& ctx, std::string_view op, Update u, const Tensor& old_value,
                               const Tensor& delta) {
  if (u == Update::kAssign) return delta.clone();
  if (old_value.dtype() != delta.dtype() || old_value.shape() != delta.shape()) {
    return ctx.error(op, "update of " + delta.description() + " does not match the variable's " + old_value.description());
  }
  TFPORT_ASSIGN_OR_RETURN(Tensor out, Tensor::allocate(old_value.dtype(), old_value.shape()));
  int64_t n = out.num_elements();
  switch (out.dtype()) {
    case DType::kFloat: apply_update(u, old_value.data<float>(), delta.data<float>(), out.mutable_data<float>(), n); break;
    case DType::kDouble: apply_update(u, old_value.data<double>(), delta.data<double>(), out.mutable_data<double>(), n); break;
    case DType::kInt32: apply_update(u, old_value.data<int32_t>(), delta.data<int32_t>(), out.mutable_data<int32_t>(), n); break;
    case DType::kInt64: apply_update(u, old_value.data<int64_t>(), delta.data<int64_t>(), out.mutable_data<int64_t>(), n); break;
    default: return ctx.error(op, "unsupported variable type " + std::string(dtype_name(out.dtype())));
  }
  return out;
}

class AssignVariableKernel final : public Kernel {
 public:
  AssignVariableKernel(std::string op, Update u) : op_(std::move(op)), update_(u) {}
  Status compute(KernelContext& ctx) const override {
    TFPORT_RETURN_IF_ERROR(need_store(ctx, op_));
    TFPORT_ASSIGN_OR_RETURN(std::string key, handle_key(ctx, op_, 0));
    if (ctx.inputs.size() < 2) return ctx.error(op_, "needs a value input");
    Tensor old_value;
    if (update_ != Update::kAssign) {
      auto read = ctx.resources->read(key);
      if (!read.ok()) return ctx.error(op_, read.status().message());
      old_value = *read;
    }
    TFPORT_ASSIGN_OR_RETURN(Tensor value, updated_value(ctx, op_, update_, old_value, ctx.inputs[1]));
    ctx.resources->assign(key, value);
    return Status::OK();
  }

 private:
  std::string op_;
  Update update_;
};
StatusOr<std::unique_ptr<Kernel>> make_assign_variable(const Attrs&) {
  return std::unique_ptr<Kernel>(new AssignVariableKernel("AssignVariableOp", Update::kAssign));
}
StatusOr<std::unique_ptr<Kernel>> make_assign_add_variable(const Attrs&) {
  return std::unique_ptr<Kernel>(new AssignVariableKernel("AssignAddVariableOp", Update::kAdd));
}
StatusOr<std::unique_ptr<Kernel>> make_assign_sub_variable(const Attrs&) {
  return std::unique_ptr<Kernel>(new AssignVariableKernel("AssignSubVariableOp", Update::kSub));
}

class VarIsInitializedKernel final : public Kernel {
 public:
  Status compute(KernelContext& ctx) const override {
    TFPORT_RETURN_IF_ERROR(need_store(ctx, "VarIsInitializedOp"));
    TFPORT_ASSIGN_OR_RETURN(std::string key, handle_key(ctx, "VarIsInitializedOp", 0));
    bool init = ctx.resources->contains(key);
    ctx.outputs->push_back(Tensor::from_vector<uint8_t>(DType::kBool, Shape{}, {static_cast<uint8_t>(init)}));
    return Status::OK();
  }
};
StatusOr<std::unique_ptr<Kernel>> make_var_is_initialized(const Attrs&) {
  return std::unique_ptr<Kernel>(new VarIsInitializedKernel());
}

// ---- TF1 ref variables (VariableV2, Assign) -------------------------------------------------
// A ref edge is resolved by the planner: it stores the variable's key in the assigning node's
// "_tfport_variable_key" attribute, so Assign updates the store and VariableV2 reads it.

class RefVariableKernel final : public Kernel {
 public:
  explicit RefVariableKernel(std::string key) : key_(std::move(key)) {}
  Status compute(KernelContext& ctx) const override {
    TFPORT_RETURN_IF_ERROR(need_store(ctx, "VariableV2"));
    auto value = ctx.resources->read(key_);
    if (!value.ok()) return ctx.error("VariableV2", value.status().message());
    ctx.outputs->push_back(std::move(*value));
    return Status::OK();
  }

 private:
  std::string key_;
};
StatusOr<std::unique_ptr<Kernel>> make_ref_variable(const Attrs& attrs) {
  return std::unique_ptr<Kernel>(new RefVariableKernel(key_from_attrs(attrs)));
}

class RefAssignKernel final : public Kernel {
 public:
  RefAssignKernel(std::string op, std::string key, Update u) : op_(std::move(op)), key_(std::move(key)), update_(u) {}
  Status compute(KernelContext& ctx) const override {
    TFPORT_RETURN_IF_ERROR(need_store(ctx, op_));
    // The planner drops the ref input (the variable itself); the value is the last input.
    if (ctx.inputs.empty()) return ctx.error(op_, "needs a value input");
    Tensor old_value;
    if (update_ != Update::kAssign) {
      auto read = ctx.resources->read(key_);
      if (!read.ok()) return ctx.error(op_, read.status().message());
      old_value = *read;
    }
    TFPORT_ASSIGN_OR_RETURN(Tensor value, updated_value(ctx, op_, update_, old_value, ctx.inputs.back()));
    ctx.resources->assign(key_, value);
    ctx.outputs->push_back(value);
    return Status::OK();
  }

 private:
  std::string op_, key_;
  Update update_;
};

template <Update U>
StatusOr<std::unique_ptr<Kernel>> make_ref_assign(const Attrs& attrs) {
  auto key = attrs.get_string("_tfport_variable_key");
  if (!key.ok()) return attrs.error("its first input must come straight from a VariableV2 node");
  const char* op = U == Update::kAssign ? "Assign" : U == Update::kAdd ? "AssignAdd" : "AssignSub";
  return std::unique_ptr<Kernel>(new RefAssignKernel(op, *key, U));
}

// ---- RestoreV2: reading variables from the model's checkpoint -------------------------------

class RestoreKernel final : public Kernel {
 public:
  explicit RestoreKernel(std::vector<DType> dtypes) : dtypes_(std::move(dtypes)) {}
  Status compute(KernelContext& ctx) const override {
    if (ctx.inputs.size() != 3) return ctx.error("RestoreV2", "expects prefix, tensor_names and shape_and_slices");
    const Tensor& prefix = ctx.inputs[0];
    const Tensor& names = ctx.inputs[1];
    const Tensor& slices = ctx.inputs[2];
    if (prefix.dtype() != DType::kString || prefix.num_elements() != 1 || names.dtype() != DType::kString ||
        slices.dtype() != DType::kString || names.num_elements() != slices.num_elements() ||
        names.num_elements() != static_cast<int64_t>(dtypes_.size())) {
      return ctx.error("RestoreV2", "needs a scalar prefix and one tensor name and slice spec per output");
    }
    auto reader = CheckpointReader::open(prefix.strings()[0]);
    if (!reader.ok()) return ctx.error("RestoreV2", reader.status().message());
    for (size_t i = 0; i < dtypes_.size(); ++i) {
      if (!slices.strings()[i].empty()) {
        return unimplemented_error("node '" + std::string(ctx.node_name) + "' (RestoreV2): restoring a slice ('" +
                                   slices.strings()[i] + "') of '" + names.strings()[i] + "'");
      }
      auto t = reader->read(names.strings()[i]);
      if (!t.ok()) return ctx.error("RestoreV2", t.status().message());
      if (t->dtype() != dtypes_[i]) {
        return ctx.error("RestoreV2", "checkpoint tensor '" + names.strings()[i] + "' is " +
                                          std::string(dtype_name(t->dtype())) + ", the graph expects " +
                                          std::string(dtype_name(dtypes_[i])));
      }
      ctx.outputs->push_back(std::move(*t));
    }
    return Status::OK();
  }

 private:
  std::vector<DType> dtypes_;
};
StatusOr<std::unique_ptr<Kernel>> make_restore(const Attrs& attrs) {
  TFPORT_ASSIGN_OR_RETURN(std::vector<DType> dtypes, attrs.get_type_list("dtypes"));
  return std::unique_ptr<Kernel>(new RestoreKernel(std::move(dtypes)));
}

}  // namespace

TFPORT_REGISTER_OP({"Const", &make_const});
TFPORT_REGISTER_OP({"NoOp", &make_noop});
TFPORT_REGISTER_OP({"Placeholder", &make_placeholder});
TFPORT_REGISTER_OP({"PlaceholderV2", &make_placeholder});
TFPORT_REGISTER_OP({"PlaceholderWithDefault", &make_forward});
TFPORT_REGISTER_OP({"VarHandleOp", &make_var_handle});
TFPORT_REGISTER_OP({"ReadVariableOp", &make_read_variable});
TFPORT_REGISTER_OP({"AssignVariableOp", &make_assign_variable});
TFPORT_REGISTER_OP({"AssignAddVariableOp", &make_assign_add_variable});
TFPORT_REGISTER_OP({"AssignSubVariableOp", &make_assign_sub_variable});
TFPORT_REGISTER_OP({"VarIsInitializedOp", &make_var_is_initialized});
TFPORT_REGISTER_OP({"DisableCopyOnRead", &make_noop});
TFPORT_REGISTER_OP({"VariableV2", &make_ref_variable});
TFPORT_REGISTER_OP({"Variable", &make_ref_variable});
TFPORT_REGISTER_OP({"Assign", &make_ref_assign<Update::kAssign>});
TFPORT_REGISTER_OP({"AssignAdd", &make_ref_assign<Update::kAdd>});
TFPORT_REGISTER_OP({"AssignSub", &make_ref_assign<Update::kSub>});
TFPORT_REGISTER_OP({"RestoreV2", &make_restore});

}  // namespace tfport::runtime
