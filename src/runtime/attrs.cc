#include "runtime/attrs.h"

#include <string>

#include "runtime/tensor_proto.h"

namespace tfport::runtime {
namespace {

const char* kind_name(tensorflow::AttrValue::ValueCase c) {
  switch (c) {
    case tensorflow::AttrValue::kS: return "string";
    case tensorflow::AttrValue::kI: return "int";
    case tensorflow::AttrValue::kF: return "float";
    case tensorflow::AttrValue::kB: return "bool";
    case tensorflow::AttrValue::kType: return "type";
    case tensorflow::AttrValue::kShape: return "shape";
    case tensorflow::AttrValue::kTensor: return "tensor";
    case tensorflow::AttrValue::kList: return "list";
    case tensorflow::AttrValue::kFunc: return "func";
    case tensorflow::AttrValue::kPlaceholder: return "placeholder";
    case tensorflow::AttrValue::VALUE_NOT_SET: return "empty";
  }
  return "unknown";
}

StatusOr<DType> checked_type(const Attrs& attrs, std::string_view name, int32_t value) {
  if (value == 0 || !is_known_dtype_value(value)) {
    return attrs.error("attribute '" + std::string(name) + "' holds invalid type " + std::to_string(value));
  }
  return base_dtype(value);
}

}  // namespace

bool Attrs::has(std::string_view name) const { return find(name) != nullptr; }

const tensorflow::AttrValue* Attrs::find(std::string_view name) const {
  auto it = map_->find(std::string(name));
  return it == map_->end() ? nullptr : &it->second;
}

Status Attrs::error(std::string_view message) const {
  return invalid_argument_error("node '" + node_name_ + "' (" + op_ + "): " + std::string(message));
}

// Looks an attribute up and checks its kind. An empty `list` is a valid value of any list
// kind (TF writes `list {}` for empty lists), so list getters accept kList only.
#define TFPORT_ATTR_LOOKUP(var, name, kind)                                                         \
  const tensorflow::AttrValue* var = find(name);                                                    \
  if (var == nullptr) return error("missing attribute '" + std::string(name) + "'");               \
  if (var->value_case() != tensorflow::AttrValue::kind) {                                           \
    return error("attribute '" + std::string(name) + "' is a " + kind_name(var->value_case()) +    \
                 ", expected a " + kind_name(tensorflow::AttrValue::kind));                         \
  }

StatusOr<int64_t> Attrs::get_int(std::string_view name) const {
  TFPORT_ATTR_LOOKUP(v, name, kI);
  return v->i();
}

StatusOr<float> Attrs::get_float(std::string_view name) const {
  TFPORT_ATTR_LOOKUP(v, name, kF);
  return v->f();
}

StatusOr<bool> Attrs::get_bool(std::string_view name) const {
  TFPORT_ATTR_LOOKUP(v, name, kB);
  return v->b();
}

StatusOr<std::string> Attrs::get_string(std::string_view name) const {
  TFPORT_ATTR_LOOKUP(v, name, kS);
  return v->s();
}

StatusOr<DType> Attrs::get_type(std::string_view name) const {
  TFPORT_ATTR_LOOKUP(v, name, kType);
  return checked_type(*this, name, static_cast<int32_t>(v->type()));
}

StatusOr<PartialShape> Attrs::get_shape(std::string_view name) const {
  TFPORT_ATTR_LOOKUP(v, name, kShape);
  auto s = partial_shape_from_proto(v->shape());
  if (!s.ok()) return error("attribute '" + std::string(name) + "': " + s.status().message());
  return s;
}

StatusOr<std::vector<int64_t>> Attrs::get_int_list(std::string_view name) const {
  TFPORT_ATTR_LOOKUP(v, name, kList);
  return std::vector<int64_t>(v->list().i().begin(), v->list().i().end());
}

StatusOr<std::vector<float>> Attrs::get_float_list(std::string_view name) const {
  TFPORT_ATTR_LOOKUP(v, name, kList);
  return std::vector<float>(v->list().f().begin(), v->list().f().end());
}

StatusOr<std::vector<DType>> Attrs::get_type_list(std::string_view name) const {
  TFPORT_ATTR_LOOKUP(v, name, kList);
  std::vector<DType> types;
  for (int t : v->list().type()) {
    TFPORT_ASSIGN_OR_RETURN(DType d, checked_type(*this, name, t));
    types.push_back(d);
  }
  return types;
}

StatusOr<Tensor> Attrs::get_tensor(std::string_view name) const {
  if (value_ != nullptr && value_->valid() && name == "value") return *value_;
  TFPORT_ATTR_LOOKUP(v, name, kTensor);
  auto t = tensor_from_proto(v->tensor());
  if (!t.ok()) return error("attribute '" + std::string(name) + "': " + t.status().message());
  return t;
}

#undef TFPORT_ATTR_LOOKUP

StatusOr<int64_t> Attrs::get_int_or(std::string_view name, int64_t fallback) const {
  return has(name) ? get_int(name) : StatusOr<int64_t>(fallback);
}
StatusOr<float> Attrs::get_float_or(std::string_view name, float fallback) const {
  return has(name) ? get_float(name) : StatusOr<float>(fallback);
}
StatusOr<bool> Attrs::get_bool_or(std::string_view name, bool fallback) const {
  return has(name) ? get_bool(name) : StatusOr<bool>(fallback);
}
StatusOr<std::string> Attrs::get_string_or(std::string_view name, std::string fallback) const {
  return has(name) ? get_string(name) : StatusOr<std::string>(std::move(fallback));
}

}  // namespace tfport::runtime
