// TensorList ops (the DT_VARIANT lists TF2 While loops accumulate into, as Keras RNN layers
// and tf.TensorArray in TF2 emit them). A list is a scalar kVariant Tensor whose data points to
// an immutable TensorListValue; "mutating" ops return a new list sharing the unchanged items,
// so a list seen by another consumer never changes under it.
#include <cstring>
#include <memory>

#include "runtime/ops/op_util.h"

namespace tfport::runtime::ops {
namespace {

struct TensorListValue {
  DType dtype = DType::kInvalid;
  // Element shape as TensorFlow tracks it: -1 dims unknown; unknown_rank for "any shape".
  std::vector<int64_t> element_shape;
  bool unknown_rank = true;
  std::vector<Tensor> items;  // invalid Tensor = never set
  // The owning pointer, to count the Tensors holding this list: when the reader is the only
  // one (the planner moves a value into its last reader), an update may happen in place
  // instead of copying every item, which keeps loops that fill a list linear in its length.
  std::weak_ptr<TensorListValue> self;
};

Tensor wrap_list(std::shared_ptr<TensorListValue> list) {
  list->self = list;
  const TensorListValue* p = list.get();
  return Tensor::wrap(DType::kVariant, Shape{}, p, std::shared_ptr<const void>(std::move(list), p));
}

StatusOr<const TensorListValue*> get_list(const KernelContext& ctx, std::string_view op, const Tensor& t) {
  if (t.dtype() != DType::kVariant || t.shape().rank() != 0 || t.raw_data() == nullptr) {
    return ctx.error(op, "expects a TensorList (a scalar variant), got " + t.description());
  }
  return static_cast<const TensorListValue*>(t.raw_data());
}

// element_shape inputs: a -1 scalar means unknown rank; otherwise a vector with -1 for unknown dims.
Status read_element_shape(const KernelContext& ctx, std::string_view op, const Tensor& t, TensorListValue* list) {
  TFPORT_ASSIGN_OR_RETURN(std::vector<int64_t> dims, read_int_values(ctx, op, t, "element_shape"));
  if (t.shape().rank() == 0) {
    list->unknown_rank = dims.empty() || dims[0] == -1;
    list->element_shape.clear();
    if (!list->unknown_rank) return ctx.error(op, "a scalar element_shape must be -1 (unknown rank)");
    return Status::OK();
  }
  list->unknown_rank = false;
  list->element_shape = std::move(dims);
  return Status::OK();
}

StatusOr<int64_t> checked_index(const KernelContext& ctx, std::string_view op, const Tensor& t, size_t size) {
  TFPORT_ASSIGN_OR_RETURN(int64_t i, read_int_scalar(ctx, op, t, "index"));
  if (i < 0 || i >= static_cast<int64_t>(size)) {
    return ctx.error(op, "index " + std::to_string(i) + " is out of range for a list of " + std::to_string(size) +
                             " elements");
  }
  return i;
}

// Zeros for an element never set, when its shape is fully known (TensorFlow's rule).
StatusOr<Tensor> zeros_element(const KernelContext& ctx, std::string_view op, const TensorListValue& list,
                               const std::vector<int64_t>& requested) {
  std::vector<int64_t> dims = list.unknown_rank ? requested : list.element_shape;
  if (!list.unknown_rank && dims.size() == requested.size()) {
    for (size_t i = 0; i < dims.size(); ++i) {
      if (dims[i] < 0) dims[i] = requested[i];
    }
  }
  for (int64_t d : dims) {
    if (d < 0) return ctx.error(op, "reading an element that was never set, and its shape is not fully known");
  }
  return Tensor::allocate(list.dtype, Shape(dims));
}

StatusOr<std::vector<int64_t>> optional_shape(const KernelContext& ctx, std::string_view op, const Tensor& t) {
  if (t.shape().rank() == 0) return std::vector<int64_t>{};
  return read_int_values(ctx, op, t, "element_shape");
}

StatusOr<DType> element_dtype(const Attrs& attrs) { return attrs.get_type("element_dtype"); }

class ListKernel : public Kernel {
 public:
  ListKernel(std::string op, DType dtype) : op_(std::move(op)), dtype_(dtype) {}

 protected:
  std::string op_;
  DType dtype_;
};

class ReserveKernel final : public ListKernel {
 public:
  using ListKernel::ListKernel;
  Status compute(KernelContext& ctx) const override {
    TFPORT_RETURN_IF_ERROR(expect_inputs(ctx, op_, 2));
    auto list = std::make_shared<TensorListValue>();
    list->dtype = dtype_;
    TFPORT_RETURN_IF_ERROR(read_element_shape(ctx, op_, ctx.inputs[0], list.get()));
    TFPORT_ASSIGN_OR_RETURN(int64_t n, read_int_scalar(ctx, op_, ctx.inputs[1], "num_elements"));
    if (op_ == "EmptyTensorList") n = 0;  // input 1 is max_num_elements there
    if (n < 0 || n > (int64_t{1} << 31)) return ctx.error(op_, "bad number of elements " + std::to_string(n));
    list->items.resize(static_cast<size_t>(n));
    ctx.outputs->push_back(wrap_list(std::move(list)));
    return Status::OK();
  }
};

class FromTensorKernel final : public ListKernel {
 public:
  using ListKernel::ListKernel;
  Status compute(KernelContext& ctx) const override {
    TFPORT_RETURN_IF_ERROR(expect_inputs(ctx, op_, 2));
    const Tensor& t = ctx.inputs[0];
    if (t.shape().rank() < 1) return ctx.error(op_, "expects a tensor of rank >= 1, got " + t.description());
    if (t.dtype() == DType::kString || element_storage_size(t.dtype()) == 0) {
      return unsupported_dtype(ctx, op_, t.dtype(), kAllPlainTypes);
    }
    auto list = std::make_shared<TensorListValue>();
    list->dtype = t.dtype();
    TFPORT_RETURN_IF_ERROR(read_element_shape(ctx, op_, ctx.inputs[1], list.get()));
    std::vector<int64_t> dims(t.shape().dims().begin() + 1, t.shape().dims().end());
    list->unknown_rank = false;
    list->element_shape = dims;
    const int64_t n = t.shape().dim(0);
    const size_t bytes = element_storage_size(t.dtype()) * static_cast<size_t>(Shape(dims).num_elements());
    // Items are views into the tensor, which a shared copy keeps alive.
    auto keep = std::make_shared<Tensor>(t);
    const char* base = static_cast<const char*>(t.raw_data());
    list->items.reserve(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) {
      list->items.push_back(Tensor::wrap(t.dtype(), Shape(dims), base + static_cast<size_t>(i) * bytes, keep));
    }
    ctx.outputs->push_back(wrap_list(std::move(list)));
    return Status::OK();
  }
};

class GetItemKernel final : public ListKernel {
 public:
  using ListKernel::ListKernel;
  Status compute(KernelContext& ctx) const override {
    TFPORT_RETURN_IF_ERROR(expect_inputs(ctx, op_, 3));
    TFPORT_ASSIGN_OR_RETURN(const TensorListValue* list, get_list(ctx, op_, ctx.inputs[0]));
    TFPORT_ASSIGN_OR_RETURN(int64_t i, checked_index(ctx, op_, ctx.inputs[1], list->items.size()));
    const Tensor& item = list->items[static_cast<size_t>(i)];
    if (item.valid()) {
      ctx.outputs->push_back(item);
      return Status::OK();
    }
    TFPORT_ASSIGN_OR_RETURN(std::vector<int64_t> requested, optional_shape(ctx, op_, ctx.inputs[2]));
    TFPORT_ASSIGN_OR_RETURN(Tensor z, zeros_element(ctx, op_, *list, requested));
    ctx.outputs->push_back(std::move(z));
    return Status::OK();
  }
};

class SetItemKernel final : public ListKernel {
 public:
  SetItemKernel(std::string op, DType dtype, bool resize) : ListKernel(std::move(op), dtype), resize_(resize) {}
  Status compute(KernelContext& ctx) const override {
    TFPORT_RETURN_IF_ERROR(expect_inputs(ctx, op_, 3));
    TFPORT_ASSIGN_OR_RETURN(const TensorListValue* list, get_list(ctx, op_, ctx.inputs[0]));
    const Tensor& item = ctx.inputs[2];
    if (item.dtype() != list->dtype) {
      return ctx.error(op_, "item " + item.description() + " does not match the list's element type " +
                                std::string(dtype_name(list->dtype)));
    }
    TFPORT_ASSIGN_OR_RETURN(int64_t i, read_int_scalar(ctx, op_, ctx.inputs[1], "index"));
    size_t size = list->items.size();
    if (resize_ && i >= static_cast<int64_t>(size) && i < (int64_t{1} << 31)) size = static_cast<size_t>(i) + 1;
    if (i < 0 || i >= static_cast<int64_t>(size)) {
      return ctx.error(op_, "index " + std::to_string(i) + " is out of range for a list of " +
                                std::to_string(size) + " elements");
    }
    if (list->self.use_count() == 1) {
      // Only our input holds the list: nobody else can observe the update.
      auto* owned = const_cast<TensorListValue*>(list);
      owned->items.resize(size);
      owned->items[static_cast<size_t>(i)] = item;
      ctx.outputs->push_back(ctx.inputs[0]);
      return Status::OK();
    }
    auto out = std::make_shared<TensorListValue>(*list);
    out->items.resize(size);
    out->items[static_cast<size_t>(i)] = item;
    ctx.outputs->push_back(wrap_list(std::move(out)));
    return Status::OK();
  }

 private:
  bool resize_;
};

// Stacks (or gathers) items into one tensor [n, element...].
Status stack_items(KernelContext& ctx, std::string_view op, const TensorListValue& list,
                   const std::vector<size_t>& which, const std::vector<int64_t>& requested) {
  std::vector<int64_t> elem;
  for (size_t i : which) {
    if (list.items[i].valid()) {
      elem = list.items[i].shape().dims();
      break;
    }
  }
  bool any_set = false;
  for (size_t i : which) any_set = any_set || list.items[i].valid();
  if (!any_set) {
    TFPORT_ASSIGN_OR_RETURN(Tensor z, zeros_element(ctx, op, list, requested));
    elem = z.shape().dims();
  }
  std::vector<int64_t> dims{static_cast<int64_t>(which.size())};
  dims.insert(dims.end(), elem.begin(), elem.end());
  TFPORT_ASSIGN_OR_RETURN(Tensor * out, add_output(ctx, op, list.dtype, Shape(dims)));
  const size_t bytes = element_storage_size(list.dtype) * static_cast<size_t>(Shape(elem).num_elements());
  char* dst = static_cast<char*>(out->mutable_raw_data());
  for (size_t k = 0; k < which.size(); ++k) {
    const Tensor& item = list.items[which[k]];
    if (!item.valid()) continue;  // stays zero
    if (item.shape().dims() != elem) {
      return ctx.error(op, "list items have different shapes: " + item.shape().to_string() + " and " +
                               Shape(elem).to_string());
    }
    std::memcpy(dst + k * bytes, item.raw_data(), bytes);
  }
  return Status::OK();
}

class StackKernel final : public ListKernel {
 public:
  using ListKernel::ListKernel;
  Status compute(KernelContext& ctx) const override {
    TFPORT_RETURN_IF_ERROR(expect_inputs(ctx, op_, 2));
    TFPORT_ASSIGN_OR_RETURN(const TensorListValue* list, get_list(ctx, op_, ctx.inputs[0]));
    if (list->dtype == DType::kString) return unsupported_dtype(ctx, op_, list->dtype, kAllPlainTypes);
    TFPORT_ASSIGN_OR_RETURN(std::vector<int64_t> requested, optional_shape(ctx, op_, ctx.inputs[1]));
    std::vector<size_t> all(list->items.size());
    for (size_t i = 0; i < all.size(); ++i) all[i] = i;
    return stack_items(ctx, op_, *list, all, requested);
  }
};

class GatherKernel final : public ListKernel {
 public:
  using ListKernel::ListKernel;
  Status compute(KernelContext& ctx) const override {
    TFPORT_RETURN_IF_ERROR(expect_inputs(ctx, op_, 3));
    TFPORT_ASSIGN_OR_RETURN(const TensorListValue* list, get_list(ctx, op_, ctx.inputs[0]));
    TFPORT_ASSIGN_OR_RETURN(std::vector<int64_t> idx, read_int_values(ctx, op_, ctx.inputs[1], "indices"));
    TFPORT_ASSIGN_OR_RETURN(std::vector<int64_t> requested, optional_shape(ctx, op_, ctx.inputs[2]));
    std::vector<size_t> which;
    for (int64_t i : idx) {
      if (i < 0 || i >= static_cast<int64_t>(list->items.size())) return ctx.error(op_, "index out of range");
      which.push_back(static_cast<size_t>(i));
    }
    return stack_items(ctx, op_, *list, which, requested);
  }
};

class LengthKernel final : public ListKernel {
 public:
  using ListKernel::ListKernel;
  Status compute(KernelContext& ctx) const override {
    TFPORT_RETURN_IF_ERROR(expect_inputs(ctx, op_, 1));
    TFPORT_ASSIGN_OR_RETURN(const TensorListValue* list, get_list(ctx, op_, ctx.inputs[0]));
    TFPORT_ASSIGN_OR_RETURN(Tensor * out, add_output(ctx, op_, DType::kInt32, Shape{}));
    out->mutable_data<int32_t>()[0] = static_cast<int32_t>(list->items.size());
    return Status::OK();
  }
};

class ElementShapeKernel final : public ListKernel {
 public:
  ElementShapeKernel(std::string op, DType shape_type) : ListKernel(std::move(op), shape_type) {}
  Status compute(KernelContext& ctx) const override {
    TFPORT_RETURN_IF_ERROR(expect_inputs(ctx, op_, 1));
    TFPORT_ASSIGN_OR_RETURN(const TensorListValue* list, get_list(ctx, op_, ctx.inputs[0]));
    std::vector<int64_t> dims = list->unknown_rank ? std::vector<int64_t>{-1} : list->element_shape;
    Shape shape = list->unknown_rank ? Shape{} : Shape{static_cast<int64_t>(dims.size())};
    TFPORT_ASSIGN_OR_RETURN(Tensor * out, add_output(ctx, op_, dtype_, shape));
    for (size_t i = 0; i < dims.size(); ++i) {
      if (dtype_ == DType::kInt64) out->mutable_data<int64_t>()[i] = dims[i];
      else out->mutable_data<int32_t>()[i] = static_cast<int32_t>(dims[i]);
    }
    return Status::OK();
  }
};

class PushBackKernel final : public ListKernel {
 public:
  using ListKernel::ListKernel;
  Status compute(KernelContext& ctx) const override {
    TFPORT_RETURN_IF_ERROR(expect_inputs(ctx, op_, 2));
    TFPORT_ASSIGN_OR_RETURN(const TensorListValue* list, get_list(ctx, op_, ctx.inputs[0]));
    if (ctx.inputs[1].dtype() != list->dtype) return ctx.error(op_, "item type does not match the list");
    if (list->self.use_count() == 1) {  // sole holder: append in place (see TensorListValue::self)
      const_cast<TensorListValue*>(list)->items.push_back(ctx.inputs[1]);
      ctx.outputs->push_back(ctx.inputs[0]);
      return Status::OK();
    }
    auto out = std::make_shared<TensorListValue>(*list);
    out->items.push_back(ctx.inputs[1]);
    ctx.outputs->push_back(wrap_list(std::move(out)));
    return Status::OK();
  }
};

class PopBackKernel final : public ListKernel {
 public:
  using ListKernel::ListKernel;
  Status compute(KernelContext& ctx) const override {
    TFPORT_RETURN_IF_ERROR(expect_inputs(ctx, op_, 2));
    TFPORT_ASSIGN_OR_RETURN(const TensorListValue* list, get_list(ctx, op_, ctx.inputs[0]));
    if (list->items.empty()) return ctx.error(op_, "popping from an empty list");
    auto out = std::make_shared<TensorListValue>(*list);
    Tensor item = out->items.back();
    out->items.pop_back();
    if (!item.valid()) {
      TFPORT_ASSIGN_OR_RETURN(std::vector<int64_t> requested, optional_shape(ctx, op_, ctx.inputs[1]));
      TFPORT_ASSIGN_OR_RETURN(item, zeros_element(ctx, op_, *list, requested));
    }
    ctx.outputs->push_back(wrap_list(std::move(out)));
    ctx.outputs->push_back(std::move(item));
    return Status::OK();
  }
};

template <typename K>
StatusOr<std::unique_ptr<Kernel>> make_list_op(const Attrs& attrs) {
  TFPORT_ASSIGN_OR_RETURN(DType dtype, element_dtype(attrs));
  return std::unique_ptr<Kernel>(std::make_unique<K>(std::string(attrs.op()), dtype));
}

StatusOr<std::unique_ptr<Kernel>> make_from_tensor(const Attrs& attrs) {
  return std::unique_ptr<Kernel>(std::make_unique<FromTensorKernel>(std::string(attrs.op()), DType::kInvalid));
}

StatusOr<std::unique_ptr<Kernel>> make_length(const Attrs& attrs) {
  return std::unique_ptr<Kernel>(std::make_unique<LengthKernel>(std::string(attrs.op()), DType::kInt32));
}

StatusOr<std::unique_ptr<Kernel>> make_element_shape(const Attrs& attrs) {
  TFPORT_ASSIGN_OR_RETURN(DType t, attrs.get_type("shape_type"));
  if (t != DType::kInt32 && t != DType::kInt64) return attrs.error("shape_type must be int32 or int64");
  return std::unique_ptr<Kernel>(std::make_unique<ElementShapeKernel>(std::string(attrs.op()), t));
}

StatusOr<std::unique_ptr<Kernel>> make_set_item(const Attrs& attrs) {
  TFPORT_ASSIGN_OR_RETURN(DType dtype, element_dtype(attrs));
  TFPORT_ASSIGN_OR_RETURN(bool resize, attrs.get_bool_or("resize_if_index_out_of_bounds", false));
  return std::unique_ptr<Kernel>(std::make_unique<SetItemKernel>(std::string(attrs.op()), dtype, resize));
}

}  // namespace

TFPORT_REGISTER_OP({"TensorListReserve", &make_list_op<ReserveKernel>});
TFPORT_REGISTER_OP({"EmptyTensorList", &make_list_op<ReserveKernel>});
TFPORT_REGISTER_OP({"TensorListFromTensor", &make_from_tensor});
TFPORT_REGISTER_OP({"TensorListGetItem", &make_list_op<GetItemKernel>});
TFPORT_REGISTER_OP({"TensorListSetItem", &make_set_item});
TFPORT_REGISTER_OP({"TensorListStack", &make_list_op<StackKernel>});
TFPORT_REGISTER_OP({"TensorListGather", &make_list_op<GatherKernel>});
TFPORT_REGISTER_OP({"TensorListLength", &make_length});
TFPORT_REGISTER_OP({"TensorListElementShape", &make_element_shape});
TFPORT_REGISTER_OP({"TensorListPushBack", &make_list_op<PushBackKernel>});
TFPORT_REGISTER_OP({"TensorListPopBack", &make_list_op<PopBackKernel>});

}  // namespace tfport::runtime::ops
